public import Logging
import PostgresNIO
public import RondoneIndexerPostgreSQL
public import RondoneProcessing
public import RondoneStorage
import RondoneStoragePostgreSQL
import Synchronization

/// The coordinator of a scaled-out deployment: the metricd processes sharing one
/// PostgreSQL database are its members, and the sacks are spread over their workers.
///
/// * Members: a row each in `rondone_member` (name, workers, expiry), renewed by a
///   heartbeat every quarter of the lease TTL; a member whose row expired is dead.
/// * Leases: a row per sack in `rondone_sack_lease` (holder, fencing token from the
///   sequence `rondone_lease_token`, expiry). A worker's lease expires with its
///   member's row (the heartbeat renews both to the same instant), and one that has
///   expired is never renewed: it can only be taken again, with a new token.
/// * Spreading: rendezvous hashing over every (member, worker) slot of the live members
///   (``Rendezvous``); each worker asks for its share every round and acquires or
///   renews it in one statement, gets nothing still held by someone else, and deletes
///   the leases of sacks that moved to another member.
/// * Wake-ups: `LISTEN`/`NOTIFY` on a channel of the schema: join, leave and released
///   sacks make the other members look at once; a refresh elsewhere asks a sack's holder
///   to process it now.
///
/// Every time is PostgreSQL's (`clock_timestamp()`), never this process's, so clock skew
/// between hosts cannot make two holders. Commits are fenced with `PostgreSQLFence`.
/// Guarantees and timings are in docs/PROCESSING.md ("The PostgreSQL coordinator").
/// A PostgreSQL that is down makes calls fail with `StorageError.backend`; the
/// heartbeat keeps trying and joins again when the server is back.
public final class PostgreSQLCoordinator: Coordinator {
    /// How the coordinator behaves.
    public struct Options: Sendable {
        /// How long a member and its leases live without a heartbeat: a crashed member's
        /// sacks are taken over after at most this (plus a round).
        public var leaseTTL: Duration
        /// Most connections of its pool (one is held for `LISTEN` while joined).
        public var maximumConnections: Int
        /// This process's name among the members; by default `HOST:PID:RANDOM`.
        public var name: String?
        /// The longest one statement may take (connecting included) before it fails
        /// with `StorageError.backend`.
        public var timeout: Duration

        public init(
            leaseTTL: Duration = .seconds(5), maximumConnections: Int = 4, name: String? = nil,
            timeout: Duration = .seconds(5)
        ) {
            self.leaseTTL = leaseTTL
            self.maximumConnections = maximumConnections
            self.name = name
            self.timeout = timeout
        }
    }

    /// This process's name among the members.
    public let name: String
    let options: Options
    let database: PostgreSQLDatabase
    let state = Mutex(State())

    struct State {
        /// The `LISTEN`/`NOTIFY` channel, known once the tables were made.
        var channel: String?
        var membership: Membership?
        /// The live members as last read (sorted by name), and their sack owners.
        var members: [Rendezvous.Member] = []
        var rendezvous: Rendezvous?
        /// Per worker of this process, the leases it was last given.
        var held: [Int: [Int: Int64]] = [:]
        /// Refresh leases of this process: token and how many callers share it.
        var refreshes: [Int: (token: Int64, users: Int)] = [:]
    }

    struct Membership {
        var workers: Int
        var wake: @Sendable () -> Void
        var signal: CoordinatorSignal
        var tasks: [Task<Void, Never>]
    }

    /// Connects lazily to `url`; the tables are made by ``upgrade()`` or on first use.
    public init(url: PostgreSQLURL, options: Options = Options(), logger: Logger? = nil) {
        let logger = logger ?? Logger(label: "rondone.coordinator.postgresql")
        self.options = options
        self.name = options.name ?? MemberName.make()
        self.database = PostgreSQLDatabase(
            url: url, maximumConnections: max(2, options.maximumConnections), timeout: options.timeout,
            logger: logger)
    }

    deinit {
        for task in state.withLock({ $0.membership?.tasks ?? [] }) { task.cancel() }
    }

