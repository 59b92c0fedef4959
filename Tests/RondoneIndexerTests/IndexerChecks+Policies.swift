import RondoneIndexer
import RondoneTesting
import RondoneTimeSeries
import Testing

/// The checks of `IndexerContract`, one method per `Check`.
struct IndexerChecks {
    let indexer: any Indexer
    var random: SplitMix64

    mutating func run(_ check: IndexerContract.Check) async throws {
        switch check {
        case .policyCreateGetList: try await policyCreateGetList()
        case .policyAlreadyExists: try await policyAlreadyExists()
        case .policyUpdate: try await policyUpdate()
        case .policyUpdateRefused: try await policyUpdateRefused()
        case .policyBackWindowShrink: try await policyBackWindowShrink()
        case .policyDelete: try await policyDelete()
        case .policyInUse: try await policyInUse()
        case .defaultPolicies: try await defaultPolicies()
        case .ruleCreateGetList: try await ruleCreateGetList()
        case .ruleErrors: try await ruleErrors()
        case .ruleRename: try await ruleRename()
        case .ruleMatching: try await ruleMatching()
        case .metricCreateByPolicy: try await metricCreateByPolicy()
        case .metricCreateByRule: try await metricCreateByRule()
        case .metricCreateErrors: try await metricCreateErrors()
        case .metricNamedOnResource: try await metricNamedOnResource()
        case .metricDeleteAndPurge: try await metricDeleteAndPurge()
        case .metricListFilters: try await metricListFilters()
        case .metricListSortAndPages: try await metricListSortAndPages()
        case .metricListNulls: try await metricListNulls()
        case .metricListErrors: try await metricListErrors()
        case .policyOfMetric: try await policyOfMetric()
        case .concurrentCreates: try await concurrentCreates()
        case .resourceCreateGetDelete: try await resourceCreateGetDelete()
        case .resourceMetrics: try await resourceMetrics()
        case .resourceUpdateHistory: try await resourceUpdateHistory()
        case .resourceListSortAndPages: try await resourceListSortAndPages()
        case .typeCreateGetDelete: try await typeCreateGetDelete()
        case .typedResources: try await typedResources()
        case .typeSchemaChange: try await typeSchemaChange()
        case .searchOperators: try await searchOperators()
        case .searchLike: try await searchLike()
        case .searchErrors: try await searchErrors()
        case .searchHistory: try await searchHistory()
        case .searchSortAndPages: try await searchSortAndPages()
        case .batchDelete: try await batchDelete()
        }
    }

    func policyCreateGetList() async throws {
        #expect(try await indexer.archivePolicies().isEmpty)
        let low = try policy("low", [(300, 8640)])
        let all = try policy("all", backWindow: 2, [(1, 60), (60, 60)], methods: ["*"])
        let none = try policy("none", methods: ["-mean", "-min", "-max", "-sum", "-std", "-count"])
        #expect(none.aggregationMethods.isEmpty)
        for item in [low, all, none] { try await indexer.createArchivePolicy(item) }
        #expect(try await indexer.archivePolicy(named: "low") == low)
        #expect(try await indexer.archivePolicy(named: "all") == all)
        #expect(try await indexer.archivePolicy(named: "none") == none)
        #expect(try await indexer.archivePolicy(named: "LOW") == nil)
        #expect(try await indexer.archivePolicies().map(\.name) == ["low", "all", "none"])
        // Gnocchi accepts any string as a name.
        let odd = try policy("✔éñ☃/ x")
        try await indexer.createArchivePolicy(odd)
        #expect(try await indexer.archivePolicy(named: "✔éñ☃/ x") == odd)
    }

