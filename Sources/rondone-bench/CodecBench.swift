import RondoneTesting
import RondoneTimeSeries

/// `engine` section: split and raw series codec speed (one core) and bytes per point.
///
/// Three kinds of data, each as full 3600-point aggregated splits and as raw series:
/// a 10 s gauge doing a slow random walk with 2 decimals, an integer counter, and
/// uniform random doubles (the worst case: no structure to compress).
enum CodecBench {
    static let granularity: Int64 = 10_000_000_000
    static let splitStart: Int64 = 1_699_920_000 * 1_000_000_000

    static func run(scale: Int) {
        print("codec (split / raw series encode & decode, 1 core)")
        var random = SplitMix64(seed: 2024)
        let splits = 16 * max(scale, 1)
        let n = 3600
        let kinds: [(String, (inout SplitMix64) -> [Double])] = [
            (
                "gauge 2dp",
                { rng in
                    var m = Int64.random(in: 1000...5000, using: &rng)
                    return (0..<n).map { _ in
                        m += Int64.random(in: -5...5, using: &rng)
                        return Double(m) / 100
                    }
                }
            ),
            (
                "counter",
                { rng in
                    var c = Int64.random(in: 0...1_000_000, using: &rng)
                    return (0..<n).map { _ in
                        c += Int64.random(in: 0...7, using: &rng)
                        return Double(c)
                    }
                }
            ),
            ("random doubles", { rng in (0..<n).map { _ in Double.random(in: 0..<1, using: &rng) } }),
        ]
        for (name, make) in kinds {
            let series = (0..<splits).map { i in
                let start = splitStart + Int64(i) * 3600 * granularity
                return Series(
                    timestamps: (0..<n).map { start + Int64($0) * granularity }, values: make(&random))
            }
            // Raw series: the same values at 10 s ± up to 1 ms of client clock jitter.
            let raw = series.map { s in
                Series(
                    timestamps: s.timestamps.map { $0 + Int64.random(in: 0..<1_000_000, using: &random) },
                    values: s.values)
            }
            measure("split \(name)", series, points: splits * n) { s, i, out in
                SplitCodec.encode(
                    s, splitStart: splitStart + Int64(i) * 3600 * granularity, granularity: granularity,
                    into: &out)
            } decode: { (bytes, i) throws(CodecError) in
                try SplitCodec.decode(
                    bytes, splitStart: splitStart + Int64(i) * 3600 * granularity, granularity: granularity)
            }
            measure("raw \(name), 1 ms jitter", raw, points: splits * n) { s, _, out in
                RawSeriesCodec.encode(s, into: &out)
            } decode: { (bytes, _) throws(CodecError) in
                try RawSeriesCodec.decode(bytes)
            }
            measure("raw \(name), exact 10 s", series, points: splits * n) { s, _, out in
                RawSeriesCodec.encode(s, into: &out)
            } decode: { (bytes, _) throws(CodecError) in
                try RawSeriesCodec.decode(bytes)
            }
        }
    }

    /// Prints bytes per point, then encode, decode and encode+decode rates.
    static func measure(
        _ label: String, _ series: [Series], points: Int,
        encode: (Series, Int, inout [UInt8]) -> Void,
        decode: ([UInt8], Int) throws(CodecError) -> Series
    ) {
        let records = series.indices.map { i in
            var out: [UInt8] = []
            encode(series[i], i, &out)
            return out
        }
        for i in series.indices where (try? decode(records[i], i)) != series[i] {
            print("  \(label): ROUND TRIP FAILED")
            return
        }
        let bytes = records.reduce(0) { $0 + $1.count }
        print("  \(label): \(formatBytes(Double(bytes) / Double(points))) bytes/point")
        var buffer: [UInt8] = []
        buffer.reserveCapacity(8 * 3700)
        bench("\(label) encode", items: points, unit: "points") {
            for i in series.indices {
                buffer.removeAll(keepingCapacity: true)
                encode(series[i], i, &buffer)
            }
            blackHole(buffer)
        }
        bench("\(label) decode", items: points, unit: "points") {
            for i in records.indices { blackHole(try? decode(records[i], i)) }
        }
        bench("\(label) encode+decode", items: points, unit: "points") {
            for i in series.indices {
                buffer.removeAll(keepingCapacity: true)
                encode(series[i], i, &buffer)
                blackHole(try? decode(buffer, i))
            }
        }
    }

    static func formatBytes(_ x: Double) -> String {
        let hundredths = Int((x * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
