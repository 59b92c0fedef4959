import RondoneIndexer
import RondoneTesting
import RondoneTimeSeries
import Testing

extension IndexerChecks {
    func metricCreateByPolicy() async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        var random = random
        let id = random.metricID()
        let created = try await indexer.createMetric(
            MetricCreation(id: id, creator: "foo:bar", archivePolicyName: "low", name: "cpu", unit: "ns"))
        #expect(
            created == Metric(id: id, archivePolicyName: "low", creator: "foo:bar", name: "cpu", unit: "ns"))
        #expect(try await indexer.metric(id) == created)
        #expect(created.createdByUserID == "foo" && created.createdByProjectID == "bar")
        let basic = Metric(id: id, archivePolicyName: "low", creator: "admin")
        #expect(basic.createdByUserID == "admin" && basic.createdByProjectID == "")
        let anonymous = Metric(id: id, archivePolicyName: "low", creator: nil)
        #expect(anonymous.createdByUserID == nil && anonymous.createdByProjectID == nil)
        #expect(try await indexer.metric(random.metricID()) == nil)
    }

    func metricCreateByRule() async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        try await indexer.createArchivePolicy(try policy("high"))
        var random = random
        await expectIndexerError(.noArchivePolicyRuleMatch(metricName: "cpu")) {
            try await indexer.createMetric(MetricCreation(id: random.metricID(), creator: "a", name: "cpu"))
        }
        #expect(
            IndexerError.noArchivePolicyRuleMatch(metricName: nil).message
                == "No archive policy name specified and no archive policy rule found matching the metric name None"
        )
        try await indexer.createArchivePolicyRule(rule("all", "*", "low"))
        try await indexer.createArchivePolicyRule(rule("cpu", "cpu*", "high"))
        let cpu = try await indexer.createMetric(
            MetricCreation(id: random.metricID(), creator: "a", name: "cpu.util"))
        #expect(cpu.archivePolicyName == "high")
        let unnamed = try await indexer.createMetric(MetricCreation(id: random.metricID(), creator: "a"))
        #expect(unnamed.archivePolicyName == "low")
    }

    func metricCreateErrors() async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        var random = random
        await expectIndexerError(.noSuchArchivePolicy("nope")) {
            try await indexer.createMetric(
                MetricCreation(id: random.metricID(), creator: "a", archivePolicyName: "nope"))
        }
        let longUnit = String(repeating: "u", count: 32)
        await expectIndexerError(
            .invalidInput(
                reason: "length of value must be at most 31 for dictionary value @ data['unit']",
                detail: ["unit"])
        ) {
            try await indexer.createMetric(
                MetricCreation(id: random.metricID(), creator: "a", archivePolicyName: "low", unit: longUnit))
        }
        // 31 characters (not bytes) is fine.
        try await indexer.createMetric(
            MetricCreation(
                id: random.metricID(), creator: "a", archivePolicyName: "low",
                unit: String(repeating: "é", count: 31)))
        await expectIndexerError(.slashInMetricName) {
            try await indexer.createMetric(
                MetricCreation(id: random.metricID(), creator: "a", archivePolicyName: "low", name: "a/b"))
        }
        #expect(IndexerError.slashInMetricName.message == "'/' is not supported in metric name")
        #expect(try await indexer.metrics(MetricQuery()).count == 1)
    }

    func metricNamedOnResource() async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        var random = random
        let resource = random.resourceID()
        let other = random.resourceID()
        await expectIndexerError(.noSuchResource(resource.description)) {
            try await indexer.createMetric(
                MetricCreation(
                    id: random.metricID(), creator: "a", archivePolicyName: "low", name: "cpu",
                    resourceID: resource))
        }
        try await makeResource(resource)
        try await makeResource(other)
        try await indexer.createMetric(
            MetricCreation(
                id: random.metricID(), creator: "a", archivePolicyName: "low", name: "cpu",
                resourceID: resource))
        await expectIndexerError(.namedMetricAlreadyExists("cpu")) {
            try await indexer.createMetric(
                MetricCreation(
                    id: random.metricID(), creator: "a", archivePolicyName: "low", name: "cpu",
                    resourceID: resource))
        }
        // Same name elsewhere, or without a resource, is fine.
        try await indexer.createMetric(
            MetricCreation(
                id: random.metricID(), creator: "a", archivePolicyName: "low", name: "cpu", resourceID: other)
        )
        try await indexer.createMetric(
            MetricCreation(id: random.metricID(), creator: "a", archivePolicyName: "low", name: "cpu"))
        try await indexer.createMetric(
            MetricCreation(id: random.metricID(), creator: "a", archivePolicyName: "low", name: "cpu"))
        #expect(try await indexer.metrics(MetricQuery(filters: [.init(.name, equals: "cpu")])).count == 4)
        let onResource = try await indexer.metrics(
            MetricQuery(filters: [.init(.resourceID, equals: resource.description)]))
        #expect(onResource.count == 1 && onResource[0].resourceID == resource)
    }

    func metricDeleteAndPurge() async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        var random = random
        let resource = random.resourceID()
        try await makeResource(resource)
        let metrics = (0..<3).map { _ in random.metricID() }
        for (n, id) in metrics.enumerated() {
            try await indexer.createMetric(
                MetricCreation(
                    id: id, creator: "a", archivePolicyName: "low", name: "m\(n)", resourceID: resource))
        }
        try await indexer.deleteMetric(metrics[0])
        #expect(try await indexer.metric(metrics[0]) == nil)
        await expectIndexerError(.noSuchMetric(metrics[0].description)) {
            try await indexer.deleteMetric(metrics[0])
        }
        #expect(try await indexer.metricsPendingDeletion(limit: 10) == [metrics[0]])
        // The name on the resource is free again (the deleted metric left its resource).
        try await indexer.createMetric(
            MetricCreation(
                id: random.metricID(), creator: "a", archivePolicyName: "low", name: "m0",
                resourceID: resource))
        // Gnocchi's status filter applies on top of the active-only listing.
        #expect(try await indexer.metrics(MetricQuery(filters: [.init(.status, equals: "delete")])).isEmpty)
        let deleted = try await indexer.metrics(MetricQuery(status: .delete))
        #expect(
            deleted.map(\.id) == [metrics[0]] && deleted[0].resourceID == nil && deleted[0].status == .delete)
        try await indexer.purgeMetric(metrics[0])
        #expect(try await indexer.metricsPendingDeletion(limit: 10).isEmpty)
        await expectIndexerError(.noSuchMetric(metrics[0].description)) {
            try await indexer.purgeMetric(metrics[0])
        }
        #expect(IndexerError.noSuchMetric("x").message == "Metric x does not exist")
        let many = (0..<5).map { _ in random.metricID() }
        for id in many {
            try await indexer.createMetric(MetricCreation(id: id, creator: "a", archivePolicyName: "low"))
            try await indexer.deleteMetric(id)
        }
        #expect(try await indexer.metricsPendingDeletion(limit: 3) == Array(many.sorted().prefix(3)))
    }

    func metricListFilters() async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        try await indexer.createArchivePolicy(try policy("high"))
        var random = random
        let rows: [(String?, String?, String?, String)] = [
            ("cpu", "ns", "admin", "low"), ("cpu", nil, "foo:proj", "high"), ("mem", "B", "bar:proj", "low"),
            (nil, nil, "baz:other", "low"), ("disk", "B", "x:my_proj", "low"),
        ]
        var ids: [MetricID] = []
        for (name, unit, creator, policyName) in rows {
            let id = random.metricID()
            ids.append(id)
            try await indexer.createMetric(
                MetricCreation(
                    id: id, creator: creator, archivePolicyName: policyName, name: name, unit: unit))
        }
        func names(_ filters: [MetricFilter], project: String? = nil) async throws -> Set<String?> {
            Set(
                try await indexer.metrics(MetricQuery(filters: filters, createdByProjectID: project)).map(
                    \.name))
        }
        #expect(try await names([.init(.name, equals: "cpu")]) == ["cpu"])
        #expect(try await indexer.metrics(MetricQuery(filters: [.init(.name, equals: "cpu")])).count == 2)
        #expect(try await names([.init(.unit, equals: "B")]) == ["mem", "disk"])
        #expect(try await names([.init(.creator, equals: "admin")]) == ["cpu"])
        #expect(try await names([.init(.archivePolicyName, equals: "high")]) == ["cpu"])
        #expect(try await names([.init(.name, equals: "cpu"), .init(.unit, equals: "ns")]) == ["cpu"])
        #expect(try await names([.init(.id, equals: ids[3].description.uppercased())]) == [nil])
        #expect(try await names([.init(.id, equals: "not-a-uuid")]).isEmpty)
        #expect(try await names([.init(.status, equals: "active")]).count == 4)
        // Owner filter: creator ending in ":proj", with no LIKE wildcards.
        #expect(try await names([], project: "proj") == ["cpu", "mem"])
        #expect(try await names([], project: "my_proj") == ["disk"])
        #expect(try await names([], project: "_proj").isEmpty)
        #expect(try await names([], project: "PROJ").isEmpty)

        // --strict-isolation: created by the caller, by the caller's project, or attached
        // to a resource the caller's project owns.
        let owned = random.resourceID()
        _ = try await indexer.createResource(
            ResourceCreation(
                id: owned, originalResourceID: owned.description, creator: "admin", projectID: "other",
                metrics: [("net", .new(id: random.metricID(), archivePolicyName: "low", unit: nil))]))
        func visible(_ creator: String, _ project: String?) async throws -> Set<String?> {
            Set(
                try await indexer.metrics(
                    MetricQuery(visibleTo: MetricVisibility(creator: creator, project: project))
                )
                .map(\.name))
        }
        #expect(try await visible("admin", nil) == ["cpu", "net"])
        #expect(try await visible("foo:proj", "proj") == ["cpu", "mem"])
        #expect(try await visible("nobody:other", "other") == [nil, "net"])
        #expect(try await visible("nobody", nil).isEmpty)
        #expect(try await visible("nobody:_proj", "_proj").isEmpty)
    }
}
