import Foundation
import GRDB
import RondoneTimeSeries
import Synchronization

/// The default ``Indexer``: one SQLite file in WAL mode through a GRDB `DatabasePool`.
///
/// Durability: `synchronous=FULL`, so a write that returned is on disk (WAL fsynced at
/// each commit). Every write is one `BEGIN IMMEDIATE` transaction, so a refusal leaves
/// nothing behind and two processes sharing the file serialise instead of failing
/// half-way. Reads run concurrently with the writer on their own snapshots.
///
/// Archive policies and rules are cached in memory together with the
/// `catalog_version.generation` they were read at; any change bumps the generation, so
/// a cached answer costs one single-row read and stays right even when another process
/// changed the catalog.
public final class SQLiteIndexer: Indexer {
    let pool: DatabasePool
    /// The database file.
    public let path: String
    private let cache = Mutex<Catalog?>(nil)

    /// Policies and rules as of one catalog generation.
    struct Catalog: Sendable {
        var generation: Int64
        var policies: [ArchivePolicy]
        var policiesByName: [String: ArchivePolicy]
        /// In matching order.
        var rules: [ArchivePolicyRule]
    }

    /// Opens (creating if needed) the index at `path`. Call ``upgrade(createDefaultPolicies:)``
    /// before use.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // After a checkpoint the WAL file is cut back to 1 MiB; otherwise it keeps
            // its largest size ever (8 MB after creating 100 000 metrics) for good.
            try db.execute(sql: "PRAGMA journal_size_limit = 1048576")
        }
        self.path = path
        pool = try DatabasePool(path: path, configuration: configuration)
    }

    public func upgrade(createDefaultPolicies: Bool) async throws {
        try SQLiteSchema.migrator.migrate(pool)
        guard createDefaultPolicies else { return }
        try await writeTransaction { db in
            let policies = try Int.fetchOne(db, sql: "SELECT count(*) FROM archive_policy") ?? 0
            let rules = try Int.fetchOne(db, sql: "SELECT count(*) FROM archive_policy_rule") ?? 0
            guard policies == 0 && rules == 0 else { return }
            for policy in ArchivePolicy.defaultPolicies { try Self.insert(policy, db) }
            try Self.insert(ArchivePolicyRule.default, db)
            try Self.bumpGeneration(db)
        }
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction: all of it commits or none.
    func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(db)
                return .commit
            }
            guard let result else { preconditionFailure("BUG: committed transaction without a result") }
            return result
        }
    }

    static func bumpGeneration(_ db: Database) throws {
        try db.execute(sql: "UPDATE catalog_version SET generation = generation + 1 WHERE id = 1")
    }

    static func generation(_ db: Database) throws -> Int64 {
        guard
            // Cached: every policy lookup reads it (the cheap check that keeps the catalog fresh).
            let generation = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT generation FROM catalog_version WHERE id = 1"))
        else { throw IndexerError.corruptIndex("catalog_version has no row; was upgrade run?") }
        return generation
    }

    /// The catalog as of `generation` (read in the caller's transaction), from the
    /// cache when it is that recent.
    func catalog(_ db: Database, generation: Int64) throws -> Catalog {
        if let cached = cache.withLock({ $0 }), cached.generation == generation { return cached }
        let policies = try Row.fetchAll(db, sql: "SELECT * FROM archive_policy ORDER BY rowid").map {
            row throws(IndexerError) in try SQLiteColumns.archivePolicy(row)
        }
        let rules = try Row.fetchAll(
            db, sql: "SELECT * FROM archive_policy_rule ORDER BY metric_pattern DESC, name ASC"
        ).map(SQLiteColumns.rule)
        let catalog = Catalog(
            generation: generation, policies: policies,
            policiesByName: Dictionary(
                policies.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first }),
            rules: rules)
        cache.withLock { cached in
            if cached == nil || cached!.generation < generation { cached = catalog }
        }
        return catalog
    }

    /// The current catalog, in a read transaction of its own.
    func currentCatalog() async throws -> Catalog {
        try await pool.read { db in try self.catalog(db, generation: try Self.generation(db)) }
    }
}
