import PostgresNIO
import RondoneIndexer
import RondoneTimeSeries

extension PostgreSQLIndexer {
    @discardableResult
    public func createArchivePolicy(_ policy: ArchivePolicy) async throws -> ArchivePolicy {
        try await write { session in
            // The primary key decides between concurrent creations (ON CONFLICT waits
            // for the other transaction, then does nothing).
            guard try await PostgreSQLPolicies.insert(policy, session) else {
                throw IndexerError.archivePolicyAlreadyExists(policy.name)
            }
            try await Self.bumpGeneration(session)
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
        try await write { session in
            guard let current = try await PostgreSQLPolicies.lockedForUpdate(name, session) else {
                throw IndexerError.noSuchArchivePolicy(name)
            }
            let updated: ArchivePolicy
            do {
                updated = try current.updating(definition: definition, backWindow: backWindow)
            } catch let error as ArchivePolicyError {
                throw IndexerError.invalidArchivePolicy(error)
            }
            try await session.execute(
                "UPDATE archive_policy SET back_window = \(Int64(updated.backWindow)) WHERE name = \(name)")
            try await PostgreSQLPolicies.insertDefinition(name, updated.definition, session)
            if current.backWindowShrinks(to: backWindow) {
                try await session.execute(
                    "UPDATE metric SET needs_raw_data_truncation = true WHERE archive_policy_name = \(name)")
            }
            try await Self.bumpGeneration(session)
            return updated
        }
    }

    public func deleteArchivePolicy(named name: String) async throws {
        try await write { session in
            // The lock keeps metrics and rules from starting to use the policy (their
            // foreign key checks wait for it) between the check and the deletion.
            guard try await session.exists("SELECT 1 FROM archive_policy WHERE name = \(name) FOR UPDATE")
            else {
                throw IndexerError.noSuchArchivePolicy(name)
            }
            // Both lookups use an index on archive_policy_name: no scan of all metrics.
            let used = try await session.exists(
                """
                SELECT 1 WHERE EXISTS (SELECT 1 FROM metric WHERE archive_policy_name = \(name))
                    OR EXISTS (SELECT 1 FROM archive_policy_rule WHERE archive_policy_name = \(name))
                """)
            guard !used else { throw IndexerError.archivePolicyInUse(name) }
            do {
                try await session.execute("DELETE FROM archive_policy WHERE name = \(name)")
            } catch let error where PostgreSQLErrors.isViolation(error, PostgreSQLErrors.foreignKeyViolation)
            {
                throw IndexerError.archivePolicyInUse(name)
            }
            try await Self.bumpGeneration(session)
        }
    }

    static func archivePolicyExists(_ name: String, _ session: PostgreSQLSession) async throws -> Bool {
        try await session.exists("SELECT 1 FROM archive_policy WHERE name = \(name)")
    }
}
