import RondoneQuery
import RondoneTimeSeries
import Testing

/// Granularity planning, overlap and `fill` (Gnocchi's `get_measures` / `aggregated`),
/// with the series of Gnocchi's own `aggregation.yaml` where it has them.
@Suite("Cross-metric queries")
struct CrossMetricQueryTests {
    static let second: Int64 = 1_000_000_000

    static func policy(_ seconds: [Int64], methods: [String]? = nil) throws -> ArchivePolicy {
        try ArchivePolicy(
            name: "p\(seconds)",
            definition: seconds.map { try ArchivePolicyItem(granularity: .seconds($0), points: 100) },
            aggregationMethods: methods)
    }

    static func reference(_ index: Int, _ policy: ArchivePolicy, aggregation: String = "mean")
        -> ResolvedReference
    {
        let metric = MetricID(high: 0, low: UInt64(index))
        return ResolvedReference(
            key: ReferenceKey(name: metric.description, aggregation: aggregation), metric: metric,
            policy: policy)
    }

    static func series(_ points: [(Int64, Double)]) -> Series {
        Series(timestamps: points.map { $0.0 * second }, values: points.map(\.1))
    }

    /// metric 3 and metric 4 of aggregation.yaml (seconds after 08:46:00).
    static let metric3 = series([(69, 19.5), (153, 32), (203, 11.3)])
    static let metric4 = series([(34, 1.2), (153, 4.2), (203, 3), (251, 4.9)])

    static func difference(fill: FillMode?) throws -> [(Int64, Double)] {
        let policy = try Self.policy([1])
        let references = [Self.reference(3, policy), Self.reference(4, policy)]
        let keys = references.map(\.key)
        let query = CrossMetricQuery(
            references: references,
            operation: .aggregate(
                CrossAggregation(method: .mean),
                .binary(.subtract, .metric([keys[0]], single: true), .metric([keys[1]], single: true))),
            granularities: [.seconds(1)], fill: fill)
        guard case .aggregated(let result) = try query.evaluate([(.seconds(1), [metric3, metric4])]) else {
            Issue.record("not aggregated")
            return []
        }
        let points = result[0].points
        return zip(points.timestamps, points.values).map { ($0 / second, $1) }
    }

    static func same(_ lhs: [(Int64, Double)], _ rhs: [(Int64, Double)]) -> Bool {
        lhs.count == rhs.count
            && zip(lhs, rhs).allSatisfy { $0.0 == $1.0 && ($0.1 == $1.1 || ($0.1.isNaN && $1.1.isNaN)) }
    }

