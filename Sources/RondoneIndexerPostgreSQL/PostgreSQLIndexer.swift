import Logging
import PostgresNIO
import RondoneIndexer
import RondoneTimeSeries
import Synchronization

/// The ``Indexer`` of a scaled-out deployment: one PostgreSQL database shared by every
/// `rondone api` and `rondone metricd` process, through postgres-nio's pooled client.
///
/// Guarantees, beyond the protocol's:
/// * every method is one transaction (READ COMMITTED; reads of several statements run in
///   one REPEATABLE READ snapshot), so a refusal or a crash leaves nothing half-done;
/// * rules that must hold across processes (unique names, a metric name per resource,
///   policies in use) are constraints of the schema, and their violations become the
///   same ``IndexerError`` a check would have thrown; rows a change depends on are
///   locked (`FOR UPDATE` / `FOR SHARE`) rather than re-checked;
/// * archive policies and rules are cached with the `catalog_version.generation` they
///   were read at; every change bumps it in its own transaction, so one single-row read
///   tells any process whether its cache is current;
/// * a statement or transaction that fails because its pooled connection died (a
///   PostgreSQL restart) runs again on another connection, as long as nothing of it
///   can have committed (never once its `COMMIT` was sent).
///
/// The client's background work runs in a task the indexer owns; call ``shutdown()``
/// when done with it (deinit cancels it too).
public final class PostgreSQLIndexer: Indexer {
    let client: PostgresClient
    let logger: Logger
    let maximumConnections: Int
    /// The database as given (its password hidden in descriptions).
    public let url: PostgreSQLURL
    /// The exported snapshot every read adopts (a backup's reader), or nil.
    public let snapshot: String?
    private let runner: Task<Void, Never>
    /// Set by the runner just before it runs the client: leases wait for it, so the
    /// first request after `init` does not race the client's start.
    private let started: StartFlag
    private let cache = Mutex<Catalog?>(nil)

    /// Policies and rules as of one catalog generation.
    struct Catalog: Sendable {
        var generation: Int64
        var policies: [ArchivePolicy]
        var policiesByName: [String: ArchivePolicy]
        /// In matching order.
        var rules: [ArchivePolicyRule]
    }

    /// Connects lazily to `url` with at most `maximumConnections` connections. Call
    /// ``upgrade(createDefaultPolicies:)`` before use. With `snapshot` (an exported
    /// snapshot's identifier, `pg_export_snapshot()`), every read sees the database as
    /// that snapshot does, for as long as its exporting transaction stays open; such an
    /// indexer is for reading only.
    public init(
        url: PostgreSQLURL, maximumConnections: Int = 20, logger: Logger? = nil, snapshot: String? = nil
    ) {
        var configuration = url.clientConfiguration
        configuration.options.maximumConnections = max(1, maximumConnections)
        self.maximumConnections = max(1, maximumConnections)
        self.url = url
        self.snapshot = snapshot
        self.logger = logger ?? Logger(label: "rondone.indexer.postgresql")
        let client = PostgresClient(configuration: configuration, backgroundLogger: self.logger)
        self.client = client
        let started = StartFlag()
        self.started = started
        runner = Task {
            started.set()
            await client.run()
        }
    }

    /// ``init(url:maximumConnections:logger:)`` from the URL's text.
    public convenience init(url text: String, maximumConnections: Int = 20, logger: Logger? = nil) throws {
        self.init(
            url: try PostgreSQLURL(parsing: text), maximumConnections: maximumConnections, logger: logger)
    }

    deinit { runner.cancel() }

    /// Closes every connection and stops the client; later calls fail.
    public func shutdown() async {
        runner.cancel()
        await runner.value
    }

    public func upgrade(createDefaultPolicies: Bool) async throws {
        try await write { session in
            // Under the schema's advisory lock, so that two processes starting at once
            // neither both migrate nor both create the defaults.
            try await PostgreSQLSchema.upgrade(session)
            guard createDefaultPolicies else { return }
            let used = try await session.exists(
                """
                SELECT 1 WHERE EXISTS (SELECT 1 FROM archive_policy)
                    OR EXISTS (SELECT 1 FROM archive_policy_rule)
                """
            )
            guard !used else { return }
            for policy in ArchivePolicy.defaultPolicies {
                _ = try await PostgreSQLPolicies.insert(policy, session)
            }
            let rule = ArchivePolicyRule.default
            try await session.execute(
                """
                INSERT INTO archive_policy_rule (name, archive_policy_name, metric_pattern)
                VALUES (\(rule.name), \(rule.archivePolicyName), \(rule.metricPattern))
                """)
            try await Self.bumpGeneration(session)
        }
    }

    // MARK: Transactions

    /// Runs `body` in one read-write transaction: all of it commits or none.
    func write<T: Sendable>(_ body: (PostgreSQLSession) async throws -> T) async throws -> T {
        try await transaction("BEGIN", body)
    }

