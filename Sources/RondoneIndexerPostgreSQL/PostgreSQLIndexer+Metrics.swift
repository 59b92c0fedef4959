import PostgresNIO
import RondoneIndexer
import RondoneTimeSeries

extension PostgreSQLIndexer {
    @discardableResult
    public func createMetric(_ creation: MetricCreation) async throws -> Metric {
        try creation.validate()
        return try await write { session in
            let policyName: String
            if let named = creation.archivePolicyName {
                policyName = named
            } else {
                let catalog = try await self.catalog(atLeast: try await Self.generation(session), session)
                guard let rule = catalog.rules.first(where: { $0.matches(metricName: creation.name) }) else {
                    throw IndexerError.noArchivePolicyRuleMatch(metricName: creation.name)
                }
                policyName = rule.archivePolicyName
            }
            let resource = creation.resourceID.map(PostgreSQLUUID.init)
            // One read for the refusals, in Gnocchi's order; the constraints decide
            // again at the insert, against concurrent changes.
            let checks = try await session.rows(
                """
                SELECT EXISTS (SELECT 1 FROM archive_policy WHERE name = \(policyName)) AS policy,
                    (\(resource)::uuid IS NULL
                        OR EXISTS (SELECT 1 FROM resource WHERE id = \(resource))) AS resource,
                    EXISTS (SELECT 1 FROM metric
                        WHERE resource_id = \(resource) AND name = \(creation.name)) AS taken
                """)
            guard let check = checks.first else { throw IndexerError.corruptIndex("no row from a SELECT") }
            guard try check.get("policy", as: Bool.self) else {
                throw IndexerError.noSuchArchivePolicy(policyName)
            }
            if let id = creation.resourceID, try !check.get("resource", as: Bool.self) {
                throw IndexerError.noSuchResource(id.description)
            }
            if let name = creation.name, try check.get("taken", as: Bool.self) {
                throw IndexerError.namedMetricAlreadyExists(name)
            }
            try await Self.insertMetric(
                creation.id, policy: policyName, creator: creation.creator, resource: creation.resourceID,
                name: creation.name, unit: creation.unit, session)
            return Metric(
                id: creation.id, archivePolicyName: policyName, creator: creation.creator,
                name: creation.name,
                unit: creation.unit, resourceID: creation.resourceID, status: .active)
        }
    }

    public func metric(_ id: MetricID) async throws -> Metric? {
        try await single { session in try await session.first(PostgreSQLStatements.Metric1(id: .init(id))) }
    }

    public func metrics(ids: [MetricID]) async throws -> [Metric] {
        guard !ids.isEmpty else { return [] }
        let statement = PostgreSQLStatements.Metrics(ids: ids.map(PostgreSQLUUID.init))
        return try await single { session in try await session.all(statement) }
    }

    public func metrics(_ query: MetricQuery) async throws -> [Metric] {
        try await read { session in
            var marker: PostgresRandomAccessRow? = nil
            if let text = query.marker {
                // Gnocchi looks the marker up among active metrics whatever is listed.
                if let id = MetricID(text) {
                    marker = try await session.rows(
                        "SELECT * FROM metric WHERE id = \(PostgreSQLUUID(id)) AND status = 'active'"
                    ).first
                }
                guard marker != nil else { throw IndexerError.invalidPagination("Invalid marker: `\(text)'") }
            }
            guard let list = try PostgreSQLMetricList(query, marker: marker) else { return [] }
            return try await session.rows(list.statement).map { row in
                try PostgreSQLColumns.metric(row)
            }
        }
    }

    public func deleteMetric(_ id: MetricID) async throws {
        try await write { session in
            let deleted = try await session.exists(
                """
                UPDATE metric SET status = 'delete', resource_id = NULL
                WHERE id = \(PostgreSQLUUID(id)) AND status = 'active' RETURNING 1
                """)
            guard deleted else { throw IndexerError.noSuchMetric(id.description) }
        }
    }

    public func archivePolicies(of metrics: [MetricID]) async throws -> [MetricID: ArchivePolicy] {
        guard !metrics.isEmpty else { return [:] }
        let statement = PostgreSQLStatements.PolicyNames(ids: metrics.map(PostgreSQLUUID.init))
        let rows = try await single { session in try await session.all(statement) }
        guard let generation = rows.first?.0 else {
            throw IndexerError.corruptIndex("catalog_version has no row; was upgrade run?")
        }
        // The rows and the generation come from one snapshot: every policy they name
        // is in any catalog at least that recent (a policy in use cannot be deleted).
        let policies = try await catalog(atLeast: generation).policiesByName
        var result: [MetricID: ArchivePolicy] = [:]
        result.reserveCapacity(rows.count)
        for case (_, let id?, let name?) in rows {
            guard let policy = policies[name] else { continue }
            result[id.metricID] = policy
        }
        return result
    }

    public func metricsPendingDeletion(limit: Int) async throws -> [MetricID] {
        // Served by the partial index ix_metric_status_id.
        try await ids("SELECT id FROM metric WHERE status = 'delete' ORDER BY id LIMIT \(max(0, limit))")
    }

    public func purgeMetric(_ id: MetricID) async throws {
        try await write { session in
            guard try await session.exists("DELETE FROM metric WHERE id = \(PostgreSQLUUID(id)) RETURNING 1")
            else {
                throw IndexerError.noSuchMetric(id.description)
            }
        }
    }

    public func metricsNeedingRawDataTruncation(limit: Int) async throws -> [MetricID] {
        try await ids(
            """
            SELECT id FROM metric WHERE needs_raw_data_truncation AND status = 'active'
            LIMIT \(max(0, limit))
            """
        )
    }

    public func clearRawDataTruncation(_ id: MetricID) async throws {
        try await write { session in
            try await session.execute(
                "UPDATE metric SET needs_raw_data_truncation = false WHERE id = \(PostgreSQLUUID(id))")
        }
    }

    /// Inserts an active metric (in the caller's transaction, checks already made),
    /// turning the constraints' refusals into the indexer's errors.
    static func insertMetric(
        _ id: MetricID, policy: String, creator: String?, resource: ResourceID?, name: String?, unit: String?,
        _ session: PostgreSQLSession
    ) async throws {
        do {
            try await session.execute(
                """
                INSERT INTO metric (id, archive_policy_name, creator, resource_id, name, unit, status,
                    needs_raw_data_truncation, last_measure_timestamp)
                VALUES (\(PostgreSQLUUID(id)), \(policy), \(creator), \(resource.map(PostgreSQLUUID.init)),
                    \(name),
                    \(unit), 'active', false, \(Timestamp.now().nanoseconds))
                """)
        } catch let error where PostgreSQLErrors.sqlState(error) != nil {
            switch (PostgreSQLErrors.sqlState(error), PostgreSQLErrors.constraint(error)) {
            case (PostgreSQLErrors.foreignKeyViolation, "fk_metric_archive_policy"):
                throw IndexerError.noSuchArchivePolicy(policy)
            case (PostgreSQLErrors.foreignKeyViolation, "fk_metric_resource"):
                throw IndexerError.noSuchResource(resource?.description ?? "")
            case (PostgreSQLErrors.uniqueViolation, "uniq_metric0resource_id0name"):
                throw IndexerError.namedMetricAlreadyExists(name ?? "")
            default: throw error
            }
        }
    }

    private func ids(_ query: PostgresQuery) async throws -> [MetricID] {
        try await single { session in
            try await session.rows(query).map { row in try row.get("id", as: PostgreSQLUUID.self).metricID }
        }
    }
}
