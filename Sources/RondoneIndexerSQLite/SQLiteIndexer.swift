import Foundation
import GRDB
import RondoneIndexer
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
    /// The WAL file's size and time as ``truncateIdleWAL()`` last saw them.
    private let idleWAL = Mutex<WALStamp?>(nil)

    struct WALStamp: Equatable {
        var size: Int
        var modified: Date?
    }

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
            // A checkpoint every 256 pages (1 MiB of WAL, SQLite's default is 4 MiB),
            // after which the WAL file is cut back to 1 MiB; by default it keeps its
            // largest size ever (6–8 MB after creating 100 000 metrics) for good.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 256")
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

    /// Empties the write-ahead log file when it holds more than `threshold` bytes and
    /// has not changed since the previous call, i.e. nothing was written in between.
    ///
    /// SQLite only cuts the file back when a write starts after a checkpoint that
    /// caught up with every reader; under steady reads that never happens, and the WAL
    /// of a bulk creation (6–8 MB for 100 000 metrics) stays on disk while the index
    /// sits idle. A `TRUNCATE` checkpoint waits for readers to finish and holds off
    /// writers meanwhile, so it is only run on an index no one is writing to.
    public func truncateIdleWAL(threshold: Int = 1 << 20) async {
        let wal = path + "-wal"
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: wal),
            let size = attributes[.size] as? Int, size > threshold
        else {
            idleWAL.withLock { $0 = nil }
            return
        }
        let stamp = WALStamp(size: size, modified: attributes[.modificationDate] as? Date)
        let unchanged = idleWAL.withLock { previous in
            defer { previous = stamp }
            return previous == stamp
        }
        guard unchanged else { return }
        _ = try? await pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
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
