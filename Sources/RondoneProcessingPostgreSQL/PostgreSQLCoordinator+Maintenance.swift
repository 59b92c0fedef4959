import Logging
import PostgresNIO
import RondoneStorage
import RondoneStoragePostgreSQL

// The tables, the heartbeat, the member list, the notifications, and the two
// statements that move leases.
extension PostgreSQLCoordinator {
    /// Creates the coordination tables if needed (idempotent, under an advisory lock,
    /// so processes starting at once do it once). Other calls do it on first use.
    public func upgrade() async throws {
        let channel = try await makeTables()
        state.withLock { $0.channel = channel }
    }

    /// The notification channel, after making the tables on first use.
    func channel() async throws -> String {
        if let channel = state.withLock({ $0.channel }) { return channel }
        try await upgrade()
        return state.withLock { $0.channel } ?? Self.channelName("public")
    }

    /// One channel per schema: deployments (and tests) sharing a database through
    /// separate schemas do not wake each other. A quoted identifier of at most 63 bytes.
    static func channelName(_ schema: String) -> String {
        let safe = schema.lowercased().unicodeScalars.map {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) ? Character($0) : "_"
        }
        return String(("rondone_coordination_" + String(safe)).prefix(63))
    }

    private func makeTables() async throws -> String {
        let logger = database.logger
        return try await database.transaction("creating the coordination tables") { connection in
            // One lock per schema ("RDNC" and the schema's name): deployments (and tests)
            // sharing a database through schemas do not wait for each other.
            try await connection.query(
                "SELECT pg_advisory_xact_lock(\(Int32(0x5244_4e43)), hashtext(current_schema()))",
                logger: logger)
            for statement in [
                """
                CREATE TABLE IF NOT EXISTS rondone_member (
                    name text COLLATE "C" PRIMARY KEY, workers integer NOT NULL CHECK (workers > 0),
                    expires_at timestamptz NOT NULL)
                """,
                """
                CREATE TABLE IF NOT EXISTS rondone_sack_lease (
                    sack integer PRIMARY KEY, holder text COLLATE "C" NOT NULL, token bigint NOT NULL,
                    expires_at timestamptz NOT NULL)
                """,
                "CREATE INDEX IF NOT EXISTS rondone_sack_lease_holder ON rondone_sack_lease (holder)",
                "CREATE SEQUENCE IF NOT EXISTS rondone_lease_token",
            ] {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            var schema = "public"
            for try await name in try await connection.query("SELECT current_schema()", logger: logger)
                .decode(
                    String?.self)
            {
                schema = name ?? schema
            }
            return Self.channelName(schema)
        }
    }

    /// Renews this member's row (inserting it again if it was forgotten) and every
    /// lease it holds that has not expired, both to the same expiry, in one statement;
    /// forgets members dead for a minute. Announces the member (NOTIFY) when `announce`
    /// or when its row had expired: it is (again) one of the members.
    ///
    /// - Returns: whether the member had expired (its leases are gone).
    @discardableResult
    func heartbeat(workers: Int, announce: Bool) async throws -> Bool {
        let channel = try await channel()
        let (name, ttl, logger) = (self.name, ttlMilliseconds, database.logger)
        return try await database.withConnection("renewing the membership of \(name)") { connection in
            // Rows are locked in sack order, as every statement on leases does (and the
            // fence), so that two of them never wait for each other in a cycle.
            let rows = try await connection.query(
                """
                WITH clock AS (SELECT clock_timestamp() AS now),
                old AS (SELECT expires_at FROM rondone_member WHERE name = \(name)),
                member AS (
                    INSERT INTO rondone_member (name, workers, expires_at)
                    SELECT \(name), \(Int32(workers)), now + \(ttl) * interval '1 millisecond' FROM clock
                    ON CONFLICT (name) DO UPDATE
                        SET workers = excluded.workers, expires_at = excluded.expires_at
                    RETURNING expires_at),
                mine AS (
                    SELECT sack FROM rondone_sack_lease, clock
                    WHERE holder = \(name) AND expires_at > clock.now
                    ORDER BY sack FOR NO KEY UPDATE OF rondone_sack_lease),
                renewed AS (
                    UPDATE rondone_sack_lease AS l SET expires_at = member.expires_at FROM member, mine
                    WHERE l.sack = mine.sack RETURNING l.sack),
                forgotten AS (
                    DELETE FROM rondone_member AS m USING clock
                    WHERE m.expires_at < clock.now - interval '1 minute' AND m.name <> \(name)
                    RETURNING m.name),
                joined AS (
                    SELECT NOT EXISTS (SELECT 1 FROM old, clock WHERE old.expires_at > clock.now) AS expired),
                notified AS (
                    SELECT pg_notify(\(channel), 'members') FROM joined WHERE joined.expired OR \(announce))
                SELECT joined.expired, (SELECT count(*) FROM notified), (SELECT count(*) FROM renewed)
                FROM joined
                """, logger: logger)
            var expired = false
            for try await (value, _, _) in rows.decode((Bool, Int, Int).self) { expired = value }
            return expired
        }
    }

    /// Reads the live members; when they changed, the sack owners are recomputed and
    /// the workers woken. Returns how long until the first other member expires, so
    /// the maintenance loop looks again right then (a crash is noticed at its expiry).
    @discardableResult
    func refreshMembers() async throws -> Duration? {
        let logger = database.logger
        let rows = try await database.withConnection("listing the metricd members") { connection in
            let rows = try await connection.query(
                """
                SELECT name, workers, (extract(epoch FROM expires_at - clock_timestamp()) * 1000)::bigint
                FROM rondone_member WHERE expires_at > clock_timestamp() ORDER BY name
                """, logger: logger)
            var members: [(String, Int, Int64)] = []
            for try await row in rows.decode((String, Int, Int64).self) { members.append(row) }
            return members
        }
        let members = rows.map { Rendezvous.Member(name: $0.0, workers: $0.1) }
        let wake = state.withLock { state -> (@Sendable () -> Void)? in
            guard state.members != members else { return nil }
            state.members = members
            state.rendezvous = nil
            return state.membership?.wake
        }
        if let wake {
            logger.info("metricd members changed", metadata: ["members": "\(members.map { $0.name })"])
            wake()
        }
        return rows.filter { $0.0 != name }.map { Duration.milliseconds(max(0, $0.2)) }.min()
    }

    /// The heartbeat and the member list, until cancelled (``leave()``): a heartbeat
    /// every quarter of the TTL (every half second while PostgreSQL fails), the member
    /// list after each, on every `members` notification, and when a member expires.
    func maintain(workers: Int, signal: CoordinatorSignal) async {
        let interval = options.leaseTTL / 4
        var nextHeartbeat = ContinuousClock.now + interval
        var failing = false
        while !Task.isCancelled {
            if ContinuousClock.now >= nextHeartbeat {
                let started = ContinuousClock.now
                do {
                    if try await heartbeat(workers: workers, announce: false) {
                        database.logger.warning(
                            """
                            This metricd member had expired (PostgreSQL unreachable, or the process paused past \
                            its lease): it joined again and lost its leases
                            """,
                            metadata: ["member": "\(name)"])
                        state.withLock { $0.held = [:] }
                    } else if failing {
                        database.logger.notice("Heartbeat renewed again", metadata: ["member": "\(name)"])
                    }
                    failing = false
                } catch {
                    if !failing {
                        database.logger.warning(
                            "Heartbeat failed; retrying",
                            metadata: ["member": "\(name)", "error": "\(error)"])
                    }
                    failing = true
                }
                nextHeartbeat = started + (failing ? min(interval, .milliseconds(500)) : interval)
            }
            var wait = nextHeartbeat - ContinuousClock.now
            if !failing, let expiry = try? await refreshMembers() {
                wait = min(wait, expiry + .milliseconds(20))
            }
            guard !Task.isCancelled else { break }
            await signal.wait(timeout: max(.milliseconds(1), wait))
        }
    }

    /// `LISTEN`s on the channel until cancelled, connecting again after a failure.
    /// `members` makes the maintenance loop read the members; `released` and
    /// `wake NAME` (for this member) wake the workers. Each time it starts listening
    /// (again), it signals `listening`, and the members are read and the workers woken:
    /// what was sent meanwhile was missed.
    func listen(channel: String, signal: CoordinatorSignal, listening: CoordinatorSignal) async {
        var pause = Duration.milliseconds(250)
        let name = self.name
        while !Task.isCancelled {
            let began = ContinuousClock.now
            do {
                try await database.listen(
                    channel: channel,
                    started: { [self] in
                        listening.signal()
                        signal.signal()
                        state.withLock { $0.membership?.wake }?()
                    },
                    received: { [self] payload in
                        if payload == "members" {
                            signal.signal()
                        } else if payload == "released" || payload == "wake " + name {
                            state.withLock { $0.membership?.wake }?()
                        }
                    })
            } catch {
                guard !Task.isCancelled else { break }
                database.logger.debug("LISTEN failed; connecting again", metadata: ["error": "\(error)"])
            }
            guard !Task.isCancelled else { break }
            if ContinuousClock.now - began > .seconds(10) { pause = .milliseconds(250) }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(2))
        }
    }

    /// Acquires or renews the leases of `sacks` (sorted) for this member, in one
    /// statement: a sack whose lease expired (or that has none) gets a new token; one
    /// this member holds live keeps its token; one another member holds live is not
    /// returned. Only a live member acquires, and a lease expires with its member.
    func acquire(_ sacks: [Int]) async throws -> [SackLease] {
        let (name, logger) = (self.name, database.logger)
        let numbers = sacks.map { Int32(truncatingIfNeeded: $0) }
        return try await database.withConnection("acquiring \(sacks.count) sack leases") { connection in
            let rows = try await connection.query(
                """
                INSERT INTO rondone_sack_lease AS l (sack, holder, token, expires_at)
                SELECT s.sack, m.name, nextval('rondone_lease_token'), m.expires_at
                FROM unnest(\(numbers)::integer[]) WITH ORDINALITY AS s(sack, n), rondone_member AS m
                WHERE m.name = \(name) AND m.expires_at > clock_timestamp()
                ORDER BY s.n
                ON CONFLICT (sack) DO UPDATE SET
                    token = CASE WHEN l.holder = excluded.holder AND l.expires_at > clock_timestamp()
                        THEN l.token ELSE excluded.token END,
                    holder = excluded.holder, expires_at = excluded.expires_at
                WHERE l.holder = excluded.holder OR l.expires_at <= clock_timestamp()
                RETURNING sack, token
                """, logger: logger)
            var leases: [SackLease] = []
            for try await (sack, token) in rows.decode((Int32, Int64).self) {
                leases.append(SackLease(sack: Int(sack), token: token))
            }
            return leases.sorted { $0.sack < $1.sack }
        }
    }

    /// Deletes this member's leases of `sacks` (they moved to another member) and
    /// tells the others, so that the new owner takes them now.
    func release(sacks: [Int]) async throws {
        let channel = try await channel()
        let (name, logger) = (self.name, database.logger)
        let numbers = sacks.map { Int32(truncatingIfNeeded: $0) }
        try await database.withConnection("releasing \(sacks.count) sack leases") { connection in
            try await connection.query(
                """
                WITH mine AS (
                    SELECT sack FROM rondone_sack_lease
                    WHERE holder = \(name) AND sack = ANY(\(numbers)::integer[]) ORDER BY sack FOR UPDATE),
                gone AS (
                    DELETE FROM rondone_sack_lease AS l USING mine WHERE l.sack = mine.sack RETURNING l.sack),
                notified AS (SELECT pg_notify(\(channel), 'released') FROM (SELECT 1 FROM gone LIMIT 1) AS g)
                SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM notified)
                """, logger: logger
            ).collect()
        }
    }

    /// Tests only: stops the heartbeat and the notifications as a crash (or SIGSTOP)
    /// would, without leaving; the member's row and leases expire on their own.
    package func stopHeartbeat() async {
        let tasks = state.withLock { state -> [Task<Void, Never>] in
            defer { state.membership?.tasks = [] }
            return state.membership?.tasks ?? []
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }
}
