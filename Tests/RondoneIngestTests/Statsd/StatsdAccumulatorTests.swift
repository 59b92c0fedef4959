import RondoneTimeSeries
import Testing

@testable import RondoneIngest

/// Every statsd line form gnocchi-statsd 4.7.1 reads, and the ones it refuses, decoded
/// straight from datagram bytes into one measure per metric per flush.
@Suite struct StatsdAccumulatorTests {
    /// Feeds `datagrams` at successive time stamps 1, 2, … and returns the counts of each.
    @discardableResult
    static func feed(_ accumulator: inout StatsdAccumulator, _ datagrams: [String], from start: Int64 = 1)
        -> [StatsdLineCounts]
    {
        var counts: [StatsdLineCounts] = []
        for (offset, datagram) in datagrams.enumerated() {
            var bytes = Array(datagram.utf8)
            counts.append(
                bytes.withUnsafeMutableBytes {
                    accumulator.add(datagram: UnsafeRawBufferPointer($0), at: start + Int64(offset))
                })
        }
        return counts
    }

    static func flush(_ datagrams: [String], gaugeDeltas: Bool = false) -> StatsdFlush {
        var accumulator = StatsdAccumulator(gaugeDeltas: gaugeDeltas)
        feed(&accumulator, datagrams)
        return accumulator.flush()
    }

    @Test func countersSumValueOverSampleRate() {
        let flush = Self.flush(["hits:1|c", "hits:2|c|@0.5", "hits:3|c|@0.1\nhits:-1|c"])
        #expect(flush["hits|c"] == Measures(timestamps: [3], values: [1 + 4 + 30 - 1]))
        #expect(flush.count == 1)
    }

    @Test func gaugesAndTimersKeepTheLastValue() {
        let flush = Self.flush(["temp:20|g", "temp:21.5|g\nlatency:320|ms", "latency:310|ms"])
        #expect(flush["temp|g"] == Measures(timestamps: [2], values: [21.5]))
        #expect(flush["latency|ms"] == Measures(timestamps: [3], values: [310]))
    }

    @Test func signedGaugesAreValuesAsInGnocchi() {
        let flush = Self.flush(["level:10|g", "level:+4|g", "other:-3|g"])
        #expect(flush["level|g"]?.values == [4])
        #expect(flush["other|g"]?.values == [-3])
    }

    @Test func signedGaugesAreDeltasWithTheOption() {
        var accumulator = StatsdAccumulator(gaugeDeltas: true)
        Self.feed(&accumulator, ["level:10|g", "level:+4|g", "level:-1|g"])
        #expect(accumulator.flush()["level|g"]?.values == [13])
        // The last value survives the flush, as in statsd.
        Self.feed(&accumulator, ["level:+2|g"], from: 10)
        #expect(accumulator.flush()["level|g"] == Measures(timestamps: [10], values: [15]))
        Self.feed(&accumulator, ["level:7|g"], from: 11)
        #expect(accumulator.flush()["level|g"]?.values == [7])
    }

    @Test func oneMeasurePerMetricPerFlushThenNothing() {
        var accumulator = StatsdAccumulator()
        Self.feed(&accumulator, ["a:1|c", "a:1|c", "b:2|g"])
        #expect(accumulator.flush().count == 2)
        #expect(accumulator.isEmpty)
        #expect(accumulator.flush().isEmpty)
        // A counter starts again from zero in the next period.
        Self.feed(&accumulator, ["a:5|c"], from: 7)
        #expect(accumulator.flush() == ["a|c": Measures(timestamps: [7], values: [5])])
    }

    @Test func theSameNameOfTwoTypesIsTwoMetrics() {
        let flush = Self.flush(["x:1|c\nx:2|g\nx:3|ms"])
        #expect(flush.keys.sorted() == ["x|c", "x|g", "x|ms"])
    }

