import Foundation
import GRDB
import RondoneIndexer
import RondoneTimeSeries

extension SQLiteIndexer {
    public func createResource(_ creation: ResourceCreation) async throws -> Resource {
        let now = Timestamp.now().roundedToDatetimePrecision
        let startedAt = creation.startedAt ?? now
        if let endedAt = creation.endedAt, startedAt > endedAt { throw IndexerError.resourceStartAfterEnd }
        return try await writeTransaction { db in
            let tables = try Self.requireResourceType(creation.type, db)
            try Self.check(creation.attributes, type: creation.type, tables)
            if try Self.resourceExists(creation.id, db) {
                throw IndexerError.resourceAlreadyExists(creation.id.description)
            }
            try Self.insertCurrentRow(
                Resource(
                    id: creation.id, type: creation.type, originalResourceID: creation.originalResourceID,
                    creator: creation.creator, userID: creation.userID, projectID: creation.projectID,
                    startedAt: startedAt, endedAt: creation.endedAt, revisionStart: now), db)
            try tables?.insert(creation.id, creation.attributes, db)
            try Self.attach(creation.metrics, to: creation.id, creator: creation.creator, db)
            return try Self.currentResource(creation.id, type: creation.type, db)!
        }
    }

    public func resource(_ id: ResourceID, type: String) async throws -> Resource? {
        try await pool.read { db in
            try Self.requireResourceType(type, db)
            return try Self.currentResource(id, type: type, db)
        }
    }

    public func resources(_ query: ResourceQuery) async throws -> [Resource] {
        try await pool.read { db in
            let (list, tables) = try Self.resourceList(query, db)
            let rows = try Row.fetchAll(db, sql: list.sql, arguments: StatementArguments(list.arguments))
            var resources = try rows.map { row throws(IndexerError) in
                var resource = try SQLiteColumns.resource(row)
                if let tables {
                    resource.attributes = try tables.decode(
                        row, prefix: SQLiteResourceList.attributeColumn(""))
                }
                return resource
            }
            let metrics = try Self.metricNames(of: Set(resources.map(\.id)), db)
            for index in resources.indices { resources[index].metrics = metrics[resources[index].id] ?? [:] }
            if tables == nil && query.details { try Self.loadAttributes(&resources, db) }
            return resources
        }
    }

    /// `EXPLAIN QUERY PLAN` of a list's SQL, one line per plan row, for tests that
    /// check every search is served by indexes.
    package func explainResources(_ query: ResourceQuery) async throws -> [String] {
        try await pool.read { db in
            let (list, _) = try Self.resourceList(query, db)
            return try Row.fetchAll(
                db, sql: "EXPLAIN QUERY PLAN " + list.sql, arguments: StatementArguments(list.arguments)
            ).map { $0["detail"] }
        }
    }

    /// The SQL of a list and the listed type's tables (nil for `generic`).
    static func resourceList(_ query: ResourceQuery, _ db: Database) throws -> (
        SQLiteResourceList, SQLiteTypeTables?
    ) {
        guard let (type, tables) = try SQLiteResourceTypes.load(query.type, db) else {
            throw IndexerError.noSuchResourceType(query.type)
        }
        return (try SQLiteResourceList(query, type: type, tables: tables, now: Timestamp.now(), db), tables)
    }

    public func deleteResources(type: String, matching filter: ResourceFilter?) async throws -> Int {
        try await writeTransaction { db in
            guard let (resourceType, tables) = try SQLiteResourceTypes.load(type, db) else {
                throw IndexerError.noSuchResourceType(type)
            }
            let bound = try filter.map { filter throws(IndexerError) in
                try filter.bound(to: resourceType, history: false, now: Timestamp.now())
            }
            var arguments: [DatabaseValue] = []
            let matching = SQLiteResourceList.currentIDs(tables, filter: bound, &arguments)
            // As deleteResource: metrics marked deleted and detached, then the rows (the
            // type's rows and the history go with them by cascade).
            try db.execute(
                sql:
                    "UPDATE metric SET status = 'delete', resource_id = NULL WHERE resource_id IN (\(matching))",
                arguments: StatementArguments(arguments))
            try db.execute(
                sql: "DELETE FROM resource WHERE id IN (\(matching))",
                arguments: StatementArguments(arguments))
            return db.changesCount
        }
    }

