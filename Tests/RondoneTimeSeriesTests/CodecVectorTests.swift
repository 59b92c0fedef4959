import Foundation
import RondoneTesting
import Testing

@testable import RondoneTimeSeries

/// The committed test vectors (Vectors/*.bin + *.json, see docs/FORMAT.md) against the
/// Swift encoder and decoder and against the independent Python reader.
///
/// To regenerate after a deliberate format change, run the tests with
/// `RONDONE_WRITE_VECTORS=1`: `writeVectors` then rewrites the files from `definitions`.
@Suite struct CodecVectorTests {
    struct Vector {
        var name: String
        var kind: String
        var splitStart: Int64 = 0
        var granularity: Int64 = 0
        var timestampLayout: String?
        var valueLayout: String?
        var series: Series
    }

    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func encode(_ v: Vector) -> [UInt8] {
        v.kind == "split"
            ? SplitCodec.encode(v.series, splitStart: v.splitStart, granularity: v.granularity)
            : RawSeriesCodec.encode(v.series)
    }

    static func decode(_ v: Vector, _ bytes: [UInt8]) throws -> Series {
        v.kind == "split"
            ? try SplitCodec.decode(bytes, splitStart: v.splitStart, granularity: v.granularity)
            : try RawSeriesCodec.decode(bytes)
    }

    /// Every vector in the test bundle.
    static func load() throws -> [(vector: Vector, bin: URL)] {
        let folder = try #require(Bundle.module.url(forResource: "Vectors", withExtension: nil))
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { name in
            let url = folder.appendingPathComponent(name)
            let json = try #require(
                JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
            let vector = Vector(
                name: String(name.dropLast(5)), kind: try #require(json["kind"] as? String),
                splitStart: (json["splitStart"] as? NSNumber)?.int64Value ?? 0,
                granularity: (json["granularity"] as? NSNumber)?.int64Value ?? 0,
                timestampLayout: json["timestampLayout"] as? String,
                valueLayout: json["valueLayout"] as? String,
                series: try series(json))
            return (vector, url.deletingPathExtension().appendingPathExtension("bin"))
        }
    }

    static func series(_ json: [String: Any]) throws -> Series {
        let timestamps = try #require(json["timestamps"] as? [NSNumber]).map(\.int64Value)
        let values = try #require(json["values"] as? [String]).map { hex in
            Double(bitPattern: try #require(UInt64(hex.dropFirst(2), radix: 16)))
        }
        return Series(timestamps: timestamps, values: values)
    }

