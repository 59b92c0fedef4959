import RondoneTesting
import Testing

@testable import RondoneTimeSeries

/// Damaged records must be refused with an error: never a crash, never other points.
@Suite struct CodecCorruptionTests {
    static let g: Int64 = 10_000_000_000

    /// One record of each layout, with the decoder that reads it.
    static func records() -> [(name: String, bytes: [UInt8], decode: ([UInt8]) throws(CodecError) -> Series)]
    {
        var random = SplitMix64(seed: 4)
        let split: ([UInt8]) throws(CodecError) -> Series = { (b) throws(CodecError) in
            try SplitCodec.decode(b, splitStart: 0, granularity: g)
        }
        let raw: ([UInt8]) throws(CodecError) -> Series = { (b) throws(CodecError) in
            try RawSeriesCodec.decode(b)
        }
        func splitRecord(_ slots: [Int], _ values: [Double]) -> [UInt8] {
            SplitCodec.encode(
                Series(timestamps: slots.map { Int64($0) * g }, values: values), splitStart: 0, granularity: g
            )
        }
        let walk = (0..<300).map { Double($0 % 17) / 100 }
        var total = 0.0
        let counter = (0..<300).map { _ in
            total += Double(Int.random(in: 0...7, using: &random))
            return total
        }
        return [
            ("run+scaled", splitRecord(Array(10..<310), walk), split),
            // Offset blocks: a base varint between the header byte and the fields.
            ("run+scaled counter", splitRecord(Array(0..<300), counter), split),
            (
                "bitmap+xor",
                splitRecord(Array(stride(from: 0, to: 900, by: 3)), (0..<300).map { 1 / Double($0 + 3) }),
                split
            ),
            (
                "gaps+raw",
                splitRecord([1, 400, 2000, 3599], (0..<4).map { _ in Double(bitPattern: random.next()) }),
                split
            ),
            ("raw series", RawSeriesCodec.encode(random.rawSeries(count: 300)), raw),
        ]
    }

    @Test func everyTruncationIsRejected() {
        for record in Self.records() {
            for length in 0..<record.bytes.count {
                #expect(throws: CodecError.self, "\(record.name) cut at \(length)") {
                    try record.decode(Array(record.bytes[0..<length]))
                }
            }
        }
    }

    @Test func everySingleBitFlipIsRejected() {
        for record in Self.records() {
            for bit in 0..<(record.bytes.count * 8) {
                var bytes = record.bytes
                bytes[bit / 8] ^= 1 << (bit % 8)
                #expect(throws: CodecError.self, "\(record.name) bit \(bit)") { try record.decode(bytes) }
            }
        }
    }

    @Test func trailingBytesAreRejected() {
        for record in Self.records() {
            #expect(throws: CodecError.self) { try record.decode(record.bytes + [0]) }
        }
    }

    /// Crafted records with a valid CRC: structure checks alone stand between them and a
    /// crash. Whatever decodes must satisfy the series invariants.
    @Test func mutatedRecordsWithValidChecksumNeverCrash() {
        var random = SplitMix64(seed: 5)
        for record in Self.records() {
            for _ in 0..<3000 {
                var body = Array(record.bytes.dropLast(4))
                for _ in 0..<Int.random(in: 1...3, using: &random) {
                    let i = Int.random(in: 1..<body.count, using: &random)
                    body[i] = UInt8.random(in: 0...255, using: &random)
                }
                if Bool.random(using: &random) {
                    body.removeLast(Int.random(in: 0...min(8, body.count - 1), using: &random))
                }
                var bytes = body
                Record.finish(from: 0, into: &bytes)
                if let series = try? record.decode(bytes) {
                    #expect(series.timestamps.count == series.values.count)
                    #expect(zip(series.timestamps, series.timestamps.dropFirst()).allSatisfy { $0 < $1 })
                }
            }
        }
    }
}