    public func updateResource(_ id: ResourceID, type: String, _ update: ResourceUpdate) async throws
        -> Resource
    {
        try await writeTransaction { db in
            let requested = try Self.requireResourceType(type, db)
            try Self.check(update.attributes, type: type, requested)
            // The resource's own type (a PATCH through `generic` still versions its
            // attributes, which Gnocchi forgets to do).
            guard let current = try Self.currentResource(id, type: type, ownAttributes: true, db) else {
                throw IndexerError.noSuchResource(id.description)
            }
            let tables = try SQLiteResourceTypes.load(current.type, db)?.tables
            var next = current
            if case .set(let value) = update.userID { next.userID = value }
            if case .set(let value) = update.projectID { next.projectID = value }
            if case .set(let value) = update.startedAt { next.startedAt = value }
            if case .set(let value) = update.endedAt { next.endedAt = value }
            if let endedAt = next.endedAt, next.startedAt > endedAt {
                throw IndexerError.resourceStartAfterEnd
            }
            let blob = SQLiteColumns.blob(id)
            // Checked again under the write lock: a concurrent PATCH may have made the
            // revision unnecessary (Gnocchi re-reads the row for the same reason).
            if update.changesAttributes(of: current) {
                let now = Timestamp.now().roundedToDatetimePrecision
                try db.execute(
                    sql: """
                        INSERT INTO resource_history (id, type, creator, original_resource_id, user_id,
                            project_id, started_at, ended_at, revision_start, revision_end)
                        SELECT id, type, creator, original_resource_id, user_id, project_id, started_at,
                            ended_at, revision_start, ? FROM resource WHERE id = ?
                        """, arguments: [now.nanoseconds, blob])
                try tables?.copyToHistory(id, revision: db.lastInsertedRowID, db)
                try tables?.update(id, update.attributes, db)
                try db.execute(
                    sql: """
                        UPDATE resource SET user_id = ?, project_id = ?, started_at = ?, ended_at = ?,
                            revision_start = ? WHERE id = ?
                        """,
                    arguments: [
                        next.userID, next.projectID, next.startedAt.nanoseconds, next.endedAt?.nanoseconds,
                        now.nanoseconds, blob,
                    ])
            }
            if let metrics = update.metrics {
                if !update.appendMetrics {
                    try db.execute(
                        sql:
                            "UPDATE metric SET resource_id = NULL WHERE resource_id = ? AND status = 'active'",
                        arguments: [blob])
                }
                try Self.attach(metrics, to: id, creator: current.creator, db)
            }
            return try Self.currentResource(id, type: type, db)!
        }
    }

    public func deleteResource(_ id: ResourceID) async throws {
        try await writeTransaction { db in
            let blob = SQLiteColumns.blob(id)
            try db.execute(
                sql: "UPDATE metric SET status = 'delete', resource_id = NULL WHERE resource_id = ?",
                arguments: [blob])
            try db.execute(sql: "DELETE FROM resource WHERE id = ?", arguments: [blob])
            guard db.changesCount > 0 else { throw IndexerError.noSuchResource(id.description) }
        }
    }

