import Testing

@testable import RondoneTimeSeries

@Suite struct SeriesSplitsTests {
    static func series(_ points: [(Int64, Double)]) -> Series {
        Series(timestamps: points.map(\.0), values: points.map(\.1))
    }

    @Test func splitKeysFollowGnocchi() {
        let g = TimeDelta.seconds(1)
        // 2024-01-01T00:59:59.5Z lies in the split of 00:00 (span 3600 s).
        let key = SplitKey(containing: Timestamp(nanoseconds: 1_704_070_799_500_000_000), granularity: g)
        #expect(key.timestamp.nanoseconds == 1_704_067_200_000_000_000)
        #expect(key.next.timestamp.nanoseconds == 1_704_070_800_000_000_000)
        #expect(key.description == "1704067200.0")
        let half = SplitKey(
            containing: Timestamp(nanoseconds: 1_704_068_999_000_000_000), granularity: .nanoseconds500ms)
        #expect(half.timestamp.nanoseconds == 1_704_067_200_000_000_000)
        #expect(half.next.timestamp.nanoseconds == 1_704_069_000_000_000_000)
        #expect(
            SplitKey(containing: Timestamp(nanoseconds: 0), granularity: .days(365)).timestamp.nanoseconds
                == 0)
        #expect(key < key.next)
    }

    @Test func mergingLetsNewerPointsWin() {
        let stored = Self.series([(1, 1), (3, 3), (5, 5)])
        #expect(
            stored.merging(newer: Self.series([(3, 30), (4, 40), (9, 90)]))
                == Self.series([(1, 1), (3, 30), (4, 40), (5, 5), (9, 90)]))
        #expect(
            stored.merging(newer: Self.series([(0, 0)])) == Self.series([(0, 0), (1, 1), (3, 3), (5, 5)]))
        #expect(
            stored.merging(newer: Self.series([(6, 6)])) == Self.series([(1, 1), (3, 3), (5, 5), (6, 6)]))
        #expect(stored.merging(newer: Series()) == stored)
        #expect(Series().merging(newer: stored) == stored)
    }

    @Test func truncateKeepsPointsStrictlyAfterLastMinusTimespan() {
        var s = Self.series([(10, 1), (20, 2), (30, 3), (40, 4)])
        #expect(s.truncate(timespan: TimeDelta(nanoseconds: 20))?.nanoseconds == 20)
        #expect(s == Self.series([(30, 3), (40, 4)]))
        var empty = Series()
        #expect(empty.truncate(timespan: .seconds(1)) == nil)
    }

    @Test func splitsCutAtSplitKeys() {
        let g = TimeDelta(nanoseconds: 10)  // span 36_000 ns
        let s = Self.series([(-5, 0), (0, 1), (35_990, 2), (36_000, 3), (100_000, 4)])
        let parts = s.splits(granularity: g)
        #expect(parts.map(\.key.timestamp.nanoseconds) == [-36_000, 0, 36_000, 72_000])
        #expect(parts.map(\.points.count) == [1, 2, 1, 1])
    }
}

extension TimeDelta {
    fileprivate static let nanoseconds500ms = TimeDelta(nanoseconds: 500_000_000)
}