    @Test func valuesAsPythonFloatReadsThem() {
        let flush = Self.flush([
            "a:1e3|g", "b: 2.5 |g", "c:1_000|g", "d:.5|g", "e:5.|g", "f:123456789012345678|g", "g:0.1|g",
        ])
        #expect(flush["a|g"]?.values == [1000])
        #expect(flush["b|g"]?.values == [2.5])
        #expect(flush["c|g"]?.values == [1000])
        #expect(flush["d|g"]?.values == [0.5])
        #expect(flush["e|g"]?.values == [5])
        #expect(flush["f|g"]?.values == [123_456_789_012_345_680])  // correctly rounded
        #expect(flush["g|g"]?.values == [0.1])
    }

    @Test(arguments: [
        ("no-type:1", StatsdRefusal.malformed),
        ("too|many|pipes|here:1", .malformed),
        ("a:1|c|@0.5|x", .malformed),
        ("no-colon|c", .malformed),
        ("two:colons:1|c", .malformed),
        ("a:abc|c", .malformed),
        ("a:|g", .malformed),
        ("a:1|s", .unknownType),
        ("a:1|h", .unknownType),
        ("a:1|C", .unknownType),
        ("a:1|c\r", .unknownType),
        ("a:1|g|@0.5", .badSampling),
        ("a:1|ms|@0.5", .badSampling),
        ("a:1|c|@0", .badSampling),
        ("a:1|c|@", .badSampling),
        ("a:1|c|", .badSampling),
        ("a:1|c|@x", .badSampling),
    ])
    func refusedLinesDoNotDropTheirNeighbours(line: String, reason: StatsdRefusal) {
        var accumulator = StatsdAccumulator()
        let counts = Self.feed(&accumulator, ["before:1|c\n\(line)\nafter:2|g"])[0]
        #expect(counts.lines == 3)
        #expect(counts.accepted == 2)
        #expect(counts.refused == [reason: 1])
        // Logged with control characters shown as `?`.
        #expect(counts.examples.first?.line == String(line.map { $0 == "\r" ? "?" : $0 }))
        let flush = accumulator.flush()
        #expect(flush.keys.sorted() == ["after|g", "before|c"])
    }

    @Test func anySamplingPrefixCharacterIsSkippedAsInGnocchi() {
        #expect(Self.flush(["a:1|c|x0.5"])["a|c"]?.values == [2])
    }

    @Test func emptyLinesAndDatagramsCountNothing() {
        var accumulator = StatsdAccumulator()
        let counts = Self.feed(&accumulator, ["", "\n\n\n", "a:1|c\n\n"])
        #expect(counts.map(\.lines) == [0, 0, 1])
        #expect(accumulator.flush().count == 1)
    }

    @Test func binaryAndNonUTF8NamesAreMalformedAlone() {
        var accumulator = StatsdAccumulator()
        var bytes: [UInt8] = Array("ok:1|c\n".utf8) + [0xFF, 0xFE] + Array(":1|c\n".utf8)
        bytes += (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        bytes += Array("\nlast:3|ms".utf8)
        let counts = bytes.withUnsafeBytes { accumulator.add(datagram: $0, at: 5) }
        #expect(counts.accepted == 2)
        #expect(counts.refused.values.reduce(0, +) == counts.lines - 2)
        #expect(counts.refused[.malformed] != nil)
        #expect(accumulator.flush().keys.sorted() == ["last|ms", "ok|c"])
    }

    @Test func aHugeDatagramOfManyMetrics() {
        var text = ""
        for index in 0..<5000 { text += "metric.\(index % 1000):\(index)|c\n" }
        var accumulator = StatsdAccumulator()
        let counts = Self.feed(&accumulator, [text])[0]
        #expect(counts.accepted == 5000)
        let flush = accumulator.flush()
        #expect(flush.count == 1000)
        // metric.7 got 7 + 1007 + 2007 + 3007 + 4007.
        #expect(flush["metric.7|c"]?.values == [7 + 1007 + 2007 + 3007 + 4007])
    }

    @Test func aNameOfUTF8Text() {
        #expect(Self.flush(["café.température:3|g"])["café.température|g"]?.values == [3])
    }
}