    public func metric(resource: ResourceID, named name: String) async throws -> Metric? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM metric WHERE resource_id = ? AND name = ? AND status = 'active'",
                arguments: [SQLiteColumns.blob(resource), name]
            ).map { row throws(IndexerError) in try SQLiteColumns.metric(row) }
        }
    }

    // MARK: Helpers (inside a caller's transaction)

    /// Inserts `resource`'s row in `resource` (its common fields; attributes and
    /// metrics are the caller's).
    static func insertCurrentRow(_ resource: Resource, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO resource (id, type, creator, original_resource_id, user_id, project_id,
                    started_at, ended_at, revision_start)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                SQLiteColumns.blob(resource.id), resource.type, resource.creator, resource.originalResourceID,
                resource.userID, resource.projectID, resource.startedAt.nanoseconds,
                resource.endedAt?.nanoseconds,
                resource.revisionStart.nanoseconds,
            ])
    }

    static func resourceExists(_ id: ResourceID, _ db: Database) throws -> Bool {
        try Bool.fetchOne(
            db, sql: "SELECT EXISTS (SELECT 1 FROM resource WHERE id = ?)",
            arguments: [SQLiteColumns.blob(id)])
            ?? false
    }

    /// The type's tables (nil for `generic`). Throws `noSuchResourceType`.
    @discardableResult
    static func requireResourceType(_ name: String, _ db: Database) throws -> SQLiteTypeTables? {
        guard let (_, tables) = try SQLiteResourceTypes.load(name, db) else {
            throw IndexerError.noSuchResourceType(name)
        }
        return tables
    }

    /// Attribute values must name the type's attributes and be of their kinds (the API
    /// checked them; this keeps a caller's mistake from reaching the SQL).
    static func check(_ values: [String: AttributeValue], type: String, _ tables: SQLiteTypeTables?) throws {
        for (name, value) in values {
            guard let attribute = tables?.attributes.first(where: { $0.name == name }) else {
                throw IndexerError.queryAttributeError(type: type, attribute: name)
            }
            guard value.isNull || attribute.kind.accepts(value) else {
                throw IndexerError.invalidInput(
                    reason: "Invalid input: \(value) is not a valid \(attribute.kind.typeName)",
                    detail: [name])
            }
        }
    }

    /// The current row with its metrics; with `type` other than `generic`, only a
    /// resource of that type. Attributes of the resource's own type are loaded when the
    /// type is not `generic` (Gnocchi's generic view has none), or with `ownAttributes`.
    static func currentResource(_ id: ResourceID, type: String, ownAttributes: Bool = false, _ db: Database)
        throws -> Resource?
    {
        var sql = "SELECT *, -1 AS revision, NULL AS revision_end FROM resource WHERE id = ?"
        var arguments: [(any DatabaseValueConvertible)?] = [SQLiteColumns.blob(id)]
        if type != ResourceType.generic {
            sql += " AND type = ?"
            arguments.append(type)
        }
        guard let row = try Row.fetchOne(db, sql: sql, arguments: StatementArguments(arguments)) else {
            return nil
        }
        var resource = try SQLiteColumns.resource(row)
        resource.metrics = try metricNames(of: [id], db)[id] ?? [:]
        if ownAttributes || type != ResourceType.generic,
            let tables = try SQLiteResourceTypes.load(resource.type, db)?.tables
        {
            resource.attributes = try tables.values(ids: [id], db)[id] ?? [:]
        }
        return resource
    }

    /// Fills in each resource's attributes of its own type: one query per type table
    /// (current rows by id, history rows by revision), whatever the page size.
    static func loadAttributes(_ resources: inout [Resource], _ db: Database) throws {
        let customTypes = Set(resources.map(\.type)).subtracting([ResourceType.generic])
        guard !customTypes.isEmpty else { return }
        for typeName in customTypes {
            guard let tables = try SQLiteResourceTypes.load(typeName, db)?.tables else { continue }
            let indices = resources.indices.filter { resources[$0].type == typeName }
            let current = indices.filter { resources[$0].revision == Resource.currentRevision }
            let history = indices.filter { resources[$0].revision != Resource.currentRevision }
            let byID = try tables.values(ids: current.map { resources[$0].id }, db)
            let byRevision = try tables.values(revisions: history.map { resources[$0].revision }, db)
            for index in current { resources[index].attributes = byID[resources[index].id] ?? [:] }
            for index in history {
                resources[index].attributes = byRevision[resources[index].revision] ?? [:]
            }
        }
    }

    /// Name → id of the active metrics of each resource, in one query.
    static func metricNames(of resources: Set<ResourceID>, _ db: Database) throws -> [ResourceID: [String:
        MetricID]]
    {
        guard !resources.isEmpty else { return [:] }
        let placeholders = Array(repeating: "?", count: resources.count).joined(separator: ", ")
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT resource_id, name, id FROM metric
                WHERE resource_id IN (\(placeholders)) AND status = 'active'
                """, arguments: StatementArguments(resources.map(SQLiteColumns.blob)))
        var names: [ResourceID: [String: MetricID]] = [:]
        for row in rows {
            let resource = try SQLiteColumns.resourceID(row["resource_id"])
            names[resource, default: [:]][row["name"] ?? ""] = try SQLiteColumns.metricID(row["id"])
        }
        return names
    }

    /// Gnocchi's `_set_metrics_for_resource`: an existing metric is attached (and renamed)
    /// when it is active and has the resource's creator; a new one is created with the
    /// resource's creator. A name already used on the resource is refused.
    static func attach(
        _ metrics: [(name: String, spec: ResourceMetricSpec)], to resource: ResourceID, creator: String?,
        _ db: Database
    ) throws {
        let blob = SQLiteColumns.blob(resource)
        for (name, spec) in metrics {
            let taken =
                try Data.fetchOne(
                    db, sql: "SELECT id FROM metric WHERE resource_id = ? AND name = ?",
                    arguments: [blob, name])
            switch spec {
            case .existing(let id):
                if let taken, taken != SQLiteColumns.blob(id) {
                    throw IndexerError.namedMetricAlreadyExists(name)
                }
                try db.execute(
                    sql: """
                        UPDATE metric SET resource_id = ?, name = ?
                        WHERE id = ? AND status = 'active' AND creator IS ?
                        """, arguments: [blob, name, SQLiteColumns.blob(id), creator])
                guard db.changesCount > 0 else { throw IndexerError.noSuchMetric(id.description) }
            case .new(let id, let policyName, let unit):
                if taken != nil { throw IndexerError.namedMetricAlreadyExists(name) }
                guard try archivePolicyExists(policyName, db) else {
                    throw IndexerError.noSuchArchivePolicy(policyName)
                }
                try insertMetric(
                    id, policy: policyName, creator: creator, resource: resource, name: name, unit: unit, db)
            }
        }
    }
}
