import RondoneIndexer
import RondoneTesting
import RondoneTimeSeries
import Testing

extension IndexerChecks {
    func rule(_ name: String, _ pattern: String, _ policyName: String = "low") -> ArchivePolicyRule {
        ArchivePolicyRule(name: name, metricPattern: pattern, archivePolicyName: policyName)
    }

    func ruleCreateGetList() async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        // Listed by pattern descending (byte order), then name: as Gnocchi's reference
        // listed these same patterns.
        let patterns = ["h-index.A*", "h-index.a*", "h-index-b*", "h-index_c*", "h-index*", "h-indexZ*", "*"]
        for pattern in patterns { try await indexer.createArchivePolicyRule(rule("r" + pattern, pattern)) }
        try await indexer.createArchivePolicyRule(rule("a-same", "*"))
        #expect(
            try await indexer.archivePolicyRules().map(\.metricPattern) == [
                "h-index_c*", "h-indexZ*", "h-index.a*", "h-index.A*", "h-index-b*", "h-index*", "*", "*",
            ])
        #expect(try await indexer.archivePolicyRules().suffix(2).map(\.name) == ["a-same", "r*"])
        #expect(try await indexer.archivePolicyRule(named: "rh-index*") == rule("rh-index*", "h-index*"))
        #expect(try await indexer.archivePolicyRule(named: "nope") == nil)
    }

    func ruleErrors() async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        try await indexer.createArchivePolicyRule(rule("r", "a*"))
        await expectIndexerError(.archivePolicyRuleAlreadyExists("r")) {
            try await indexer.createArchivePolicyRule(rule("r", "b*", "missing"))
        }
        await expectIndexerError(.noSuchArchivePolicy("missing")) {
            try await indexer.createArchivePolicyRule(rule("s", "b*", "missing"))
        }
        await expectIndexerError(.noSuchArchivePolicyRule("✔éñ☃")) {
            try await indexer.deleteArchivePolicyRule(named: "✔éñ☃")
        }
        #expect(
            IndexerError.noSuchArchivePolicyRule("✔éñ☃").message == "Archive policy rule ✔éñ☃ does not exist")
        #expect(
            IndexerError.archivePolicyRuleAlreadyExists("r").message == "Archive policy rule r already exists"
        )
        #expect(try await indexer.archivePolicyRules() == [rule("r", "a*")])
    }

    func ruleRename() async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        try await indexer.createArchivePolicyRule(rule("a", "a*"))
        try await indexer.createArchivePolicyRule(rule("b", "b*"))
        #expect(try await indexer.renameArchivePolicyRule(named: "a", to: "a2") == rule("a2", "a*"))
        #expect(try await indexer.archivePolicyRule(named: "a") == nil)
        #expect(try await indexer.archivePolicyRule(named: "a2") == rule("a2", "a*"))
        #expect(try await indexer.renameArchivePolicyRule(named: "b", to: "b") == rule("b", "b*"))
        await expectIndexerError(.archivePolicyRuleRenameConflict(rule: "a2", newName: "b")) {
            _ = try await indexer.renameArchivePolicyRule(named: "a2", to: "b")
        }
        #expect(
            IndexerError.archivePolicyRuleRenameConflict(rule: "test_rule3", newName: "test_rule3_renamed")
                .message
                == "Archive policy rule test_rule3 does not support change: "
                + "Archive policy rule test_rule3_renamed already exists.")
        await expectIndexerError(.noSuchArchivePolicyRule("zz")) {
            _ = try await indexer.renameArchivePolicyRule(named: "zz", to: "yy")
        }
    }

    func ruleMatching() async throws {
        for name in ["low", "medium", "high", "none"] {
            try await indexer.createArchivePolicy(try policy(name))
        }
        #expect(try await indexer.archivePolicyRule(forMetricName: "x") == nil)
        try await indexer.createArchivePolicyRule(rule("default", "*", "low"))
        try await indexer.createArchivePolicyRule(rule("disk", "disk.*", "medium"))
        try await indexer.createArchivePolicyRule(rule("disk-io", "disk.io.*", "high"))
        try await indexer.createArchivePolicyRule(rule("set", "cpu[0-9]", "none"))
        func policyName(_ name: String?) async throws -> String? {
            try await indexer.archivePolicyRule(forMetricName: name)?.archivePolicyName
        }
        #expect(try await policyName("disk.io.rate") == "high")  // the longer pattern first
        #expect(try await policyName("disk.usage") == "medium")
        #expect(try await policyName("cpu7") == "none")
        #expect(try await policyName("cpu77") == "low")  // `*` is the fallback
        #expect(try await policyName(nil) == "low")  // nil matches as ""
        #expect(try await policyName("Disk.usage") == "low")  // case-sensitive
    }

    func policyOfMetric() async throws {
        try await indexer.createArchivePolicy(try policy("p", [(60, 10), (3600, 5)]))
        var random = random
        let metric = random.metricID()
        let indexer = self.indexer
        func policyOf(_ id: MetricID) async throws -> ArchivePolicy? {
            try await indexer.archivePolicies(of: [id])[id]
        }
        try await indexer.createMetric(MetricCreation(id: metric, creator: "admin", archivePolicyName: "p"))
        #expect(try await policyOf(metric) == (try policy("p", [(60, 10), (3600, 5)])))
        #expect(try await policyOf(random.metricID()) == nil)
        // A change is seen at once (the cache follows the catalog generation).
        let definition = [
            try ArchivePolicyItem(granularity: .minutes(1), points: 99),
            try ArchivePolicyItem(granularity: .hours(1), points: 5),
        ]
        _ = try await indexer.updateArchivePolicy(named: "p", definition: definition, backWindow: 4)
        #expect(try await policyOf(metric)?.definition == definition)
        #expect(try await policyOf(metric)?.backWindow == 4)
        // Many at once (metricd's lookup for a whole claim): unknown and deleted
        // metrics are left out, the rest have their own policy, past a 500-id chunk.
        try await indexer.createArchivePolicy(try policy("q", [(1, 10)]))
        var others: [MetricID] = []
        for number in 0..<501 {
            let id = random.metricID()
            try await indexer.createMetric(
                MetricCreation(id: id, creator: "admin", archivePolicyName: number % 2 == 0 ? "p" : "q"))
            others.append(id)
        }
        try await indexer.deleteMetric(others[7])
        let unknown = random.metricID()
        let many = try await indexer.archivePolicies(of: [unknown, metric] + others)
        let p = try #require(try await indexer.archivePolicy(named: "p"))
        let q = try #require(try await indexer.archivePolicy(named: "q"))
        #expect(many.count == 501 && many[unknown] == nil && many[others[7]] == nil)
        #expect(many[metric] == p)
        for (number, id) in others.enumerated() where number != 7 {
            #expect(many[id] == (number % 2 == 0 ? p : q))
        }
        #expect(try await indexer.archivePolicies(of: []).isEmpty)
        try await indexer.deleteMetric(metric)
        #expect(try await policyOf(metric) == nil)
    }

    func concurrentCreates() async throws {
        let indexer = self.indexer
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    do {
                        try await indexer.createArchivePolicy(try policy("race"))
                        return true
                    } catch IndexerError.archivePolicyAlreadyExists("race") {
                        return false
                    }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
        let ruleOutcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    do {
                        try await indexer.createArchivePolicyRule(
                            ArchivePolicyRule(name: "race", metricPattern: "*", archivePolicyName: "race"))
                        return true
                    } catch IndexerError.archivePolicyRuleAlreadyExists("race") {
                        return false
                    }
                }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(ruleOutcomes.filter { $0 }.count == 1)
        #expect(try await indexer.archivePolicyRules().count == 1)
    }
}