    /// Runs `body` on one snapshot (REPEATABLE READ, READ ONLY).
    func read<T: Sendable>(_ body: (PostgreSQLSession) async throws -> T) async throws -> T {
        try await transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    private func transaction<T: Sendable>(
        _ begin: PostgresQuery, _ body: (PostgreSQLSession) async throws -> T
    ) async throws -> T {
        if let snapshot {
            // Spliced (SET takes no parameter): only hexadecimal digits and dashes pass.
            guard !snapshot.isEmpty, snapshot.utf8.allSatisfy({ "0123456789ABCDEF-".utf8.contains($0) })
            else {
                throw IndexerError.corruptIndex("\(snapshot) is not a PostgreSQL snapshot identifier")
            }
        }
        var attempt = 0
        while true {
            // Set once COMMIT is sent: from then on the outcome is unknown and a retry
            // could apply the change twice.
            var committing = false
            do {
                return try await withSession { session in
                    try await session.execute(begin)
                    let result: T
                    do {
                        if let snapshot {
                            try await session.execute(
                                PostgresQuery(unsafeSQL: "SET TRANSACTION SNAPSHOT '\(snapshot)'"))
                        }
                        result = try await body(session)
                    } catch {
                        do {
                            try await session.execute("ROLLBACK")
                        } catch {
                            // Never hand the pool a connection still inside a transaction.
                            try? await session.connection.close()
                        }
                        throw error
                    }
                    committing = true
                    try await session.execute("COMMIT")
                    return result
                }
            } catch let error where !committing && shouldRetry(error, attempt: &attempt) {
                try await Task.sleep(for: .milliseconds(5 * attempt))
            }
        }
    }

    /// Runs one statement outside an explicit transaction (a read), again on a new
    /// connection if its connection was lost.
    func single<T: Sendable>(_ body: (PostgreSQLSession) async throws -> T) async throws -> T {
        if snapshot != nil { return try await read(body) }
        var attempt = 0
        while true {
            do {
                return try await withSession(body)
            } catch let error where shouldRetry(error, attempt: &attempt) {
                try await Task.sleep(for: .milliseconds(5 * attempt))
            }
        }
    }

    /// Whether to run again what failed with `error`: only when its connection was lost
    /// (each such failure takes one dead connection out of the pool, so the pool's size
    /// plus one attempts reach a live one, or a new one after a restart).
    private func shouldRetry(_ error: any Error, attempt: inout Int) -> Bool {
        guard PostgreSQLErrors.isConnectionLost(error), attempt < maximumConnections + 1 else { return false }
        attempt += 1
        logger.info(
            "PostgreSQL connection lost; trying again",
            metadata: ["attempt": "\(attempt)", "error": "\(PostgreSQLErrors.summary(error))"])
        return true
    }

    /// Leases a connection from the pool for `body`.
    private func withSession<T: Sendable>(_ body: (PostgreSQLSession) async throws -> T) async throws -> T {
        while !started.isSet { await Task.yield() }
        return try await client.withConnection { connection in
            try await body(PostgreSQLSession(connection: connection, logger: logger))
        }
    }

    // MARK: Catalog

    static func bumpGeneration(_ session: PostgreSQLSession) async throws {
        try await session.execute("UPDATE catalog_version SET generation = generation + 1 WHERE id = 1")
    }

    static func generation(_ session: PostgreSQLSession) async throws -> Int64 {
        guard let generation = try await session.first(PostgreSQLStatements.Generation()) else {
            throw IndexerError.corruptIndex("catalog_version has no row; was upgrade run?")
        }
        return generation
    }

    /// A catalog at least as recent as `generation`: the cached one, or one read now
    /// (in `session`'s transaction when given, else in a snapshot of its own).
    func catalog(atLeast generation: Int64, _ session: PostgreSQLSession? = nil) async throws -> Catalog {
        if let cached = cache.withLock({ $0 }), cached.generation >= generation { return cached }
        let catalog: Catalog
        if let session {
            catalog = try await Self.loadCatalog(session)
        } else {
            catalog = try await read { session in try await Self.loadCatalog(session) }
        }
        cache.withLock { cached in
            if cached == nil || cached!.generation < catalog.generation { cached = catalog }
        }
        return catalog
    }

    /// The current catalog: one single-row read while nothing changed.
    func currentCatalog() async throws -> Catalog {
        let generation = try await single { session in try await Self.generation(session) }
        return try await catalog(atLeast: generation)
    }

    private static func loadCatalog(_ session: PostgreSQLSession) async throws -> Catalog {
        let generation = try await Self.generation(session)
        let policies = try await PostgreSQLPolicies.all(session)
        let rules = try await session.rows(
            "SELECT name, metric_pattern, archive_policy_name FROM archive_policy_rule"
        ).map { row in
            ArchivePolicyRule(
                name: try row.get("name"), metricPattern: try row.get("metric_pattern"),
                archivePolicyName: try row.get("archive_policy_name"))
        }
        return Catalog(
            generation: generation, policies: policies,
            policiesByName: Dictionary(
                policies.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first }),
            rules: rules.sorted { $0.precedes($1) })
    }
}

/// Whether the indexer's runner task has started the client.
private final class StartFlag: Sendable {
    private let value = Mutex(false)

    var isSet: Bool { value.withLock { $0 } }

    func set() { value.withLock { $0 = true } }
}
