import RondoneQuery
import RondoneTimeSeries
import Testing

/// `(resample AGG Y|H|Q|M|W …)`: calendar periods in the operations language, Rondone's
/// departure from Gnocchi 4.7 (whose schema takes timespans only there).
@Suite("Calendar resample operation")
struct CalendarResampleTests {
    static let a = ReferenceKey(name: "a", aggregation: "mean")
    static let b = ReferenceKey(name: "b", aggregation: "mean")
    static let day: Int64 = 86_400_000_000_000
    /// Days since the epoch of resample-calendar.yaml's points (2015-03-01 … 2016-02-06).
    static let days: [Int64] = [16_495, 16_500, 16_526, 16_531, 16_714, 16_806, 16_837]
    /// Daily series: a as in resample-calendar.yaml, b twice a.
    static let frame = Frame(
        granularity: day, timestamps: days.map { $0 * day },
        columns: [[10, 12, 2, 4, 7, 12, 4], [20, 24, 4, 8, 14, 24, 8]])
    static let evaluator = Evaluator(references: [a, b])
    static let both = Operation.metric([a, b], single: false)
    static let monthStarts: [Int64] = [16_495, 16_526, 16_709, 16_801, 16_832].map { $0 * day }

    static func validate(_ text: String) throws -> Operation {
        try OperationsSchema.validate(try OperationsText.parse(text))
    }

    @Test func lettersParseAsCalendarGroupings() throws {
        let key = ReferenceKey(name: "8c062a7e-9f9f-4b1c-9996-9d0328512ab7", aggregation: "mean")
        let metric = Operation.metric([key], single: true)
        for (letter, grouping) in [
            ("Y", CalendarGrouping.year), ("H", .halfYear), ("Q", .quarter), ("M", .month),
        ] {
            #expect(
                try Self.validate("(resample sum \(letter) (metric \(key.name) mean))")
                    == .resample(Aggregation(.sum), .calendar(grouping), metric))
        }
        #expect(
            try OperationsSchema.validate(
                .list([
                    .string("resample"), .string("mean"), .string("W"),
                    .list([.string("metric"), .string(key.name), .string("mean")]),
                ]))
                == .resample(Aggregation(.mean), .calendar(.week), metric))
        // Timespans still parse as before; a lower-case letter is neither.
        #expect(
            try Self.validate("(resample mean 3600 (metric \(key.name) mean))")
                == .resample(Aggregation(.mean), .timespan(.hours(1)), metric))
        #expect(throws: OperationsSchema.Invalid(message: "'resample' operation invalid")) {
            try Self.validate("(resample mean m (metric \(key.name) mean))")
        }
        #expect(
            Operation.resample(Aggregation(.mean), .calendar(.month), metric).pythonRepr
                == "['resample', 'mean', 'M', ['metric', '\(key.name)', 'mean']]")
    }

    @Test func resampleEachSeriesToMonths() throws {
        let result = try Self.evaluator.evaluate(
            .resample(Aggregation(.sum), .calendar(.month), Self.both), over: Self.frame)
        #expect(!result.isAggregated)
        #expect(result.frame.calendar == .month)
        #expect(result.frame.timestamps == Self.monthStarts)
        #expect(result.frame.columns == [[22, 6, 7, 12, 4], [44, 12, 14, 24, 8]])
    }

    @Test func operationsAfterACalendarResampleKeepTheGrouping() throws {
        let months = Operation.resample(Aggregation(.mean), .calendar(.month), Self.both)
        let mean = try Self.evaluator.evaluate(
            .aggregate(CrossAggregation(method: .mean), months), over: Self.frame)
        #expect(mean.isAggregated)
        #expect(mean.frame.calendar == .month)
        #expect(mean.frame.columns == [[16.5, 4.5, 10.5, 18, 6]])
        let negated = try Self.evaluator.evaluate(.unary(.negative, months), over: Self.frame)
        #expect(negated.frame.calendar == .month)
        let rolling = try Self.evaluator.evaluate(
            .rolling(CrossAggregation(method: .max), window: 2, months), over: Self.frame)
        #expect(rolling.frame.calendar == .month)
        #expect(rolling.frame.columns[0] == [11, 7, 12, 12])
        let weeks = try Self.evaluator.evaluate(
            .resample(Aggregation(.count), .calendar(.week), Self.both), over: Self.frame)
        // Sunday 2015-03-01 holds the 1st and the 6th; 2016-01-31 the 6 February.
        #expect(weeks.frame.timestamps.first == 16_495 * Self.day)
        #expect(weeks.frame.timestamps.last == 16_831 * Self.day)
        #expect(weeks.frame.columns[0] == [2, 1, 1, 1, 1, 1])
    }

    @Test func monthsAndDaysDoNotCombine() throws {
        let months = Operation.resample(
            Aggregation(.mean), .calendar(.month), .metric([Self.a], single: true))
        let days = Operation.metric([Self.b], single: true)
        #expect(throws: QueryError.self) {
            try Self.evaluator.evaluate(.binary(.add, months, days), over: Self.frame)
        }
        let quarters = Operation.resample(
            Aggregation(.mean), .calendar(.quarter), .metric([Self.b], single: true))
        #expect(throws: QueryError.self) {
            try Self.evaluator.evaluate(.binary(.add, months, quarters), over: Self.frame)
        }
        let sum = try Self.evaluator.evaluate(
            .binary(
                .add, months,
                .resample(Aggregation(.mean), .calendar(.month), .metric([Self.b], single: true))),
            over: Self.frame)
        #expect(sum.frame.columns == [[33, 9, 21, 36, 12]])
    }

    @Test func resultsNameTheGrouping() async throws {
        let policy = try ArchivePolicy(
            name: "daily", definition: [try ArchivePolicyItem(granularity: .days(1), points: 1000)])
        let references = [0, 1].map { index in
            let metric = MetricID(high: 0, low: UInt64(index))
            return ResolvedReference(
                key: ReferenceKey(name: metric.description, aggregation: "mean"), metric: metric,
                policy: policy)
        }
        let query = CrossMetricQuery(
            references: references,
            operation: .aggregate(
                CrossAggregation(method: .sum),
                .resample(Aggregation(.mean), .calendar(.year), .metric(references.map(\.key), single: false))
            ))
        let result = try await query.run { request in
            Series(
                timestamps: Self.frame.timestamps,
                values: Self.frame.columns[Int(request.metric.description.suffix(1))!])
        }
        guard case .aggregated(let series) = result else {
            Issue.record("not aggregated")
            return
        }
        #expect(series.map(\.sampling) == [.calendar(.year)])
        #expect(series[0].granularity == .days(1))
        #expect(series[0].points.timestamps == [16_436 * Self.day, 16_801 * Self.day])
        #expect(series[0].points.values == [7 + 14, 8 + 16])
    }
}
