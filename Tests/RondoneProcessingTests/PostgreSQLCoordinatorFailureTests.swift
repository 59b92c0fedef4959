import Foundation
import PostgresNIO
import RondoneIndexerPostgreSQL
import RondonePostgreSQLTesting
import RondoneProcessing
import RondoneProcessingPostgreSQL
import RondoneStorage
import RondoneStoragePostgreSQL
import RondoneTimeSeries
import Synchronization
import Testing

/// What the PostgreSQL coordinator and incoming store do when PostgreSQL goes away:
/// broken connections, a member that expired, a server that is not there, and (opt-in,
/// `RONDONE_TEST_POSTGRESQL_RESTART=1`, run alone) a restart of the server.
@Suite(.enabled(if: PostgreSQLTestSchema.isAvailable, "RONDONE_TEST_POSTGRESQL_URL is not set"))
struct PostgreSQLCoordinatorFailureTests {
    static let sacks = 16

    static func coordinator(_ url: PostgreSQLURL, application: String? = nil) -> PostgreSQLCoordinator {
        var url = url
        url.applicationName = application
        return PostgreSQLCoordinator(
            url: url, options: .init(leaseTTL: .seconds(2)), logger: PostgreSQLTestSchema.logger)
    }

    /// Every connection of a member is killed (as a failover or an idle timeout
    /// would): its next statements connect again, its heartbeat goes on (its leases
    /// keep their tokens), and its `LISTEN` comes back (it is woken again).
    @Test func brokenConnectionsAreMadeAgain() async throws {
        let url = try await PostgreSQLTestSchema.make()
        let application = "rondone-test-" + UUID().uuidString.prefix(8).lowercased()
        let a = Self.coordinator(url, application: application)
        let b = Self.coordinator(url)
        let wakes = SharedCount()
        try await a.join(workers: 1) { wakes.add(1) }
        try await b.join(workers: 1) {}
        var ours: [SackLease] = []
        #expect(
            try await eventually(seconds: 5) {
                ours = try await a.sacks(for: 0, of: 1, sackCount: Self.sacks)
                let theirs = try await b.sacks(for: 0, of: 1, sackCount: Self.sacks)
                return ours.count + theirs.count == Self.sacks && !ours.isEmpty && !theirs.isEmpty
            })
        let killed = try await PostgreSQLTestSchema.admin { connection in
            let rows = try await connection.query(
                """
                SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                WHERE application_name = \(application)
                """, logger: PostgreSQLTestSchema.logger)
            var count = 0
            for try await value in rows.decode(Int.self) { count = value }
            return count
        }
        #expect(killed >= 1)
        #expect(
            await eventually(seconds: 5) {
                (try? await a.sacks(for: 0, of: 1, sackCount: Self.sacks)) == ours
            }, "the leases kept their tokens")
        let before = wakes.value
        #expect(
            try await eventually(seconds: 5) {
                _ = try await b.lease(sack: ours[0].sack)
                return wakes.value > before
            }, "LISTEN came back")
        #expect(try await b.members()?.count == 2)
        await a.shutdown()
        await b.shutdown()
        await PostgreSQLTestSchema.drop(url)
    }

    /// A member whose row and leases expired (PostgreSQL unreachable longer than the
    /// TTL, or the process paused) joins again with its next heartbeat; its old leases
    /// fail the fence and it is given new tokens.
    @Test func anExpiredMemberJoinsAgainWithNewTokens() async throws {
        let url = try await PostgreSQLTestSchema.make()
        let a = Self.coordinator(url)
        try await a.join(workers: 1) {}
        let old = try await a.sacks(for: 0, of: 1, sackCount: Self.sacks)
        #expect(old.count == Self.sacks)
        for forget in [
            "UPDATE rondone_member SET expires_at = clock_timestamp() - interval '1 second'",
            "DELETE FROM rondone_member",
        ] {
            _ = try await PostgreSQLTestSchema.admin(url) { connection in
                try await connection.query(
                    PostgresQuery(unsafeSQL: forget), logger: PostgreSQLTestSchema.logger)
                try await connection.query(
                    "UPDATE rondone_sack_lease SET expires_at = clock_timestamp() - interval '1 second'",
                    logger: PostgreSQLTestSchema.logger)
            }
            await #expect(throws: StorageError.leaseLost(old[0])) {
                try await PostgreSQLTestSchema.fence(old, url: url)
            }
            #expect(try await eventually(seconds: 3) { try await a.members() == [a.name] }, "after \(forget)")
            let new = try await a.sacks(for: 0, of: 1, sackCount: Self.sacks)
            #expect(new.count == Self.sacks)
            #expect(zip(old, new).allSatisfy { $0.sack == $1.sack && $1.token > $0.token })
            try await PostgreSQLTestSchema.fence(new, url: url)
        }
        await a.shutdown()
        await PostgreSQLTestSchema.drop(url)
    }

    /// No server: clear `.backend` errors, never a crash or a hang (the time limit only
    /// catches a hang: a loaded machine runs the 1 s deadlines late, so no time is asserted).
    @Test(.timeLimit(.minutes(2))) func anUnreachableServerIsABackendError() async throws {
        var url = try #require(PostgreSQLTestSchema.url)
        url.port = 1
        let coordinator = PostgreSQLCoordinator(
            url: url, options: .init(leaseTTL: .seconds(1), timeout: .seconds(1)),
            logger: PostgreSQLTestSchema.logger)
        for attempt in 0..<2 {
            do {
                if attempt == 0 {
                    try await coordinator.join(workers: 1) {}
                } else {
                    _ = try await coordinator.members()
                }
                Issue.record("reached a closed port")
            } catch StorageError.backend(let message) {
                #expect(message.hasPrefix("PostgreSQL 127.0.0.1:1/"), "\(message)")
            }
        }
        await coordinator.shutdown()
    }

    /// The server stops for longer than the lease TTL, then starts again, under a
    /// joined member and an incoming store: meanwhile their calls fail with `.backend`
    /// within their timeouts; afterwards they work again on their own, the member has
    /// joined again (its heartbeat kept trying) and holds its sacks under new tokens.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["RONDONE_TEST_POSTGRESQL_RESTART"] == "1"))
    func aRestartIsSurvived() async throws {
        let directory = try #require(ProcessInfo.processInfo.environment["RONDONE_TEST_POSTGRESQL_DIR"])
        let url = try await PostgreSQLTestSchema.make()
        let a = Self.coordinator(url)
        let store = try await PostgreSQLIncomingStore(
            url: url, options: .init(sacks: Self.sacks, timeout: .seconds(2)),
            logger: PostgreSQLTestSchema.logger)
        try await a.join(workers: 1) {}
        let old = try await a.sacks(for: 0, of: 1, sackCount: Self.sacks)
        #expect(old.count == Self.sacks)
        let metric = MetricID(high: 1, low: 2)
        let outage = Duration.seconds(5)
        try pgctl(directory, "stop")
        let stopped = ContinuousClock.now
        var failures: [String] = []
        while ContinuousClock.now - stopped < outage {
            let call = ContinuousClock.now
            do {
                try await store.add(IncomingBatch(metric: metric, timestamps: [1], values: [1]))
                _ = try await a.sacks(for: 0, of: 1, sackCount: Self.sacks)
                Issue.record("a call succeeded with the server stopped")
            } catch {
                failures.append("\(error)")
            }
            // A call fails at its deadline instead of waiting for the server (a loose
            // bound: a hang, not a speed, is what it catches).
            #expect(ContinuousClock.now - call < .seconds(60))
        }
        try pgctl(directory, "start")
        let started = ContinuousClock.now
        var new: [SackLease] = []
        #expect(
            await eventually(seconds: 20) {
                do {
                    try await store.add(IncomingBatch(metric: metric, timestamps: [1], values: [1]))
                    new = try await a.sacks(for: 0, of: 1, sackCount: Self.sacks)
                    return new.count == Self.sacks
                } catch {
                    return false
                }
            })
        print(
            "PostgreSQL down \(outage): \(failures.count) calls failed meanwhile, e.g. \(failures.first ?? "none"); "
                + "working again \(ContinuousClock.now - started) after the start")
        #expect(!failures.isEmpty && failures.allSatisfy { $0.hasPrefix("PostgreSQL 127.0.0.1:") })
        #expect(try await a.members() == [a.name])
        #expect(zip(old, new).allSatisfy { $1.token > $0.token }, "the leases expired meanwhile")
        await a.shutdown()
        await store.shutdown()
        await PostgreSQLTestSchema.drop(url)
    }

    /// `pg_ctl stop` or `start` of the test server (as its owner when we are root), its
    /// log appended where the start script put it. `pg_ctl start` does not remember the
    /// server's options (`restart` would), so they are read from `postmaster.opts`
    /// before stopping and given back to `start`.
    private func pgctl(_ directory: String, _ action: String) throws {
        let version = try FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql").sorted().last
        let pgctl = version.map { "/usr/lib/postgresql/\($0)/bin/pg_ctl" } ?? "pg_ctl"
        var command = "\(pgctl) -D \(directory)/data -l \(directory)/server.log -m fast -w \(action)"
        if action == "stop" {
            let options = try String(contentsOfFile: directory + "/data/postmaster.opts", encoding: .utf8)
            Self.serverOptions.withLock { $0 = options.components(separatedBy: "/data\" ").last ?? "" }
        } else {
            command +=
                " -o '\(Self.serverOptions.withLock { $0 }.trimmingCharacters(in: .whitespacesAndNewlines))'"
        }
        let shell = getuid() == 0 ? "runuser -u postgres -- \(command)" : command
        #expect(system(shell + " >/dev/null") == 0, "\(shell)")
    }

    private static let serverOptions = Mutex("")
}