    func policyAlreadyExists() async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        await expectIndexerError(.archivePolicyAlreadyExists("low")) {
            try await indexer.createArchivePolicy(try policy("low", [(1, 5)]))
        }
        #expect(try await indexer.archivePolicy(named: "low") == (try policy("low")))
        #expect(IndexerError.archivePolicyAlreadyExists("low").message == "Archive policy low already exists")
    }

    func policyUpdate() async throws {
        try await indexer.createArchivePolicy(try policy("p", backWindow: 3, [(60, 10), (3600, 24)]))
        let definition = [
            try ArchivePolicyItem(granularity: .hours(1), points: 48),
            try ArchivePolicyItem(granularity: .minutes(1), points: 20),
        ]
        let updated = try await indexer.updateArchivePolicy(
            named: "p", definition: definition, backWindow: nil)
        #expect(updated.definition == definition)
        #expect(updated.backWindow == 3)
        #expect(try await indexer.archivePolicy(named: "p") == updated)
        let again = try await indexer.updateArchivePolicy(named: "p", definition: definition, backWindow: 5)
        #expect(again.backWindow == 5)
        #expect(try await indexer.archivePolicy(named: "p")?.backWindow == 5)
        await expectIndexerError(.noSuchArchivePolicy("q")) {
            _ = try await indexer.updateArchivePolicy(named: "q", definition: definition, backWindow: nil)
        }
    }

    func policyUpdateRefused() async throws {
        let original = try policy("p", [(60, 10), (3600, 24)])
        try await indexer.createArchivePolicy(original)
        let dropped = [try ArchivePolicyItem(granularity: .minutes(1), points: 20)]
        await expectIndexerError(
            .invalidArchivePolicy(.unsupportedChange(policy: "p", reason: "Cannot add or drop granularities"))
        ) {
            _ = try await indexer.updateArchivePolicy(named: "p", definition: dropped, backWindow: nil)
        }
        let changed = [
            try ArchivePolicyItem(granularity: .minutes(2), points: 20),
            try ArchivePolicyItem(granularity: .hours(1), points: 20),
        ]
        await expectIndexerError(
            .invalidArchivePolicy(
                .unsupportedChange(policy: "p", reason: "60.0 granularity interval was changed"))
        ) {
            _ = try await indexer.updateArchivePolicy(named: "p", definition: changed, backWindow: 9)
        }
        #expect(
            IndexerError.invalidArchivePolicy(.unsupportedChange(policy: "p", reason: "x")).message
                == "Archive policy p does not support change: x")
        #expect(try await indexer.archivePolicy(named: "p") == original)
    }

    func policyBackWindowShrink() async throws {
        try await indexer.createArchivePolicy(try policy("p", backWindow: 5))
        try await indexer.createArchivePolicy(try policy("other", backWindow: 5))
        var random = random
        let metric = random.metricID()
        let bystander = random.metricID()
        try await indexer.createMetric(MetricCreation(id: metric, creator: "admin", archivePolicyName: "p"))
        try await indexer.createMetric(
            MetricCreation(id: bystander, creator: "admin", archivePolicyName: "other"))
        #expect(try await indexer.metricsNeedingRawDataTruncation(limit: 10).isEmpty)
        let definition = try policy("p").definition
        _ = try await indexer.updateArchivePolicy(named: "p", definition: definition, backWindow: 7)
        #expect(try await indexer.metricsNeedingRawDataTruncation(limit: 10).isEmpty)
        _ = try await indexer.updateArchivePolicy(named: "p", definition: definition, backWindow: 0)
        #expect(try await indexer.metricsNeedingRawDataTruncation(limit: 10).isEmpty)  // 0 never truncates
        _ = try await indexer.updateArchivePolicy(named: "p", definition: definition, backWindow: 9)
        _ = try await indexer.updateArchivePolicy(named: "p", definition: definition, backWindow: 2)
        #expect(try await indexer.metricsNeedingRawDataTruncation(limit: 10) == [metric])
        try await indexer.clearRawDataTruncation(metric)
        #expect(try await indexer.metricsNeedingRawDataTruncation(limit: 10).isEmpty)
    }

    func policyDelete() async throws {
        try await indexer.createArchivePolicy(try policy("p"))
        try await indexer.deleteArchivePolicy(named: "p")
        #expect(try await indexer.archivePolicy(named: "p") == nil)
        await expectIndexerError(.noSuchArchivePolicy("p")) {
            try await indexer.deleteArchivePolicy(named: "p")
        }
        #expect(IndexerError.noSuchArchivePolicy("p").message == "Archive policy p does not exist")
        try await indexer.createArchivePolicy(try policy("p", [(1, 1)]))
        #expect(try await indexer.archivePolicy(named: "p")?.definition.first?.points == 1)
    }

    func policyInUse() async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        try await indexer.createArchivePolicyRule(
            ArchivePolicyRule(name: "r", metricPattern: "*", archivePolicyName: "low"))
        await expectIndexerError(.archivePolicyInUse("low")) {
            try await indexer.deleteArchivePolicy(named: "low")
        }
        try await indexer.deleteArchivePolicyRule(named: "r")
        var random = random
        let metric = random.metricID()
        try await indexer.createMetric(MetricCreation(id: metric, creator: "admin", archivePolicyName: "low"))
        await expectIndexerError(.archivePolicyInUse("low")) {
            try await indexer.deleteArchivePolicy(named: "low")
        }
        // A deleted metric still holds its policy until metricd purges it.
        try await indexer.deleteMetric(metric)
        await expectIndexerError(.archivePolicyInUse("low")) {
            try await indexer.deleteArchivePolicy(named: "low")
        }
        try await indexer.purgeMetric(metric)
        try await indexer.deleteArchivePolicy(named: "low")
        #expect(IndexerError.archivePolicyInUse("low").message == "Archive policy low is still in use")
    }

    func defaultPolicies() async throws {
        try await indexer.upgrade(createDefaultPolicies: true)
        #expect(try await indexer.archivePolicies() == ArchivePolicy.defaultPolicies)
        #expect(try await indexer.archivePolicyRules() == [.default])
        // Upgrading again (every start) changes nothing, even after edits.
        try await indexer.deleteArchivePolicyRule(named: "default")
        try await indexer.upgrade(createDefaultPolicies: true)
        #expect(try await indexer.archivePolicyRules().isEmpty)
        #expect(try await indexer.archivePolicies().count == 4)
    }
}