    /// Leaves if joined and closes the connections.
    public func shutdown() async {
        await leave()
        await database.shutdown()
    }

    /// The holder of this process's refresh leases (not renewed by the heartbeat).
    var refreshHolder: String { name + "/refresh" }

    var ttlMilliseconds: Int64 {
        let (seconds, attoseconds) = options.leaseTTL.components
        return max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }

    // MARK: Coordinator

    public func join(workers: Int, wake: @escaping @Sendable () -> Void) async throws {
        await leave()
        let workers = max(1, workers)
        let channel = try await channel()
        let signal = CoordinatorSignal()
        let listening = CoordinatorSignal()
        state.withLock { state in
            state.membership = Membership(workers: workers, wake: wake, signal: signal, tasks: [])
            state.held = [:]
        }
        // High priority, both: a heartbeat late behind processing (background priority)
        // would let the member expire while it works.
        let listener = Task(priority: .high) { [self] in
            await listen(channel: channel, signal: signal, listening: listening)
        }
        state.withLock { $0.membership?.tasks = [listener] }
        // Listening before announcing: the others answer a join by releasing sacks, and
        // those notifications must not be missed.
        await listening.wait(timeout: options.timeout)
        do {
            try await heartbeat(workers: workers, announce: true)
        } catch {
            _ = await stopTasks()
            throw error
        }
        _ = try? await refreshMembers()
        let maintainer = Task(priority: .high) { [self] in await maintain(workers: workers, signal: signal) }
        state.withLock { $0.membership?.tasks.append(maintainer) }
        database.logger.info(
            "Joined the metricd members", metadata: ["member": "\(name)", "workers": "\(workers)"])
    }

    /// Ends the membership here (heartbeat, `LISTEN`) without telling PostgreSQL;
    /// returns whether there was one.
    private func stopTasks() async -> Bool {
        guard
            let membership = state.withLock({ state -> Membership? in
                defer { state.membership = nil }
                return state.membership
            })
        else { return false }
        for task in membership.tasks { task.cancel() }
        for task in membership.tasks { await task.value }
        state.withLock { state in
            state.held = [:]
            state.members = []
            state.rendezvous = nil
        }
        return true
    }

    public func leave() async {
        guard await stopTasks() else { return }
        let (name, logger) = (self.name, database.logger)
        do {
            let channel = try await channel()
            try await database.withConnection("leaving the metricd members") { connection in
                try await connection.query(
                    """
                    WITH leases AS (DELETE FROM rondone_sack_lease WHERE holder = \(name) RETURNING sack),
                    member AS (DELETE FROM rondone_member WHERE name = \(name) RETURNING name)
                    SELECT pg_notify(\(channel), 'members')
                    """, logger: logger
                ).collect()
            }
            logger.info("Left the metricd members", metadata: ["member": "\(name)"])
        } catch {
            logger.warning(
                "Unable to leave the metricd members; its sacks go to the others when its leases expire",
                metadata: ["member": "\(name)", "error": "\(error)"])
        }
    }

    public func sacks(for worker: Int, of workers: Int, sackCount: Int) async throws -> [SackLease] {
        let plan = state.withLock { state -> (mine: [Int], release: [Int])? in
            guard let membership = state.membership, (0..<membership.workers).contains(worker) else {
                return nil
            }
            if state.rendezvous == nil || state.rendezvous!.owners.count != sackCount {
                state.rendezvous = Rendezvous(members: state.members, sackCount: sackCount)
            }
            let rendezvous = state.rendezvous!
            let owned = Set(rendezvous.sacks(of: name, worker: worker))
            // A sack moving between two workers of this process keeps its lease (same
            // holder, same token): the new worker takes it once the old one has let it
            // go on its next round, so no two workers ever hold it at once.
            let elsewhere = Set(state.held.filter { $0.key != worker }.values.flatMap(\.keys))
            let release = (state.held[worker] ?? [:]).keys.filter {
                !owned.contains($0) && rendezvous.owner(of: $0) != name
            }
            return (owned.subtracting(elsewhere).sorted(), release.sorted())
        }
        guard let plan else { return [] }
        if !plan.release.isEmpty { try await release(sacks: plan.release) }
        let leases = plan.mine.isEmpty ? [] : try await acquire(plan.mine)
        state.withLock { state in
            state.held[worker] = Dictionary(uniqueKeysWithValues: leases.map { ($0.sack, $0.token) })
        }
        return leases
    }