    @Test func swiftEncoderAndDecoderMatchVectors() throws {
        let vectors = try Self.load()
        #expect(vectors.count >= 10)
        // Every layout is covered by some vector.
        let layouts = Set(
            vectors.flatMap { [$0.vector.timestampLayout, $0.vector.valueLayout] }.compactMap(\.self))
        #expect(layouts == ["run", "bitmap", "gaps", "packed", "raw", "scaled", "xor"])
        for (vector, bin) in vectors {
            let bytes = try [UInt8](Data(contentsOf: bin))
            #expect(Self.encode(vector) == bytes, "encoder output differs for \(vector.name)")
            #expect(
                try Self.decode(vector, bytes) == vector.series, "decoder output differs for \(vector.name)")
            if let t = vector.timestampLayout, let v = vector.valueLayout {
                let names = Self.layoutNames(bytes, kind: vector.kind)
                #expect(names?.0 == t && names?.1 == v, "\(vector.name)")
            }
        }
    }

    @Test func pythonReaderMatchesVectors() throws {
        for (vector, bin) in try Self.load() {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            var arguments = [
                "python3", Self.repoRoot.appendingPathComponent("tools/read_series.py").path, bin.path,
            ]
            if vector.kind == "split" {
                arguments += [
                    "--split-start", "\(vector.splitStart)", "--granularity", "\(vector.granularity)",
                ]
            }
            process.arguments = arguments
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(vector.name)")
            let json = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(json["kind"] as? String == vector.kind)
            #expect(json["timestampLayout"] as? String == vector.timestampLayout, "\(vector.name)")
            #expect(json["valueLayout"] as? String == vector.valueLayout, "\(vector.name)")
            #expect(try Self.series(json) == vector.series, "Python reads \(vector.name) differently")
        }
    }

    /// The layout names the record's layout byte selects (as tools/read_series.py prints).
    static func layoutNames(_ bytes: [UInt8], kind: String) -> (String, String)? {
        guard bytes.count > 2, bytes[1] != 0 else { return nil }
        let slots = ["", "run", "bitmap", "gaps"]
        let timestamps = kind == "split" ? slots[Int(bytes[1] >> 4)] : "packed"
        return (timestamps, ["raw", "scaled", "xor"][Int(bytes[1] & 0xF)])
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["RONDONE_WRITE_VECTORS"] != nil))
    func writeVectors() throws {
        let folder = Self.repoRoot.appendingPathComponent("Tests/RondoneTimeSeriesTests/Vectors")
        for var vector in Self.definitions() {
            let bytes = Self.encode(vector)
            if let names = Self.layoutNames(bytes, kind: vector.kind) {
                (vector.timestampLayout, vector.valueLayout) = names
            }
            var json: [String: Any] = [
                "kind": vector.kind, "timestamps": vector.series.timestamps,
                "values": vector.series.values.map {
                    let hex = String($0.bitPattern, radix: 16)
                    return "0x" + String(repeating: "0", count: 16 - hex.count) + hex
                },
                "timestampLayout": vector.timestampLayout ?? NSNull(),
                "valueLayout": vector.valueLayout ?? NSNull(),
            ]
            if vector.kind == "split" {
                json["splitStart"] = vector.splitStart
                json["granularity"] = vector.granularity
            }
            let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
            try data.write(to: folder.appendingPathComponent("\(vector.name).json"))
            try Data(bytes).write(to: folder.appendingPathComponent("\(vector.name).bin"))
        }
    }

    /// What the vectors hold: small, deterministic, one per layout (and some edge cases).
    static func definitions() -> [Vector] {
        let second: Int64 = 1_000_000_000
        let minuteStart: Int64 = 1_699_920_000 * second  // a multiple of 3600 minutes
        var random = SplitMix64(seed: 42)
        func split(_ name: String, _ g: Int64, _ start: Int64, _ slots: [Int], _ values: [Double]) -> Vector {
            Vector(
                name: name, kind: "split", splitStart: start, granularity: g,
                series: Series(timestamps: slots.map { start + Int64($0) * g }, values: values))
        }
        var walk = 2000
        let gaugeSlots = (0..<200).filter { $0 % 5 != 3 }
        let gauge = gaugeSlots.map { _ in
            walk += Int.random(in: -7...7, using: &random)
            return Double(walk) / 100
        }
        let t0: Int64 = 1_700_000_000 * second
        return [
            split("split-empty", 60 * second, minuteStart, [], []),
            split(
                "split-run-integers", 60 * second, minuteStart, Array(5..<25),
                (0..<20).map { Double(1000 + $0 * 3) }),
            split("split-bitmap-decimals", 10 * second, 0, gaugeSlots, gauge),
            split(
                "split-gaps-xor", second, -3600 * second, [0, 700, 1500, 3599],
                [1.0 / 3, 1.0 / 3 + 1e-12, .pi, .pi]),
            split(
                "split-run-raw", 300 * second, minuteStart, [0, 1, 2],
                (0..<3).map { _ in Double(bitPattern: random.next()) }),
            split(
                "split-specials", 60 * second, minuteStart, Array(0..<8),
                [
                    .nan, Double(bitPattern: 0x7FF4_0000_0000_00AB), -0.0, 0, .infinity, -.infinity,
                    .leastNonzeroMagnitude, .greatestFiniteMagnitude,
                ]),
            split(
                "split-all-nan", 60 * second, minuteStart, Array(100..<400),
                Array(repeating: .nan, count: 300)),
            Vector(
                name: "raw-regular-decimals", kind: "raw",
                series: Series(
                    timestamps: (0..<300).map { t0 + Int64($0) * 10 * second + Int64($0 % 3) * 1_000_000 },
                    values: (0..<300).map { Double(($0 * 37) % 1000) / 10 })),
            Vector(
                name: "raw-negative-xor", kind: "raw",
                series: Series(
                    timestamps: [-5_000_000_000_000, -4_999_999_999_999, -17, 0, 123_456_789_012],
                    values: [
                        0.1 + 0.2, Double(bitPattern: 0x0000_2E05_5C9A_3F6C) /* a subnormal */, 1e300, -7.25,
                        1.0 / 7,
                    ])),
            Vector(
                name: "raw-counter-integers", kind: "raw",
                series: Series(
                    timestamps: (0..<130).map { t0 + Int64($0) * 60 * second },
                    values: (0..<130).map { Double($0 * $0) })),
        ]
    }
}
