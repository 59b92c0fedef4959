import RondoneTesting
import Testing

@testable import RondoneTimeSeries

@Suite struct RawSeriesCodecTests {
    @Test func randomSeriesRoundTripBitExactly() throws {
        var random = SplitMix64(seed: 2)
        for _ in 0..<400 {
            let n = [1, 2, 3, 127, 128, 129, 1000, 5000].randomElement(using: &random)!
            let series = random.rawSeries(count: n)
            let decoded = try RawSeriesCodec.decode(RawSeriesCodec.encode(series))
            #expect(decoded == series)
        }
    }

    @Test func extremeTimestampsRoundTrip() throws {
        // Differences overflow Int64 here; the codec works modulo 2^64 and still round-trips.
        let series = Series(
            timestamps: [.min, .min + 1, -1, 0, 1, .max - 1, .max], values: [1, 2, 3, 4, 5, 6, 7])
        #expect(try RawSeriesCodec.decode(RawSeriesCodec.encode(series)) == series)
    }

    @Test func steadyIntervalCostsAlmostNothing() throws {
        let t0: Int64 = 1_700_000_000_000_000_000
        let series = Series(
            timestamps: (0..<1280).map { t0 + Int64($0) * 10_000_000_000 },
            values: Array(repeating: 1, count: 1280))
        let bytes = RawSeriesCodec.encode(series)
        #expect(bytes.count < 60)
        #expect(try RawSeriesCodec.decode(bytes) == series)
    }

    @Test func emptySeries() throws {
        #expect(try RawSeriesCodec.decode(RawSeriesCodec.encode(Series())) == Series())
    }
}
