import RondoneIndexer
import RondoneTesting
import RondoneTimeSeries
import Testing

extension IndexerChecks {
    /// A generic resource with `id` as its original id, created by `creator`.
    @discardableResult
    func makeResource(
        _ id: ResourceID, creator: String = "a", startedAt: Timestamp? = nil, userID: String? = nil,
        metrics: [(name: String, spec: ResourceMetricSpec)] = []
    ) async throws -> Resource {
        try await indexer.createResource(
            ResourceCreation(
                id: id, originalResourceID: id.description, creator: creator, userID: userID,
                startedAt: startedAt,
                metrics: metrics))
    }

    func resourceCreateGetDelete() async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        var random = random
        let id = random.resourceID()
        let start = Timestamp(nanoseconds: 1_388_714_522_000_000_000)
        let created = try await indexer.createResource(
            ResourceCreation(
                id: id, originalResourceID: "host-1", creator: "u:p", userID: "u", projectID: "p",
                startedAt: start))
        #expect(
            created.originalResourceID == "host-1" && created.startedAt == start && created.endedAt == nil)
        #expect(created.revision == Resource.currentRevision && created.revisionEnd == nil)
        #expect(created.createdByUserID == "u" && created.createdByProjectID == "p")
        #expect(try await indexer.resource(id, type: "generic") == created)
        #expect(try await indexer.resource(random.resourceID(), type: "generic") == nil)
        await expectIndexerError(.resourceAlreadyExists(id.description)) { try await makeResource(id) }
        await expectIndexerError(.noSuchResourceType("nope")) {
            _ = try await indexer.resource(id, type: "nope")
        }
        await expectIndexerError(.resourceStartAfterEnd) {
            _ = try await indexer.createResource(
                ResourceCreation(
                    id: random.resourceID(), originalResourceID: "x", creator: "a", startedAt: start,
                    endedAt: Timestamp(nanoseconds: start.nanoseconds - 1)))
        }
        try await indexer.deleteResource(id)
        #expect(try await indexer.resource(id, type: "generic") == nil)
        await expectIndexerError(.noSuchResource(id.description)) { try await indexer.deleteResource(id) }
        #expect(try await indexer.resourceTypes() == [ResourceType(name: "generic")])
    }

    func resourceMetrics() async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        var random = random
        let id = random.resourceID()
        let cpu = random.metricID()
        let loose = try await indexer.createMetric(
            MetricCreation(id: random.metricID(), creator: "a", archivePolicyName: "low"))
        let foreign = try await indexer.createMetric(
            MetricCreation(id: random.metricID(), creator: "b", archivePolicyName: "low"))
        // A refused metric leaves no resource behind.
        await expectIndexerError(.noSuchArchivePolicy("nope")) {
            try await makeResource(
                id, metrics: [("cpu", .new(id: cpu, archivePolicyName: "nope", unit: nil))])
        }
        #expect(try await indexer.resource(id, type: "generic") == nil)
        await expectIndexerError(.noSuchMetric(foreign.id.description)) {
            try await makeResource(id, metrics: [("other", .existing(foreign.id))])
        }
        let created = try await makeResource(
            id,
            metrics: [
                ("cpu", .new(id: cpu, archivePolicyName: "low", unit: "%")), ("mem", .existing(loose.id)),
            ])
        #expect(created.metrics == ["cpu": cpu, "mem": loose.id])
        #expect(try await indexer.metric(resource: id, named: "mem")?.id == loose.id)
        #expect(try await indexer.metric(resource: id, named: "cpu")?.unit == "%")

        // Appending keeps the others; a taken name is refused; replacing detaches.
        var append = ResourceUpdate()
        append.appendMetrics = true
        append.metrics = [("disk", .new(id: random.metricID(), archivePolicyName: "low", unit: nil))]
        #expect(try await indexer.updateResource(id, type: "generic", append).metrics.count == 3)
        append.metrics = [("disk", .new(id: random.metricID(), archivePolicyName: "low", unit: nil))]
        await expectIndexerError(.namedMetricAlreadyExists("disk")) {
            _ = try await indexer.updateResource(id, type: "generic", append)
        }
        var replace = ResourceUpdate()
        replace.metrics = [("cpu", .existing(cpu))]
        #expect(try await indexer.updateResource(id, type: "generic", replace).metrics == ["cpu": cpu])
        #expect(try await indexer.metric(loose.id)?.resourceID == nil)

        // Deleting the resource deletes its metrics.
        try await indexer.deleteResource(id)
        #expect(try await indexer.metric(cpu) == nil)
        #expect(try await indexer.metricsPendingDeletion(limit: 10).contains(cpu))
        #expect(try await indexer.metric(loose.id) != nil)
    }

    func resourceUpdateHistory() async throws {
        var random = random
        let id = random.resourceID()
        let created = try await makeResource(id, userID: "u1")
        var same = ResourceUpdate()
        same.userID = .set("u1")
        #expect(!same.changesAttributes(of: created))
        var change = ResourceUpdate()
        change.userID = .set("u2")
        change.endedAt = .set(Timestamp(nanoseconds: created.startedAt.nanoseconds + 1000))
        let updated = try await indexer.updateResource(id, type: "generic", change)
        #expect(updated.userID == "u2" && updated.revisionStart >= created.revisionStart)
        var bad = ResourceUpdate()
        bad.startedAt = .set(Timestamp(nanoseconds: created.startedAt.nanoseconds + 2000))
        await expectIndexerError(.resourceStartAfterEnd) {
            _ = try await indexer.updateResource(id, type: "generic", bad)
        }
        let unknown = random.resourceID()
        await expectIndexerError(.noSuchResource(unknown.description)) {
            _ = try await indexer.updateResource(unknown, type: "generic", change)
        }
        // History: the current row (revision -1) and the replaced one (revision 1).
        let thisOne = ResourceFilter.compare(attribute: "id", .eq, .uuid(id.description))
        let history = try await indexer.resources(
            ResourceQuery(history: true, filter: thisOne, sorts: [ResourceSort(.revision)]))
        #expect(history.map(\.userID) == ["u2", "u1"])
        #expect(history.map(\.revision) == [Resource.currentRevision, 1])
        #expect(history[1].revisionEnd == updated.revisionStart && history[0].revisionEnd == nil)
        let page = try await indexer.resources(
            ResourceQuery(
                history: true, filter: thisOne, sorts: [ResourceSort(.revision)], marker: "\(id)@-1"))
        #expect(page.map(\.revision) == [1])
        // An unchanged PATCH with metrics only makes no revision.
        var metricsOnly = ResourceUpdate()
        metricsOnly.metrics = []
        _ = try await indexer.updateResource(id, type: "generic", metricsOnly)
        #expect(try await indexer.resources(ResourceQuery(history: true, filter: thisOne)).count == 2)
    }

    func resourceListSortAndPages() async throws {
        var random = random
        var ids: [ResourceID] = []
        for index in 0..<5 {
            let id = random.resourceID()
            ids.append(id)
            try await makeResource(
                id, startedAt: Timestamp(nanoseconds: Int64(10 - index) * 1_000_000_000),
                userID: index % 2 == 0 ? "even" : nil)
        }
        let byStart = try await indexer.resources(ResourceQuery(sorts: [ResourceSort(.startedAt)]))
        #expect(byStart.map(\.id) == ids.reversed())
        let first = try await indexer.resources(ResourceQuery(sorts: [ResourceSort(.startedAt)], limit: 2))
        let next = try await indexer.resources(
            ResourceQuery(sorts: [ResourceSort(.startedAt)], limit: 2, marker: first.last!.id.description))
        #expect((first + next).map(\.id) == Array(ids.reversed().prefix(4)))
        await expectIndexerError(.invalidPagination("Invalid marker: `nope'")) {
            _ = try await indexer.resources(ResourceQuery(marker: "nope"))
        }
        await expectIndexerError(.invalidPagination("Sort key supplied is invalid: revision_end")) {
            _ = try await indexer.resources(ResourceQuery(sorts: [ResourceSort(.revisionEnd)]))
        }
        let byUser = try await indexer.resources(ResourceQuery(sorts: [ResourceSort(.userID, .descending)]))
        // Descending puts nulls first, as PostgreSQL does.
        #expect(byUser.prefix(2).allSatisfy { $0.userID == nil })
    }
}
