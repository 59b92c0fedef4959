public import Logging
import NIOCore
import PostgresNIO
public import RondoneIndexerPostgreSQL
public import RondoneStorage
import RondoneTimeSeries
import Synchronization

/// The incoming store of a scaled-out deployment: measures wait in one PostgreSQL
/// table that every `rondone api` and `rondone metricd` process shares.
///
/// * `rondone_incoming(id bigserial, sack, metric uuid, points, payload bytea)`: one row
///   per accepted batch (``IncomingPayload`` says what the payload holds), indexed on
///   `(sack, metric, id)`, which serves a sack's claim (by metric, in arrival order), a
///   metric's claim, a sack's backlog and a metric's deletion.
/// * `rondone_incoming_settings`: the sack count, fixed when the table is created.
///
/// `add` is one multi-row `INSERT` (arrays bound as four parameters and `unnest`ed):
/// when it returns, PostgreSQL committed it, so it is as durable as the server's
/// `synchronous_commit` makes commits (on by default; a warning is logged at open if
/// it is off). A claim reads the rows and keeps their ids; `complete` deletes exactly
/// those ids, so batches added meanwhile wait for the next claim. The one-claim-per-sack
/// rule holds in this process, as in the file store; between processes the
/// coordinator's leases keep claims apart. A PostgreSQL that is down or restarting makes
/// each operation fail with `StorageError.backend` (within `Options.timeout`), never
/// crash; the next operation connects again.
public final class PostgreSQLIncomingStore: IncomingStore {
    /// How to open the store.
    public struct Options: Sendable {
        /// The number of sacks when the table is created (later opens must agree).
        /// Gnocchi's default, 128: on PostgreSQL a sack costs no sync of its own, and
        /// more sacks spread better over many metricd processes.
        public var sacks: Int
        /// Most connections of this store's pool.
        public var maximumConnections: Int
        /// The longest one operation may take (connecting included) before it fails.
        public var timeout: Duration

        public init(sacks: Int = 128, maximumConnections: Int = 8, timeout: Duration = .seconds(10)) {
            self.sacks = sacks
            self.maximumConnections = maximumConnections
            self.timeout = timeout
        }
    }

    public let sackCount: Int
    let database: PostgreSQLDatabase
    /// The outstanding claim of each sack in this process: its token and row ids.
    let claims = Mutex<[Int: (token: UInt64, ids: [Int64])]>([:])
    private let nextToken = Atomic<UInt64>(1)

    /// Opens the store in `url`'s database, creating its tables if needed.
    ///
    /// - Throws: `StorageError.sackCountMismatch` when the table was created with another
    ///   sack count; `.backend` when PostgreSQL cannot be reached or refuses.
    public init(url: PostgreSQLURL, options: Options = Options(), logger: Logger? = nil) async throws {
        guard (1...65535).contains(options.sacks) else { throw StorageError.invalidSack(options.sacks) }
        let logger = logger ?? Logger(label: "rondone.incoming.postgresql")
        let database = PostgreSQLDatabase(
            url: url, maximumConnections: options.maximumConnections, timeout: options.timeout, logger: logger
        )
        do {
            let stored = try await Self.upgrade(database, sacks: options.sacks)
            guard stored == options.sacks else {
                throw StorageError.sackCountMismatch(stored: stored, requested: options.sacks)
            }
            let synchronous = try await database.withConnection("reading synchronous_commit") { connection in
                try await connection.query("SHOW synchronous_commit", logger: logger).collect().first?
                    .decode(String.self)
            }
            if synchronous == "off" {
                logger.warning(
                    "synchronous_commit is off: measures acknowledged just before a PostgreSQL crash may be lost"
                )
            }
        } catch {
            await database.shutdown()
            throw error
        }
        self.database = database
        self.sackCount = options.sacks
    }

    /// Closes the pool's connections; later calls fail.
    public func shutdown() async { await database.shutdown() }

