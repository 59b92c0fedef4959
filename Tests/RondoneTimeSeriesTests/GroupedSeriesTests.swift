import RondoneTesting
import Testing

@testable import RondoneTimeSeries

@Suite struct GroupedSeriesTests {
    static let series = Series(
        timestamps: [0, 5, 61, 62, 130, 3_599, 3_600].map { $0 * 1_000_000_000 },
        values: [1, 2, 3, 4, 5, 6, 7])

    @Test func periodsAndCounts() {
        let grouped = GroupedSeries(Self.series, granularity: .minutes(1))
        #expect(grouped.periods == [0, 60, 120, 3_540, 3_600].map { $0 * 1_000_000_000 })
        #expect(grouped.aggregate(.count).values == [2, 2, 1, 1, 1])
        #expect(grouped.aggregate(.std).timestamps == [0, 60_000_000_000])
    }

    @Test func startLeavesOutEarlierPoints() {
        let grouped = GroupedSeries(
            Self.series, granularity: .minutes(1), start: Timestamp(nanoseconds: 62_000_000_000))
        #expect(grouped.aggregate(.first).values == [4, 5, 6, 7])
        // The rate looks back one point before start - granularity: 3 - 2 is not in, 4 - 3 is.
        #expect(grouped.derived().aggregate(.first).values == [1, 1, 1, 1])
    }

    @Test func severalAggregationsEqualOneAtATime() {
        let aggregations = propertyAggregations
        let start = Timestamp(nanoseconds: 60_000_000_000)
        let all = aggregate(Self.series, granularity: .minutes(1), start: start, aggregations: aggregations)
        #expect(all.count == aggregations.count)
        for (aggregation, result) in zip(aggregations, all) {
            #expect(
                result
                    == aggregate(
                        Self.series, granularity: .minutes(1), start: start, aggregation: aggregation))
        }
    }

    @Test func emptyInputsGiveEmptySeries() {
        let late = Timestamp(nanoseconds: 10_000_000_000_000)
        for aggregation in propertyAggregations {
            #expect(aggregate(Series(), granularity: .seconds(1), aggregation: aggregation).isEmpty)
            #expect(
                aggregate(Self.series, granularity: .seconds(1), start: late, aggregation: aggregation)
                    .isEmpty)
        }
    }

    @Test func resamplingToTheSameGranularityKeepsAnAggregate() {
        let means = aggregate(Self.series, granularity: .minutes(1), aggregation: Aggregation(.mean))
        #expect(resample(means, to: .minutes(1), aggregation: Aggregation(.mean)) == means)
        #expect(resample(means, to: .hours(1), aggregation: Aggregation(.max)).values == [6, 7])
    }

    @Test func roundTimestampIsGnocchisFloatingPointFloor() {
        let second: Int64 = 1_000_000_000
        let boundary: Int64 = 1_700_000_000 * second
        #expect(roundTimestamp(boundary - 1_000, granularity: second) == boundary - second)
        // A Double holds these time stamps to 256 ns, so Gnocchi puts them in the next second.
        #expect(roundTimestamp(boundary - 100, granularity: second) == boundary)
        #expect(roundTimestamp(-1, granularity: second) == -second)
        #expect(roundTimestamp(-second, granularity: second) == -second)
        #expect(roundTimestamp(.max, granularity: 1) == .max)
        #expect(roundTimestamp(.min, granularity: 1) == .min)
        // Microsecond time stamps agree with the exact floor at the usual granularities.
        var rng = SplitMix64(seed: 5)
        for _ in 0..<10_000 {
            let t = Int64.random(in: 0...4_000_000_000_000_000, using: &rng) * 1_000
            for g in [second, 60 * second, 3_600 * second, 86_400 * second] {
                #expect(roundTimestamp(t, granularity: g) == floorToMultiple(t, g))
            }
        }
    }
}
