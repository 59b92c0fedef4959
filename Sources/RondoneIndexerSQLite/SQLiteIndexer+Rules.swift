import GRDB
import RondoneIndexer
import RondoneTimeSeries

extension SQLiteIndexer {
    @discardableResult
    public func createArchivePolicyRule(_ rule: ArchivePolicyRule) async throws -> ArchivePolicyRule {
        try await writeTransaction { db in
            // Gnocchi's PostgreSQL reports the duplicate name before the missing policy
            // (the unique index fires during the insert, the foreign key after it).
            guard try !Self.ruleExists(rule.name, db) else {
                throw IndexerError.archivePolicyRuleAlreadyExists(rule.name)
            }
            guard try Self.archivePolicyExists(rule.archivePolicyName, db) else {
                throw IndexerError.noSuchArchivePolicy(rule.archivePolicyName)
            }
            try Self.insert(rule, db)
            try Self.bumpGeneration(db)
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
        try await writeTransaction { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM archive_policy_rule WHERE name = ?", arguments: [name])
            else { throw IndexerError.noSuchArchivePolicyRule(name) }
            var rule = SQLiteColumns.rule(row)
            guard newName != name else { return rule }
            guard try !Self.ruleExists(newName, db) else {
                throw IndexerError.archivePolicyRuleRenameConflict(rule: name, newName: newName)
            }
            try db.execute(
                sql: "UPDATE archive_policy_rule SET name = ? WHERE name = ?", arguments: [newName, name])
            try Self.bumpGeneration(db)
            rule.name = newName
            return rule
        }
    }

    public func deleteArchivePolicyRule(named name: String) async throws {
        try await writeTransaction { db in
            try db.execute(sql: "DELETE FROM archive_policy_rule WHERE name = ?", arguments: [name])
            guard db.changesCount > 0 else { throw IndexerError.noSuchArchivePolicyRule(name) }
            try Self.bumpGeneration(db)
        }
    }

    public func archivePolicyRule(forMetricName metricName: String?) async throws -> ArchivePolicyRule? {
        try await currentCatalog().rules.first { $0.matches(metricName: metricName) }
    }

    static func ruleExists(_ name: String, _ db: Database) throws -> Bool {
        try Bool.fetchOne(
            db, sql: "SELECT EXISTS (SELECT 1 FROM archive_policy_rule WHERE name = ?)", arguments: [name])
            ?? false
    }

    static func insert(_ rule: ArchivePolicyRule, _ db: Database) throws {
        try db.execute(
            sql:
                "INSERT INTO archive_policy_rule (name, archive_policy_name, metric_pattern) VALUES (?, ?, ?)",
            arguments: [rule.name, rule.archivePolicyName, rule.metricPattern])
    }
}
