import RondoneTesting
import RondoneTimeSeries

/// Throughput of timestamp parsing and formatting, the per-measure cost of every POST and
/// every measures response.
enum TimestampBench {
    static func run(scale: Int) {
        print("Timestamps (parse / format)")
        let count = 200_000 * max(scale, 1)
        var random = SplitMix64(seed: 0x71AE)
        let base: Int64 = 1_412_606_037_000_000_000
        let times = (0..<count).map { _ in
            Timestamp(nanoseconds: base + Int64(random.next() % 300_000_000_000_000_000))
        }
        // One contiguous buffer of ISO texts, as a JSON decoder would hand them over.
        var texts: [UInt8] = []
        var ranges: [Range<Int>] = []
        for (index, time) in times.enumerated() {
            let start = texts.count
            time.format(into: &texts, style: index % 2 == 0 ? .nanoseconds : .measure)
            ranges.append(start..<texts.count)
        }
        let now = Timestamp.now()

        bench("ISO 8601 parse (bytes, mixed fraction/whole)", items: count, unit: "timestamps") {
            var sum: Int64 = 0
            texts.withUnsafeBufferPointer { buffer in
                for range in ranges {
                    sum &+=
                        (try? Timestamp(parsing: UnsafeBufferPointer(rebasing: buffer[range]), now: now))?
                        .nanoseconds ?? 0
                }
            }
            blackHole(sum)
        }
        let seconds = times.map { Double($0.nanoseconds) / 1e9 }
        bench("epoch seconds (JSON number) -> Timestamp", items: count, unit: "timestamps") {
            var sum: Int64 = 0
            for value in seconds { sum &+= (try? Timestamp(epochSeconds: value))?.nanoseconds ?? 0 }
            blackHole(sum)
        }
        var output: [UInt8] = []
        output.reserveCapacity(count * 26)
        bench("format .measure into a reused buffer", items: count, unit: "timestamps") {
            output.removeAll(keepingCapacity: true)
            for time in times { time.format(into: &output, style: .measure) }
            blackHole(output.count)
        }
        bench("format .nanoseconds into a reused buffer", items: count, unit: "timestamps") {
            output.removeAll(keepingCapacity: true)
            for time in times { time.format(into: &output, style: .nanoseconds) }
            blackHole(output.count)
        }
        let relative = Array("-90 minutes".utf8)
        bench("relative parse (\"-90 minutes\")", items: count / 10, unit: "timestamps") {
            var sum: Int64 = 0
            for _ in 0..<(count / 10) {
                sum &+= (try? Timestamp(parsing: relative, now: now))?.nanoseconds ?? 0
            }
            blackHole(sum)
        }
    }
}