    @Test func fillModes() throws {
        #expect(Self.same(try Self.difference(fill: .dropNaN), [(153, 32 - 4.2), (203, 11.3 - 3)]))
        #expect(
            Self.same(
                try Self.difference(fill: .forward),
                [(69, 19.5 - 1.2), (153, 32 - 4.2), (203, 11.3 - 3), (251, 11.3 - 4.9)]))
        #expect(
            Self.same(
                try Self.difference(fill: .backward),
                [(34, 19.5 - 1.2), (69, 19.5 - 4.2), (153, 32 - 4.2), (203, 11.3 - 3)]))
        #expect(
            Self.same(
                try Self.difference(fill: .fullForward),
                [(34, 19.5 - 1.2), (69, 19.5 - 1.2), (153, 32 - 4.2), (203, 11.3 - 3), (251, 11.3 - 4.9)]))
        #expect(
            Self.same(
                try Self.difference(fill: .fullBackward),
                [(34, 19.5 - 1.2), (69, 19.5 - 4.2), (153, 32 - 4.2), (203, 11.3 - 3), (251, 11.3 - 4.9)]))
        #expect(
            Self.same(
                try Self.difference(fill: .null),
                [(34, .nan), (69, .nan), (153, 32 - 4.2), (203, 11.3 - 3), (251, .nan)]))
        #expect(
            Self.same(
                try Self.difference(fill: .value(0)),
                [(34, -1.2), (69, 19.5), (153, 32 - 4.2), (203, 11.3 - 3), (251, -4.9)]))
        // No fill: cut to where both have points, all of which overlap.
        #expect(Self.same(try Self.difference(fill: nil), [(153, 32 - 4.2), (203, 11.3 - 3)]))
    }

    @Test func overlap() throws {
        let policy = try Self.policy([1])
        let references = [Self.reference(1, policy), Self.reference(2, policy)]
        let both = Operation.metric(references.map(\.key), single: false)
        var query = CrossMetricQuery(references: references, operation: both, granularities: [.seconds(1)])
        #expect(
            throws: QueryError.unaggregable(
                detail: [
                    [.text(references[0].key.name), .text("mean")],
                    [.text(references[1].key.name), .text("mean")],
                ], reason: "No overlap")
        ) {
            try query.evaluate([(.seconds(1), [Self.series([(1, 1)]), Self.series([(2, 1)])])])
        }
        query.start = Timestamp(nanoseconds: 0)
        let message = "Less than 100.000000% of datapoints overlap in this timespan (66.67%)"
        #expect(
            throws: QueryError.unaggregable(
                detail: [
                    [.text(references[0].key.name), .text("mean")],
                    [.text(references[1].key.name), .text("mean")],
                ], reason: message)
        ) {
            try query.evaluate([
                (.seconds(1), [Self.series([(1, 1), (2, 2), (3, 3)]), Self.series([(2, 1), (3, 1)])])
            ])
        }
        query.neededOverlap = 50
        guard
            case .perReference(let groups) = try query.evaluate([
                (.seconds(1), [Self.series([(1, 1), (2, 2), (3, 3)]), Self.series([(2, 1), (3, 1)])])
            ])
        else {
            Issue.record("aggregated")
            return
        }
        #expect(groups.map(\.name) == references.map(\.key.name))
        #expect(groups[1].aggregations[0].series[0].points.count == 3)
        #expect(groups[1].aggregations[0].series[0].points.values[0].isNaN)
    }

    @Test func granularityPlanning() throws {
        let both = try Self.policy([1, 60])
        let coarse = try Self.policy([60, 300])
        let references = [Self.reference(1, both), Self.reference(2, coarse)]
        let operation = Operation.metric(references.map(\.key), single: false)
        #expect(
            try CrossMetricQuery(references: references, operation: operation).plannedGranularities() == [
                .seconds(60)
            ])
        let other = [Self.reference(1, both), Self.reference(2, try Self.policy([5]))]
        #expect(
            throws: QueryError.unaggregable(
                detail: other.map { [.text($0.key.name), .text("mean")] }, reason: "No granularity match")
        ) {
            try CrossMetricQuery(references: other, operation: operation).plannedGranularities()
        }
        #expect(
            throws: QueryError.unaggregable(
                detail: [[.text(references[0].key.name), .text("mean"), .seconds(300)]],
                reason: "Granularities are missing")
        ) {
            try CrossMetricQuery(references: references, operation: operation, granularities: [.seconds(300)])
                .plannedGranularities()
        }
        let unknown = [Self.reference(1, both, aggregation: "what?")]
        #expect(
            throws: QueryError.aggregationDoesNotExist(
                metric: unknown[0].metric, method: "what?", granularity: .seconds(1))
        ) {
            try CrossMetricQuery(references: unknown, operation: operation).plannedGranularities()
        }
    }

    @Test func runReadsEveryGranularityCoarsestFirst() async throws {
        let policy = try Self.policy([1, 60])
        let references = [Self.reference(1, policy)]
        let query = CrossMetricQuery(
            references: references, operation: .metric(references.map(\.key), single: true))
        let result = try await query.run { request in
            Self.series([(60, Double(request.granularity.nanoseconds / Self.second))])
        }
        guard case .perReference(let groups) = result else {
            Issue.record("aggregated")
            return
        }
        #expect(groups[0].aggregations[0].series.map(\.granularity) == [.seconds(60), .seconds(1)])
        #expect(groups[0].aggregations[0].series.map(\.points.values) == [[60], [1]])
    }

    /// A query over more references than a request may name (the resource mode, where
    /// the index decides how many metrics match) runs: the limit is the API's.
    @Test func manyReferences() async throws {
        let policy = try Self.policy([1])
        let references = (1...2_500).map { Self.reference($0, policy) }
        let query = CrossMetricQuery(
            references: references,
            operation: .aggregate(
                CrossAggregation(method: .mean), .metric(references.map(\.key), single: false)),
            granularities: [.seconds(1)], fill: .dropNaN)
        let result = try await query.run { request in
            Self.series([(1, Double(request.metric.low)), (2, 1)])
        }
        guard case .aggregated(let series) = result else {
            Issue.record("expected an aggregated result")
            return
        }
        #expect(series.first?.points.values == [1250.5, 1])
    }
}
