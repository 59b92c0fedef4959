import PostgresNIO
import RondoneIndexer
import RondoneTimeSeries

extension PostgreSQLIndexer {
    public func updateResource(_ id: ResourceID, type: String, _ update: ResourceUpdate) async throws
        -> Resource
    {
        try await write { session in
            let requested = try await Self.requireResourceType(type, session, forWriting: true)
            try Self.check(update.attributes, type: type, requested.tables)
            // The row is locked: concurrent PATCHes of one resource apply one after the
            // other, each seeing the revision the previous one made.
            guard
                let current = try await Self.currentResource(
                    id, type: requested.type, requested.tables, ownAttributes: true, lock: true, session)
            else { throw IndexerError.noSuchResource(id.description) }
            // The resource's own type (a PATCH through `generic` still versions its
            // attributes, which Gnocchi forgets to do).
            let tables =
                current.type == requested.type.name
                ? requested.tables
                : try await Self.requireResourceType(current.type, session, forWriting: true).tables
            var next = current
            if case .set(let value) = update.userID { next.userID = value }
            if case .set(let value) = update.projectID { next.projectID = value }
            if case .set(let value) = update.startedAt { next.startedAt = value }
            if case .set(let value) = update.endedAt { next.endedAt = value }
            if let endedAt = next.endedAt, next.startedAt > endedAt {
                throw IndexerError.resourceStartAfterEnd
            }
            let key = PostgreSQLUUID(id)
            if update.changesAttributes(of: current) {
                let now = Timestamp.now().roundedToDatetimePrecision
                let revisions = try await session.rows(
                    """
                    INSERT INTO resource_history (id, type, creator, original_resource_id, user_id,
                        project_id, started_at, ended_at, revision_start, revision_end)
                    SELECT id, type, creator, original_resource_id, user_id, project_id, started_at,
                        ended_at, revision_start, \(now.nanoseconds) FROM resource WHERE id = \(key)
                    RETURNING revision
                    """)
                guard let revision = try revisions.first?.get("revision", as: Int64.self) else {
                    throw IndexerError.corruptIndex("no history row for resource \(id)")
                }
                try await tables?.copyToHistory(id, revision: revision, session)
                try await tables?.update(id, update.attributes, session)
                try await session.execute(
                    """
                    UPDATE resource SET user_id = \(next.userID), project_id = \(next.projectID),
                        started_at = \(next.startedAt.nanoseconds), ended_at = \(next.endedAt?.nanoseconds),
                        revision_start = \(now.nanoseconds)
                    WHERE id = \(key)
                    """)
            }
            if let metrics = update.metrics {
                if !update.appendMetrics {
                    try await session.execute(
                        """
                        UPDATE metric SET resource_id = NULL WHERE resource_id = \(key) AND status = 'active'
                        """
                    )
                }
                try await Self.attach(metrics, to: id, creator: current.creator, session)
            }
            guard
                let updated = try await Self.currentResource(
                    id, type: requested.type, requested.tables, session)
            else { throw IndexerError.corruptIndex("resource \(id) vanished in its own transaction") }
            return updated
        }
    }

    /// The current row with its metrics; with a `type` other than `generic`, only a
    /// resource of that type. Attributes of the resource's own type are loaded when the
    /// type is not `generic` (Gnocchi's generic view has none), or with `ownAttributes`.
    /// `lock` locks the row until the transaction ends.
    static func currentResource(
        _ id: ResourceID, type: ResourceType, _ tables: PostgreSQLTypeTables?, ownAttributes: Bool = false,
        lock: Bool = false, _ session: PostgreSQLSession
    ) async throws -> Resource? {
        var statement = PostgreSQLStatement()
        statement.sql = """
            SELECT \(PostgreSQLColumns.resourceColumns("r", history: false)) FROM resource AS r \
            WHERE r.id = \(statement.bind(.uuid(PostgreSQLUUID(id))))
            """
        if type.name != ResourceType.generic {
            statement.sql += " AND r.type = \(statement.bind(.text(type.name)))"
        }
        if lock { statement.sql += " FOR UPDATE" }
        guard let row = try await session.rows(statement).first else { return nil }
        var resource = try PostgreSQLColumns.resource(row)
        resource.metrics = try await metricNames(of: [id], session)[id] ?? [:]
        if type.name != ResourceType.generic, let tables {
            resource.attributes = try await tables.values(ids: [id], session)[id] ?? [:]
        } else if ownAttributes, resource.type != ResourceType.generic,
            let tables = try await PostgreSQLResourceTypes.load(resource.type, session)?.tables
        {
            resource.attributes = try await tables.values(ids: [id], session)[id] ?? [:]
        }
        return resource
    }

