import RondoneIndexer
import RondoneTesting
import RondoneTimeSeries
import Testing

extension IndexerChecks {
    /// A type with one attribute of each kind (`new-optional-bool` checks quoting).
    static let instanceType = ResourceType(
        name: "instance",
        attributes: [
            ResourceTypeAttribute(name: "host", kind: .string(minLength: 0, maxLength: 255), required: true),
            ResourceTypeAttribute(name: "flavor", kind: .number(min: 0, max: nil), required: false),
            ResourceTypeAttribute(name: "image_ref", kind: .uuid, required: false),
            ResourceTypeAttribute(name: "new-optional-bool", kind: .bool, required: false),
            ResourceTypeAttribute(name: "launched_at", kind: .datetime, required: false),
        ])

    /// An `instance` resource (see ``instanceType``).
    @discardableResult
    func makeInstance(
        _ id: ResourceID, host: String, flavor: Double? = nil, creator: String = "u:p",
        projectID: String? = nil,
        startedAt: Timestamp? = nil, endedAt: Timestamp? = nil, extra: [String: AttributeValue] = [:]
    ) async throws -> Resource {
        var attributes = extra
        attributes["host"] = .string(host)
        if let flavor { attributes["flavor"] = .number(flavor) }
        return try await indexer.createResource(
            ResourceCreation(
                id: id, type: "instance", originalResourceID: id.description, creator: creator,
                projectID: projectID, startedAt: startedAt, endedAt: endedAt, attributes: attributes))
    }

    func typeCreateGetDelete() async throws {
        #expect(try await indexer.resourceType(named: "generic") == ResourceType(name: "generic"))
        #expect(try await indexer.resourceType(named: "instance") == nil)
        let created = try await indexer.createResourceType(Self.instanceType)
        #expect(created == Self.instanceType)
        #expect(try await indexer.resourceType(named: "instance") == Self.instanceType)
        #expect(try await indexer.resourceTypes() == [ResourceType(name: "generic"), Self.instanceType])
        await expectIndexerError(.resourceTypeAlreadyExists("instance")) {
            try await indexer.createResourceType(Self.instanceType)
        }
        await expectIndexerError(.resourceTypeAlreadyExists("generic")) {
            try await indexer.createResourceType(ResourceType(name: "generic"))
        }
        var random = random
        let id = random.resourceID()
        try await makeInstance(id, host: "h1")
        await expectIndexerError(.resourceTypeInUse("instance")) {
            try await indexer.deleteResourceType(named: "instance")
        }
        await expectIndexerError(.resourceTypeInUse("generic")) {
            try await indexer.deleteResourceType(named: "generic")
        }
        await expectIndexerError(.noSuchResourceType("nope")) {
            try await indexer.deleteResourceType(named: "nope")
        }
        await expectIndexerError(.noSuchResourceType("nope")) {
            _ = try await indexer.updateResourceType(named: "nope", ResourceTypeChange(removals: ["x"]))
        }
        try await indexer.deleteResource(id)
        try await indexer.deleteResourceType(named: "instance")
        #expect(try await indexer.resourceType(named: "instance") == nil)
        // A type created again under the same name starts empty.
        try await indexer.createResourceType(Self.instanceType)
        #expect(try await indexer.resources(ResourceQuery(type: "instance")).isEmpty)
    }