    public func lease(sack: Int) async throws -> SackLease? {
        let channel = try await channel()
        let (name, refreshHolder, ttl, logger) = (
            self.name, self.refreshHolder, ttlMilliseconds, database.logger
        )
        let row = try await database.withConnection("leasing sack \(sack)") { connection in
            let rows = try await connection.query(
                """
                WITH taken AS (
                    INSERT INTO rondone_sack_lease AS l (sack, holder, token, expires_at)
                    VALUES (\(Int32(sack)), \(refreshHolder), nextval('rondone_lease_token'),
                        clock_timestamp() + \(ttl) * interval '1 millisecond')
                    ON CONFLICT (sack) DO UPDATE SET
                        holder = excluded.holder, token = excluded.token, expires_at = excluded.expires_at
                    WHERE l.expires_at <= clock_timestamp()
                    RETURNING holder, token),
                current AS (
                    SELECT holder, token, expires_at > clock_timestamp() AS live FROM rondone_sack_lease
                    WHERE sack = \(Int32(sack)) AND NOT EXISTS (SELECT 1 FROM taken)),
                notified AS (
                    SELECT pg_notify(\(channel), 'wake ' || regexp_replace(holder, '/refresh$', ''))
                    FROM current WHERE live AND holder <> \(name) AND holder <> \(refreshHolder))
                SELECT holder, token, true FROM taken
                UNION ALL
                SELECT holder, token, live FROM current WHERE (SELECT count(*) FROM notified) >= 0
                """, logger: logger)
            for try await row in rows.decode((String, Int64, Bool).self) { return Optional(row) }
            return nil
        }
        guard let (holder, token, live) = row, live else { return nil }
        if holder == name { return SackLease(sack: sack, token: token) }
        if holder == refreshHolder {
            // Another refresh of this process holds it: share the lease (the incoming
            // store's claim keeps the two apart); the last to release it deletes it.
            state.withLock { state in
                let users = state.refreshes[sack].map { $0.token == token ? $0.users : 0 } ?? 0
                state.refreshes[sack] = (token, users + 1)
            }
            return SackLease(sack: sack, token: token)
        }
        // Held by another member, which the statement asked to look at the sack now.
        return nil
    }

    public func release(_ lease: SackLease) async {
        let last = state.withLock { state -> Bool in
            guard let current = state.refreshes[lease.sack], current.token == lease.token else {
                return false
            }
            if current.users > 1 {
                state.refreshes[lease.sack] = (current.token, current.users - 1)
                return false
            }
            state.refreshes[lease.sack] = nil
            return true
        }
        // A worker's lease (answered to a refresh in its process) stays with the worker.
        guard last else { return }
        let (refreshHolder, logger) = (self.refreshHolder, database.logger)
        do {
            try await database.withConnection("releasing \(lease)") { connection in
                try await connection.query(
                    """
                    DELETE FROM rondone_sack_lease
                    WHERE sack = \(Int32(lease.sack)) AND token = \(lease.token) AND holder = \(refreshHolder)
                    """, logger: logger)
            }
        } catch {
            logger.warning(
                "Unable to release \(lease); it expires on its own", metadata: ["error": "\(error)"])
        }
    }

    public func members() async throws -> [String]? {
        _ = try await channel()
        let logger = database.logger
        return try await database.withConnection("listing the metricd members") { connection in
            let rows = try await connection.query(
                "SELECT name FROM rondone_member WHERE expires_at > clock_timestamp() ORDER BY name",
                logger: logger)
            var names: [String] = []
            for try await name in rows.decode(String.self) { names.append(name) }
            return names
        }
    }
}