    /// Fills in each resource's attributes of its own type: one query per type table
    /// (current rows by id, history rows by revision), whatever the page size.
    static func loadAttributes(_ resources: inout [Resource], _ session: PostgreSQLSession) async throws {
        let customTypes = Set(resources.map(\.type)).subtracting([ResourceType.generic])
        for typeName in customTypes.sorted() {
            guard let tables = try await PostgreSQLResourceTypes.load(typeName, session)?.tables else {
                continue
            }
            let indices = resources.indices.filter { resources[$0].type == typeName }
            let current = indices.filter { resources[$0].revision == Resource.currentRevision }
            let history = indices.filter { resources[$0].revision != Resource.currentRevision }
            let byID = try await tables.values(ids: current.map { resources[$0].id }, session)
            let byRevision = try await tables.values(
                revisions: history.map { resources[$0].revision }, session)
            for index in current { resources[index].attributes = byID[resources[index].id] ?? [:] }
            for index in history {
                resources[index].attributes = byRevision[resources[index].revision] ?? [:]
            }
        }
    }

    /// Name → id of the active metrics of each resource, in one query.
    static func metricNames(of resources: [ResourceID], _ session: PostgreSQLSession) async throws
        -> [ResourceID: [String: MetricID]]
    {
        guard !resources.isEmpty else { return [:] }
        let ids = Array(Set(resources.map(PostgreSQLUUID.init)))
        let rows = try await session.rows(
            "SELECT resource_id, name, id FROM metric WHERE resource_id = ANY(\(ids)) AND status = 'active'")
        var names: [ResourceID: [String: MetricID]] = [:]
        for row in rows {
            let resource = try row.get("resource_id", as: PostgreSQLUUID.self).resourceID
            let name: String? = try row.get("name")
            names[resource, default: [:]][name ?? ""] = try row.get("id", as: PostgreSQLUUID.self).metricID
        }
        return names
    }

    /// Gnocchi's `_set_metrics_for_resource`: an existing metric is attached (and renamed)
    /// when it is active and has the resource's creator; a new one is created with the
    /// resource's creator. A name already used on the resource is refused (by the
    /// unique index, too, against concurrent attachments).
    static func attach(
        _ metrics: [(name: String, spec: ResourceMetricSpec)], to resource: ResourceID, creator: String?,
        _ session: PostgreSQLSession
    ) async throws {
        let key = PostgreSQLUUID(resource)
        for (name, spec) in metrics {
            let taken = try await session.rows(
                "SELECT id FROM metric WHERE resource_id = \(key) AND name = \(name)"
            )
            .first.map { row in try row.get("id", as: PostgreSQLUUID.self) }
            switch spec {
            case .existing(let id):
                if let taken, taken != PostgreSQLUUID(id) {
                    throw IndexerError.namedMetricAlreadyExists(name)
                }
                let attached: Bool
                do {
                    attached = try await session.exists(
                        """
                        UPDATE metric SET resource_id = \(key), name = \(name)
                        WHERE id = \(PostgreSQLUUID(id)) AND status = 'active'
                            AND creator IS NOT DISTINCT FROM \(creator)
                        RETURNING 1
                        """)
                } catch let error where PostgreSQLErrors.isViolation(error, PostgreSQLErrors.uniqueViolation)
                {
                    throw IndexerError.namedMetricAlreadyExists(name)
                }
                guard attached else { throw IndexerError.noSuchMetric(id.description) }
            case .new(let id, let policyName, let unit):
                if taken != nil { throw IndexerError.namedMetricAlreadyExists(name) }
                guard try await archivePolicyExists(policyName, session) else {
                    throw IndexerError.noSuchArchivePolicy(policyName)
                }
                try await insertMetric(
                    id, policy: policyName, creator: creator, resource: resource, name: name, unit: unit,
                    session)
            }
        }
    }
}
