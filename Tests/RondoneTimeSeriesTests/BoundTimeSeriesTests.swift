import Testing

@testable import RondoneTimeSeries

@Suite struct BoundTimeSeriesTests {
    static let second: Int64 = 1_000_000_000
    /// 2024-01-01T00:00:00Z.
    static let t0: Int64 = 1_704_067_200 * second

    static func batch(_ points: [(Double, Double)]) -> MeasureBatch {
        MeasureBatch(
            timestamps: points.map { t0 + Int64($0.0 * 1e9) }, values: points.map(\.1))
    }

    static func seconds(_ series: Series) -> [Double] {
        series.timestamps.map { Double($0 - t0) / 1e9 }
    }

    /// Real server, policy `h-policy-dup` (1 s, methods first/last, back window 0):
    /// one POST of 5, 1, 3 at 00:00:00 and 9, 2 at 00:00:01 read back first = last =
    /// 1 and 2: in one batch the smallest value of a time stamp wins.
    @Test func duplicatesInOneBatchKeepTheSmallestValue() {
        let batch = Self.batch([(0, 5), (0, 1), (0, 3), (1, 9), (1, 2)])
        #expect(batch.series.values == [1, 2])
        #expect(Self.seconds(batch.series) == [0, 1])
        let nan = MeasureBatch(timestamps: [7, 7, 7], values: [.nan, 4, 8])
        #expect(nan.series.values == [4])
    }

    /// Real server: 5 at 00:00:00, processed (read back 5); then one POST of 7 and 6
    /// at 00:00:00, read back 6: the new batch (smallest of it) replaces the buffer.
    /// And four POSTs waiting together (5, 3 at :00; 1, 8 at :01) read back 3 and 1:
    /// they are one batch.
    @Test func aNewBatchOverridesTheBuffer() {
        var buffer = BoundTimeSeries(blockSize: .seconds(1), backWindow: 0)
        buffer.add(Self.batch([(0, 5)]))
        #expect(buffer.series.values == [5])
        buffer.add(Self.batch([(0, 7), (0, 6)]))
        #expect(buffer.series.values == [6])
        #expect(Self.batch([(0, 5), (0, 3), (1, 1), (1, 8)]).series.values == [3, 1])
    }

    /// Real server: 1 at 00:00:10 processed, then 2 at :05, 3 at :10.5 and 4 at
    /// :09.999 in one POST: first(:10) = 1 and last = 3, nothing at :05 or :09; with a
    /// back window of 0 only the newest point's block is open.
    @Test func backWindowZeroDropsEarlierBlocks() {
        var buffer = BoundTimeSeries(blockSize: .seconds(1), backWindow: 0)
        buffer.add(Self.batch([(10, 1)]))
        buffer.add(Self.batch([(5, 2), (10.5, 3), (9.999, 4)]))
        #expect(Self.seconds(buffer.series) == [10, 10.5])
        #expect(buffer.series.values == [1, 3])
    }

    @Test func theCutUsesTheBufferBeforeTheBatch() {
        // Block 60 s, back window 1: with the newest point at 130 s the first block is
        // 60 s. A batch at 61 s and 500 s keeps 61 s until truncation, which then sees
        // the new newest point (500 s → first block 420 s) and drops it, but the
        // aggregation callback still sees it.
        var buffer = BoundTimeSeries(blockSize: .minutes(1), backWindow: 1)
        buffer.add(Self.batch([(130, 1)]))
        #expect(buffer.firstBlockTimestamp == Timestamp(nanoseconds: Self.t0 + 60 * Self.second))
        let seen = buffer.add(Self.batch([(59.5, 9), (61, 2), (500, 3)])) { Self.seconds($0.series) }
        #expect(seen == [61, 130, 500])
        #expect(Self.seconds(buffer.series) == [500])
        #expect(buffer.firstBlockTimestamp == Timestamp(nanoseconds: Self.t0 + 420 * Self.second))
    }

    @Test func anEmptyBufferAcceptsEverythingThenTruncates() {
        var buffer = BoundTimeSeries(blockSize: .minutes(1), backWindow: 2)
        let seen = buffer.add(Self.batch([(0, 1), (100, 2), (250, 3)])) { $0.series.count }
        #expect(seen == 3)
        // Newest 250 s → its block 240 s, minus 2 blocks → 120 s.
        #expect(Self.seconds(buffer.series) == [250])
        buffer.add(Self.batch([(119.9, 4), (120, 5)]))
        #expect(Self.seconds(buffer.series) == [120, 250])
    }

    @Test func hugeBackWindowsSaturateInsteadOfTrapping() {
        var buffer = BoundTimeSeries(blockSize: .hours(1), backWindow: .max)
        buffer.add(Self.batch([(0, 1), (1e6, 2)]))
        buffer.add(Self.batch([(1, 3)]))
        #expect(buffer.series.count == 3)
        #expect(buffer.firstBlockTimestamp == Timestamp(nanoseconds: .min))
    }
}
