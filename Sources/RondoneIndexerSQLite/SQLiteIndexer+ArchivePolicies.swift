import GRDB
import RondoneIndexer
import RondoneTimeSeries

extension SQLiteIndexer {
    @discardableResult
    public func createArchivePolicy(_ policy: ArchivePolicy) async throws -> ArchivePolicy {
        try await writeTransaction { db in
            guard try !Self.archivePolicyExists(policy.name, db) else {
                throw IndexerError.archivePolicyAlreadyExists(policy.name)
            }
            try Self.insert(policy, db)
            try Self.bumpGeneration(db)
        }
        return policy
    }

    public func archivePolicy(named name: String) async throws -> ArchivePolicy? {
        try await currentCatalog().policiesByName[name]
    }

    public func archivePolicies() async throws -> [ArchivePolicy] {
        try await currentCatalog().policies
    }

    public func updateArchivePolicy(named name: String, definition: [ArchivePolicyItem], backWindow: Int?)
        async throws -> ArchivePolicy
    {
        try await writeTransaction { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM archive_policy WHERE name = ?", arguments: [name])
            else { throw IndexerError.noSuchArchivePolicy(name) }
            let current = try SQLiteColumns.archivePolicy(row)
            let updated: ArchivePolicy
            do {
                updated = try current.updating(definition: definition, backWindow: backWindow)
            } catch let error as ArchivePolicyError {
                throw IndexerError.invalidArchivePolicy(error)
            }
            try db.execute(
                sql: "UPDATE archive_policy SET definition = ?, back_window = ? WHERE name = ?",
                arguments: [SQLiteColumns.definitionJSON(updated.definition), updated.backWindow, name])
            if current.backWindowShrinks(to: backWindow) {
                try db.execute(
                    sql: "UPDATE metric SET needs_raw_data_truncation = 1 WHERE archive_policy_name = ?",
                    arguments: [name])
            }
            try Self.bumpGeneration(db)
            return updated
        }
    }

    public func deleteArchivePolicy(named name: String) async throws {
        try await writeTransaction { db in
            guard try Self.archivePolicyExists(name, db) else { throw IndexerError.noSuchArchivePolicy(name) }
            // Both lookups use an index on archive_policy_name: no scan of all metrics.
            let used =
                try Bool.fetchOne(
                    db,
                    sql: """
                        SELECT EXISTS (SELECT 1 FROM metric WHERE archive_policy_name = ?1)
                            OR EXISTS (SELECT 1 FROM archive_policy_rule WHERE archive_policy_name = ?1)
                        """, arguments: [name]) ?? true
            guard !used else { throw IndexerError.archivePolicyInUse(name) }
            try db.execute(sql: "DELETE FROM archive_policy WHERE name = ?", arguments: [name])
            try Self.bumpGeneration(db)
        }
    }

    static func archivePolicyExists(_ name: String, _ db: Database) throws -> Bool {
        try Bool.fetchOne(
            db, sql: "SELECT EXISTS (SELECT 1 FROM archive_policy WHERE name = ?)", arguments: [name])
            ?? false
    }

    static func insert(_ policy: ArchivePolicy, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO archive_policy (name, back_window, definition, aggregation_methods)
                VALUES (?, ?, ?, ?)
                """,
            arguments: [
                policy.name, policy.backWindow, SQLiteColumns.definitionJSON(policy.definition),
                SQLiteColumns.methodsJSON(policy.aggregationMethods),
            ])
    }
}