    /// Resources carry every attribute of their type (absent ones null), through their
    /// type and through `generic` with `details`; attribute changes make revisions whose
    /// history keeps the old values.
    func typedResources() async throws {
        try await indexer.createResourceType(Self.instanceType)
        var random = random
        let id = random.resourceID()
        let image = random.resourceID().description
        let launched = Timestamp(nanoseconds: 1_400_000_000_123_456_000)
        let created = try await makeInstance(
            id, host: "h1", flavor: 2,
            extra: [
                "image_ref": .uuid(image), "new-optional-bool": .bool(true),
                "launched_at": .datetime(launched),
            ])
        let expected: [String: AttributeValue] = [
            "host": .string("h1"), "flavor": .number(2), "image_ref": .uuid(image),
            "new-optional-bool": .bool(true),
            "launched_at": .datetime(launched),
        ]
        #expect(created.attributes == expected && created.type == "instance")
        #expect(try await indexer.resource(id, type: "instance") == created)
        // Gnocchi's generic view of a typed resource has the common fields only.
        #expect(try await indexer.resource(id, type: "generic")?.attributes == [:])
        let sparse = random.resourceID()
        let nulls = try await makeInstance(sparse, host: "h2")
        #expect(nulls.attributes["flavor"] == .null && nulls.attributes["launched_at"] == .null)
        #expect(nulls.attributes.count == 5)
        await expectIndexerError(.queryAttributeError(type: "instance", attribute: "nope")) {
            try await makeInstance(random.resourceID(), host: "h", extra: ["nope": .bool(true)])
        }

        let listed = try await indexer.resources(ResourceQuery(type: "instance"))
        #expect(Set(listed.map(\.attributes)) == [expected, nulls.attributes])
        let plain = try await indexer.resources(ResourceQuery())
        #expect(plain.allSatisfy { $0.attributes.isEmpty })
        let detailed = try await indexer.resources(ResourceQuery(details: true))
        #expect(Set(detailed.map(\.attributes)) == [expected, nulls.attributes])

        var change = ResourceUpdate()
        change.attributes = ["host": .string("h9"), "flavor": .null]
        #expect(change.changesAttributes(of: created))
        let updated = try await indexer.updateResource(id, type: "instance", change)
        #expect(updated.attributes["host"] == .string("h9") && updated.attributes["flavor"] == .null)
        #expect(updated.revisionStart >= created.revisionStart)
        var same = ResourceUpdate()
        same.attributes = ["host": .string("h9")]
        #expect(!same.changesAttributes(of: updated))
        // A common-field change through `generic` versions the attributes too.
        var common = ResourceUpdate()
        common.userID = .set("someone")
        _ = try await indexer.updateResource(id, type: "generic", common)
        await expectIndexerError(.queryAttributeError(type: "generic", attribute: "host")) {
            _ = try await indexer.updateResource(id, type: "generic", same)
        }

        let history = try await indexer.resources(
            ResourceQuery(
                type: "instance", history: true,
                filter: .compare(attribute: "id", .eq, .uuid(id.description)),
                sorts: [ResourceSort(.revision)]))
        #expect(history.map(\.revision) == [Resource.currentRevision, 1, 2])
        #expect(history.map { $0.attributes["host"] } == [.string("h9"), .string("h1"), .string("h9")])
        #expect(history.map { $0.attributes["flavor"] } == [.null, .number(2), .null])
        #expect(history[0].userID == "someone" && history[2].userID == nil)

        try await indexer.deleteResource(id)
        #expect(try await indexer.resource(id, type: "instance") == nil)
        #expect(
            try await indexer.resources(ResourceQuery(type: "instance", history: true)).map(\.id) == [sparse])
    }

    /// Additions fill current and history rows; updates fill nulls; removals drop the
    /// values; the schema keeps Gnocchi's order.
    func typeSchemaChange() async throws {
        try await indexer.createResourceType(Self.instanceType)
        var random = random
        let id = random.resourceID()
        let bare = random.resourceID()
        try await makeInstance(id, host: "h1", flavor: 1)
        try await makeInstance(bare, host: "h2")
        var change = ResourceUpdate()
        change.attributes = ["host": .string("h1b")]
        _ = try await indexer.updateResource(id, type: "instance", change)

        let zone = ResourceTypeAttribute(
            name: "zone", kind: .string(minLength: 0, maxLength: 10), required: true)
        let note = ResourceTypeAttribute(
            name: "note", kind: .string(minLength: 0, maxLength: 10), required: false)
        let flavor = ResourceTypeAttribute(name: "flavor", kind: .number(min: 0, max: 100), required: true)
        let changed = try await indexer.updateResourceType(
            named: "instance",
            ResourceTypeChange(
                additions: [.init(zone, fill: .string("z0")), .init(note)],
                updates: [.init(flavor, fill: .number(7))],
                removals: ["image_ref"]))
        #expect(
            changed.attributes.map(\.name) == [
                "host", "new-optional-bool", "launched_at", "zone", "note", "flavor",
            ])
        #expect(try await indexer.resourceType(named: "instance") == changed)

        let rows = try await indexer.resources(ResourceQuery(type: "instance", history: true))
        #expect(rows.count == 3)
        for row in rows {
            #expect(row.attributes["zone"] == .string("z0"), "\(row.revision)")
            #expect(row.attributes["note"] == .null)
            #expect(row.attributes["image_ref"] == nil)
            #expect(row.attributes["flavor"] == (row.id == id ? .number(1) : .number(7)))
        }
        // A new resource gets null for attributes not given.
        let later = try await makeInstance(random.resourceID(), host: "h3")
        #expect(later.attributes["zone"] == .null && later.attributes.count == 6)
        // Removed and added again: a fresh, empty column.
        let image = ResourceTypeAttribute(name: "image_ref", kind: .uuid, required: false)
        let again = try await indexer.updateResourceType(
            named: "instance", ResourceTypeChange(additions: [.init(image)]))
        #expect(again.attributes.last == image)
        #expect(try await indexer.resource(id, type: "instance")?.attributes["image_ref"] == .null)
        #expect(try await indexer.updateResourceType(named: "instance", ResourceTypeChange()) == again)
    }
}
