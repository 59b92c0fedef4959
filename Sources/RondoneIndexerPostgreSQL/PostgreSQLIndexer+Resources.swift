import PostgresNIO
import RondoneIndexer
import RondoneTimeSeries

extension PostgreSQLIndexer {
    public func createResource(_ creation: ResourceCreation) async throws -> Resource {
        let now = Timestamp.now().roundedToDatetimePrecision
        let startedAt = creation.startedAt ?? now
        if let endedAt = creation.endedAt, startedAt > endedAt { throw IndexerError.resourceStartAfterEnd }
        return try await write { session in
            let (type, tables) = try await Self.requireResourceType(creation.type, session, forWriting: true)
            try Self.check(creation.attributes, type: creation.type, tables)
            // The primary key decides between concurrent creations of one id.
            let created: Bool
            do {
                created = try await session.exists(
                    """
                    INSERT INTO resource (id, type, creator, original_resource_id, user_id, project_id,
                        started_at, ended_at, revision_start)
                    VALUES (\(PostgreSQLUUID(creation.id)), \(creation.type), \(creation.creator),
                        \(creation.originalResourceID), \(creation.userID), \(creation.projectID),
                        \(startedAt.nanoseconds), \(creation.endedAt?.nanoseconds), \(now.nanoseconds))
                    ON CONFLICT (id) DO NOTHING RETURNING 1
                    """)
            } catch let error where PostgreSQLErrors.isViolation(error, PostgreSQLErrors.foreignKeyViolation)
            {
                throw IndexerError.noSuchResourceType(creation.type)
            }
            guard created else { throw IndexerError.resourceAlreadyExists(creation.id.description) }
            try await tables?.insert(creation.id, creation.attributes, session)
            try await Self.attach(creation.metrics, to: creation.id, creator: creation.creator, session)
            guard let resource = try await Self.currentResource(creation.id, type: type, tables, session)
            else {
                throw IndexerError.corruptIndex("resource \(creation.id) vanished in its own transaction")
            }
            return resource
        }
    }

    public func resource(_ id: ResourceID, type: String) async throws -> Resource? {
        try await read { session in
            let (type, tables) = try await Self.requireResourceType(type, session)
            return try await Self.currentResource(id, type: type, tables, session)
        }
    }

    public func resources(_ query: ResourceQuery) async throws -> [Resource] {
        try await read { session in
            guard let (type, tables) = try await PostgreSQLResourceTypes.load(query.type, session) else {
                throw IndexerError.noSuchResourceType(query.type)
            }
            let list = try await PostgreSQLResourceList(
                query, type: type, tables: tables, now: .now(), session)
            var resources = try await session.rows(list.statement).map { row in
                var resource = try PostgreSQLColumns.resource(row)
                if let tables { resource.attributes = try tables.decode(row, names: tables.alias) }
                return resource
            }
            let metrics = try await Self.metricNames(of: resources.map(\.id), session)
            for index in resources.indices { resources[index].metrics = metrics[resources[index].id] ?? [:] }
            if tables == nil && query.details { try await Self.loadAttributes(&resources, session) }
            return resources
        }
    }

    public func deleteResources(type: String, matching filter: ResourceFilter?) async throws -> Int {
        try await write { session in
            let (resourceType, tables) = try await Self.requireResourceType(type, session)
            let bound = try filter.map { filter throws(IndexerError) in
                try filter.bound(to: resourceType, history: false, now: Timestamp.now())
            }
            var select = PostgreSQLStatement()
            select.sql = PostgreSQLResourceList.currentIDs(tables, filter: bound, &select)
            let ids = try await session.rows(select).map { row in try row.get("id", as: PostgreSQLUUID.self) }
            guard !ids.isEmpty else { return 0 }
            // As deleteResource: metrics marked deleted and detached, then the rows (the
            // type's rows and the history go with them by cascade).
            try await session.execute(
                "UPDATE metric SET status = 'delete', resource_id = NULL WHERE resource_id = ANY(\(ids))")
            return try await session.count("DELETE FROM resource WHERE id = ANY(\(ids)) RETURNING 1")
        }
    }

    public func deleteResource(_ id: ResourceID) async throws {
        try await write { session in
            let key = PostgreSQLUUID(id)
            // Locked first: a concurrent attachment of a metric waits on its foreign key
            // check, then fails, instead of leaving an active metric on no resource.
            guard try await session.exists("SELECT 1 FROM resource WHERE id = \(key) FOR UPDATE") else {
                throw IndexerError.noSuchResource(id.description)
            }
            try await session.execute(
                "UPDATE metric SET status = 'delete', resource_id = NULL WHERE resource_id = \(key)")
            try await session.execute("DELETE FROM resource WHERE id = \(key)")
        }
    }

    public func metric(resource: ResourceID, named name: String) async throws -> Metric? {
        try await single { session in
            try await session.rows(
                """
                SELECT \(unescaped: PostgreSQLColumns.metricColumns) FROM metric
                WHERE resource_id = \(PostgreSQLUUID(resource)) AND name = \(name) AND status = 'active'
                """
            ).first.map(PostgreSQLColumns.metric)
        }
    }

    // MARK: Helpers (inside a caller's transaction)

    /// The type and its tables (nil for `generic`). Throws `noSuchResourceType`. For
    /// writing, a custom type's row stays share-locked so its schema cannot change
    /// before the transaction ends.
    static func requireResourceType(_ name: String, _ session: PostgreSQLSession, forWriting: Bool = false)
        async throws -> PostgreSQLResourceTypes.Loaded
    {
        let lock: PostgreSQLResourceTypes.Lock = forWriting && name != ResourceType.generic ? .share : .none
        guard let loaded = try await PostgreSQLResourceTypes.load(name, session, lock: lock) else {
            throw IndexerError.noSuchResourceType(name)
        }
        return loaded
    }

    /// Attribute values must name the type's attributes and be of their kinds (the API
    /// checked them; this keeps a caller's mistake from reaching the SQL).
    static func check(_ values: [String: AttributeValue], type: String, _ tables: PostgreSQLTypeTables?)
        throws
    {
        for (name, value) in values {
            guard let attribute = tables?.columns.first(where: { $0.attribute.name == name })?.attribute
            else {
                throw IndexerError.queryAttributeError(type: type, attribute: name)
            }
            guard value.isNull || attribute.kind.accepts(value) else {
                throw IndexerError.invalidInput(
                    reason: "Invalid input: \(value) is not a valid \(attribute.kind.typeName)",
                    detail: [name])
            }
        }
    }
}
