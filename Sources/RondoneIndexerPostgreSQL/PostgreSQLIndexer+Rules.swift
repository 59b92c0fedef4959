import PostgresNIO
import RondoneIndexer

extension PostgreSQLIndexer {
    @discardableResult
    public func createArchivePolicyRule(_ rule: ArchivePolicyRule) async throws -> ArchivePolicyRule {
        try await write { session in
            // As on Gnocchi's PostgreSQL: the duplicate name is reported before the
            // missing policy (the unique index fires during the insert, the foreign
            // key after it).
            let inserted: Bool
            do {
                inserted = try await session.exists(
                    """
                    INSERT INTO archive_policy_rule (name, archive_policy_name, metric_pattern)
                    VALUES (\(rule.name), \(rule.archivePolicyName), \(rule.metricPattern))
                    ON CONFLICT (name) DO NOTHING RETURNING 1
                    """)
            } catch let error where PostgreSQLErrors.isViolation(error, PostgreSQLErrors.foreignKeyViolation)
            {
                throw IndexerError.noSuchArchivePolicy(rule.archivePolicyName)
            }
            guard inserted else { throw IndexerError.archivePolicyRuleAlreadyExists(rule.name) }
            try await Self.bumpGeneration(session)
        }
        return rule
    }

    public func archivePolicyRule(named name: String) async throws -> ArchivePolicyRule? {
        try await currentCatalog().rules.first { $0.name == name }
    }

    public func archivePolicyRules() async throws -> [ArchivePolicyRule] {
        try await currentCatalog().rules
    }

    public func renameArchivePolicyRule(named name: String, to newName: String) async throws
        -> ArchivePolicyRule
    {
        try await write { session in
            guard
                let row = try await session.rows(
                    """
                    SELECT metric_pattern, archive_policy_name FROM archive_policy_rule
                    WHERE name = \(name) FOR UPDATE
                    """
                ).first
            else { throw IndexerError.noSuchArchivePolicyRule(name) }
            let rule = ArchivePolicyRule(
                name: newName, metricPattern: try row.get("metric_pattern"),
                archivePolicyName: try row.get("archive_policy_name"))
            guard newName != name else { return rule }
            do {
                try await session.execute(
                    "UPDATE archive_policy_rule SET name = \(newName) WHERE name = \(name)")
            } catch let error where PostgreSQLErrors.isViolation(error, PostgreSQLErrors.uniqueViolation) {
                throw IndexerError.archivePolicyRuleRenameConflict(rule: name, newName: newName)
            }
            try await Self.bumpGeneration(session)
            return rule
        }
    }

    public func deleteArchivePolicyRule(named name: String) async throws {
        try await write { session in
            guard try await session.exists("DELETE FROM archive_policy_rule WHERE name = \(name) RETURNING 1")
            else {
                throw IndexerError.noSuchArchivePolicyRule(name)
            }
            try await Self.bumpGeneration(session)
        }
    }

    public func archivePolicyRule(forMetricName metricName: String?) async throws -> ArchivePolicyRule? {
        try await currentCatalog().rules.first { $0.matches(metricName: metricName) }
    }
}