    /// Creates the tables if needed (under an advisory lock, so processes starting
    /// at once do it once) and returns the sack count they were created with.
    private static func upgrade(_ database: PostgreSQLDatabase, sacks: Int) async throws -> Int {
        let logger = database.logger
        return try await database.transaction("creating the incoming tables") { connection in
            // One lock per schema ("RDNI" and the schema's name): deployments (and tests)
            // sharing a database through schemas do not wait for each other.
            try await connection.query(
                "SELECT pg_advisory_xact_lock(\(Int32(0x5244_4e49)), hashtext(current_schema()))",
                logger: logger)
            for statement in [
                """
                CREATE TABLE IF NOT EXISTS rondone_incoming_settings (
                    id integer PRIMARY KEY CHECK (id = 1), sacks integer NOT NULL CHECK (sacks > 0))
                """,
                """
                CREATE TABLE IF NOT EXISTS rondone_incoming (
                    id bigserial PRIMARY KEY, sack integer NOT NULL, metric uuid NOT NULL,
                    points integer NOT NULL CHECK (points >= 0), payload bytea NOT NULL)
                """,
                "CREATE INDEX IF NOT EXISTS rondone_incoming_sack ON rondone_incoming (sack, metric, id)",
            ] {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.query(
                """
                INSERT INTO rondone_incoming_settings (id, sacks) VALUES (1, \(sacks))
                ON CONFLICT (id) DO NOTHING
                """,
                logger: logger)
            let rows = try await connection.query(
                "SELECT sacks FROM rondone_incoming_settings", logger: logger)
            for try await stored in rows.decode(Int.self) { return stored }
            throw StorageError.backend("rondone_incoming_settings has no row")
        }
    }

    public func add(_ batches: [IncomingBatch]) async throws {
        guard !batches.isEmpty else { return }
        var sacks: [Int32] = []
        var metrics: [String] = []
        var points: [Int32] = []
        var payloads: [ByteBuffer] = []
        sacks.reserveCapacity(batches.count)
        metrics.reserveCapacity(batches.count)
        points.reserveCapacity(batches.count)
        payloads.reserveCapacity(batches.count)
        let allocator = ByteBufferAllocator()
        for batch in batches {
            guard batch.timestamps.count == batch.values.count else {
                throw StorageError.mismatchedLengths(
                    timestamps: batch.timestamps.count, values: batch.values.count)
            }
            guard batch.timestamps.count <= Int(Int32.max) / 16 else {
                throw StorageError.backend(
                    "A batch of \(batch.timestamps.count) points is too large for one row")
            }
            sacks.append(Int32(batch.metric.sack(among: sackCount)))
            metrics.append(batch.metric.description)
            points.append(Int32(batch.timestamps.count))
            payloads.append(IncomingPayload.encode(batch, allocator: allocator))
        }
        let (logger, columns) = (database.logger, (sacks, metrics, points, payloads))
        try await database.withConnection("storing \(batches.count) batches") { connection in
            let (sacks, metrics, points, payloads) = columns
            try await connection.query(
                """
                INSERT INTO rondone_incoming (sack, metric, points, payload)
                SELECT sack, metric::uuid, points, payload
                FROM unnest(
                    \(sacks)::integer[], \(metrics)::text[], \(points)::integer[], \(payloads)::bytea[])
                    AS batch(sack, metric, points, payload)
                """, logger: logger)
        }
    }

    public func backlog(sack: Int) async throws -> [MetricID: PendingCount] {
        try checkSack(sack)
        let logger = database.logger
        return try await database.withConnection("reading the backlog of sack \(sack)") { connection in
            let rows = try await connection.query(
                """
                SELECT uuid_send(metric), count(*), coalesce(sum(points), 0)::bigint FROM rondone_incoming
                WHERE sack = \(Int32(sack)) GROUP BY metric
                """, logger: logger)
            var result: [MetricID: PendingCount] = [:]
            for try await (metric, batches, points) in rows.decode((ByteBuffer, Int, Int).self) {
                result[try Self.metric(metric)] = PendingCount(batches: batches, measures: points)
            }
            return result
        }
    }

    public func backlogSummary() async throws -> BacklogSummary {
        let logger = database.logger
        let sackCount = self.sackCount
        return try await database.withConnection("reading the backlog") { connection in
            let rows = try await connection.query(
                """
                SELECT sack, count(DISTINCT metric), count(*), coalesce(sum(points), 0)::bigint
                FROM rondone_incoming GROUP BY sack
                """, logger: logger)
            var sacks = [BacklogSummary.SackTotals](
                repeating: .init(metrics: 0, batches: 0, measures: 0), count: sackCount)
            for try await (sack, metrics, batches, points) in rows.decode((Int32, Int, Int, Int).self)
            where (0..<sackCount).contains(Int(sack)) {
                sacks[Int(sack)] = .init(metrics: metrics, batches: batches, measures: points)
            }
            return BacklogSummary(sacks: sacks)
        }
    }

    func checkSack(_ sack: Int) throws {
        guard (0..<sackCount).contains(sack) else { throw StorageError.invalidSack(sack) }
    }

    func makeToken() -> UInt64 {
        nextToken.add(1, ordering: .relaxed).oldValue
    }

    /// A metric id from `uuid_send`'s 16 bytes.
    static func metric(_ bytes: ByteBuffer) throws -> MetricID {
        guard let high = bytes.getInteger(at: bytes.readerIndex, as: UInt64.self),
            let low = bytes.getInteger(at: bytes.readerIndex + 8, as: UInt64.self), bytes.readableBytes == 16
        else { throw StorageError.backend("A metric id of \(bytes.readableBytes) bytes in rondone_incoming") }
        return MetricID(high: high, low: low)
    }
}
