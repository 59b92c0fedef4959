import RondoneTesting
import Testing

@testable import RondoneTimeSeries

/// Calendar grouping (`resample=Y|H|Q|M|W`) against vectors computed by Gnocchi 4.7.1's
/// own `calendar` and carbonara code with numpy (`scripts/calendar-vectors.py`).
@Suite struct CalendarGroupingTests {
    static let day: Int64 = 86_400_000_000_000
    static let letters: [CalendarGrouping] = [.year, .halfYear, .quarter, .month, .week]

    @Test func periodStartsMatchNumpy() {
        for (timestamp, year, half, quarter, month, week) in Self.groupingVectors {
            let expected = [year, half, quarter, month, week]
            for (grouping, startDay) in zip(Self.letters, expected) {
                let start = grouping.periodStart(timestamp)
                #expect(start == startDay * Self.day, "\(grouping) of \(timestamp)")
                let end = grouping.periodEnd(ofPeriodStartingAt: start)
                #expect(end.map { $0 > timestamp } == true, "\(grouping) end of \(timestamp)")
                // The end is the next period's start.
                if let end { #expect(grouping.periodStart(end) == end) }
            }
        }
    }

    @Test func vectorsCoverTheEdges() {
        let days = Set(Self.groupingVectors.map { floorDivide($0.0, Self.day) })
        // Leap days, the last nanosecond of 2099 and a date before the epoch are in.
        #expect(days.contains(CivilCalendar.days(year: 2000, month: 2, day: 29)))
        #expect(days.contains(CivilCalendar.days(year: 2099, month: 12, day: 31)))
        #expect(days.contains { $0 < -365 })
        #expect(Self.groupingVectors.count > 1_500)
    }

    @Test func weeksStartOnSunday() {
        // Thursday 1970-01-01 belongs to the week of Sunday 1969-12-28.
        #expect(CalendarGrouping.week.periodStart(0) == -4 * Self.day)
        #expect(CalendarGrouping.week.periodStartDay(ofDay: 3) == 3)
        #expect(CalendarGrouping.week.periodStartDay(ofDay: 9) == 3)
        #expect(CalendarGrouping.week.periodStartDay(ofDay: 10) == 10)
    }

    @Test func groupingEqualsPerPointPeriodStarts() {
        var rng = SplitMix64(seed: 42)
        // Irregular points from 2001 on, mostly dense, sometimes weeks apart (~30 years).
        var timestamps: [Int64] = []
        var t: Int64 = 1_000_000_000 * 1_000_000_000
        for _ in 0..<10_000 {
            let sparse = Int.random(in: 0..<10, using: &rng) == 0
            t += Int64.random(in: 1...(sparse ? 20 * 86_400 : 3_600), using: &rng) * 1_000_000_000
            timestamps.append(t)
        }
        let series = Series(timestamps: timestamps, values: timestamps.map { Double($0 % 1000) })
        for grouping in Self.letters {
            let grouped = GroupedSeries(series, sampling: .calendar(grouping))
            var periods: [Int64] = []
            var counts: [Double] = []
            for timestamp in timestamps {
                let start = grouping.periodStart(timestamp)
                if periods.last == start {
                    counts[counts.count - 1] += 1
                } else {
                    periods.append(start)
                    counts.append(1)
                }
            }
            #expect(grouped.periods == periods, "\(grouping)")
            #expect(grouped.aggregate(.count).values == counts, "\(grouping)")
        }
    }

    @Test func resamplingMatchesGnocchi() throws {
        for (letter, name, timestamps, bits) in Self.resampleVectors {
            let grouping = try #require(CalendarGrouping(letter: letter))
            let aggregation = try #require(Aggregation(name: name))
            let result = resample(Self.series, to: .calendar(grouping), aggregation: aggregation)
            let expected = Series(timestamps: timestamps, values: bits.map(Double.init(bitPattern:)))
            #expect(result == expected, "\(letter) \(name)")
        }
    }

    @Test func startLeavesOutEarlierPoints() {
        let start = Timestamp(nanoseconds: Self.series.timestamps[100])
        let grouped = GroupedSeries(Self.series, sampling: .calendar(.month), start: start)
        let whole = GroupedSeries(Self.series.slice(100..<Self.series.count), sampling: .calendar(.month))
        #expect(grouped.periods == whole.periods)
        #expect(grouped.aggregate(.sum) == whole.aggregate(.sum))
        // A rate starts from the point before `start`.
        let rates = grouped.derived().aggregate(.first)
        let expected = Self.series.values[100] - Self.series.values[99]
        #expect(rates.values.first == expected)
    }

    @Test func rateOfCalendarPeriods() {
        let series = Series(
            timestamps: [0, 10, 40, 70].map { $0 * Self.day }, values: [1, 3, 10, 30])
        let rates = resample(series, to: .calendar(.month), aggregation: Aggregation(.sum, rate: true))
        // Differences 2 (Jan 11), 7 (Feb 10), 20 (Mar 12).
        #expect(rates.timestamps == [0, 31, 59].map { $0 * Self.day })
        #expect(rates.values == [2, 7, 20])
    }

    @Test func extremesSaturate() {
        for grouping in Self.letters {
            #expect(grouping.periodStart(.min) <= Int64.min + 7 * Self.day)
            #expect(grouping.periodEnd(ofPeriodStartingAt: grouping.periodStart(.max)) == nil)
            let series = Series(timestamps: [.min, 0, .max], values: [1, 2, 3])
            let grouped = GroupedSeries(series, sampling: .calendar(grouping))
            #expect(grouped.aggregate(.count).values == [1, 1, 1], "\(grouping)")
        }
        #expect(CalendarGrouping.year.periodStart(.min) == .min)
    }

    @Test func samplingParsesLettersThenTimespans() throws {
        #expect(try Sampling.parse("M") == .calendar(.month))
        #expect(try Sampling.parse("W") == .calendar(.week))
        #expect(try Sampling.parse("3600") == .timespan(.hours(1)))
        #expect(try Sampling.parse("1 day") == .timespan(.days(1)))
        // Gnocchi's lookup is case-sensitive: `y` is a (bad) timespan.
        #expect(throws: TimespanError.unableToParse) { try Sampling.parse("y") }
        #expect(throws: TimespanError.unableToParse) { try Sampling.parse("X") }
    }
}
