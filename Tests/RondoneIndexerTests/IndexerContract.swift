import RondoneIndexer
import RondoneTesting
import RondoneTimeSeries
import Testing

/// The behaviour every `Indexer` driver must have: give it a factory of fresh, upgraded,
/// empty indexers (no default policies) and run each `Check`.
struct IndexerContract: Sendable {
    let makeIndexer: @Sendable () async throws -> any Indexer
    let dispose: @Sendable (any Indexer) async -> Void

    enum Check: String, CaseIterable, Sendable {
        case policyCreateGetList, policyAlreadyExists, policyUpdate, policyUpdateRefused,
            policyBackWindowShrink,
            policyDelete, policyInUse, defaultPolicies, ruleCreateGetList, ruleErrors, ruleRename,
            ruleMatching, metricCreateByPolicy, metricCreateByRule, metricCreateErrors, metricNamedOnResource,
            metricDeleteAndPurge, metricListFilters, metricListSortAndPages, metricListNulls,
            metricListErrors,
            policyOfMetric, concurrentCreates, resourceCreateGetDelete, resourceMetrics,
            resourceUpdateHistory,
            resourceListSortAndPages, typeCreateGetDelete, typedResources, typeSchemaChange, searchOperators,
            searchLike,
            searchErrors, searchHistory, searchSortAndPages, batchDelete
    }

    func run(_ check: Check) async throws {
        let indexer = try await makeIndexer()
        do {
            var checks = IndexerChecks(
                indexer: indexer, random: SplitMix64(seed: UInt64(check.hashValueStable)))
            try await checks.run(check)
        } catch {
            await dispose(indexer)
            throw error
        }
        await dispose(indexer)
    }
}

extension IndexerContract.Check {
    var hashValueStable: Int { (Self.allCases.firstIndex(of: self) ?? 0) + 1 }
}

/// Expects `body` to throw exactly `expected`.
func expectIndexerError(
    _ expected: IndexerError, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async {
    do {
        try await body()
        Issue.record("expected \(expected), nothing thrown", sourceLocation: sourceLocation)
    } catch let error as IndexerError {
        #expect(error == expected, sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(expected), got \(error)", sourceLocation: sourceLocation)
    }
}

func policy(
    _ name: String, backWindow: Int = 0, _ spans: [(Int64, Int)] = [(60, 10)], methods: [String]? = nil
)
    throws -> ArchivePolicy
{
    try ArchivePolicy(
        name: name, backWindow: backWindow,
        definition: spans.map { try ArchivePolicyItem(granularity: .seconds($0.0), points: $0.1) },
        aggregationMethods: methods)
}

extension SplitMix64 {
    mutating func metricID() -> MetricID { MetricID(high: next(), low: next()) }
    mutating func resourceID() -> ResourceID { ResourceID(high: next(), low: next()) }
}
