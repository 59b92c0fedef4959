import Foundation
import PostgresNIO
import RondoneIndexerPostgreSQL
import RondonePostgreSQLTesting
import RondoneProcessing
import RondoneStorage
import RondoneStoragePostgreSQL
import Synchronization
import Testing

@testable import RondoneProcessingPostgreSQL

/// The coordinator contract on the in-process coordinator (the checks that apply to a
/// deployment of one process).
@Suite struct InProcessCoordinatorContractTests {
    static let contract = CoordinatorContract(
        makeDeployment: { CoordinatorContract.Deployment(member: { InProcessCoordinator() }) },
        leaseTTL: .zero)

    @Test(arguments: CoordinatorContract.Check.allCases.filter { !$0.needsMembers })
    func coordinatorContract(_ check: CoordinatorContract.Check) async throws {
        try await Self.contract.run(check)
    }
}

/// The coordinator contract on PostgreSQL: every check, with two coordinators (two
/// members) on one database schema. The lease TTL is 2 s here to keep the crash check
/// short (`RONDONE_TEST_COORDINATOR_TTL_MS` sets another, e.g. 5000, the default).
/// Serialized: the checks time hand-overs, and their simulated workers would compete.
@Suite(
    .enabled(if: PostgreSQLTestSchema.isAvailable, "RONDONE_TEST_POSTGRESQL_URL is not set"), .serialized)
struct PostgreSQLCoordinatorContractTests {
    static let leaseTTL = Duration.milliseconds(
        ProcessInfo.processInfo.environment["RONDONE_TEST_COORDINATOR_TTL_MS"].flatMap(Int.init) ?? 2000)

    static let contract = CoordinatorContract(
        makeDeployment: {
            let url = try await PostgreSQLTestSchema.make()
            let made = Mutex<[PostgreSQLCoordinator]>([])
            return CoordinatorContract.Deployment(
                member: {
                    let coordinator = PostgreSQLCoordinator(
                        url: url, options: .init(leaseTTL: leaseTTL), logger: PostgreSQLTestSchema.logger)
                    made.withLock { $0.append(coordinator) }
                    return coordinator
                },
                crash: { coordinator in await (coordinator as! PostgreSQLCoordinator).stopHeartbeat() },
                fence: { leases in try await PostgreSQLTestSchema.fence(leases, url: url) },
                dispose: {
                    for coordinator in made.withLock({ $0 }) { await coordinator.shutdown() }
                    await PostgreSQLTestSchema.drop(url)
                })
        },
        leaseTTL: leaseTTL)

    @Test(arguments: CoordinatorContract.Check.allCases)
    func coordinatorContract(_ check: CoordinatorContract.Check) async throws {
        try await Self.contract.run(check)
    }
}

/// The spreading rule of the PostgreSQL coordinator, without a database.
@Suite struct RendezvousTests {
    @Test func sacksSpreadEvenlyAndAJoinMovesOnlyWhatTheNewcomerWins() {
        let members = ["host-a:1:0001", "host-b:1:0002", "host-c:1:0003"].map {
            Rendezvous.Member(name: $0, workers: 2)
        }
        let two = Rendezvous(members: Array(members.prefix(2)), sackCount: 128)
        let three = Rendezvous(members: members, sackCount: 128)
        for member in members {
            let share = (0..<2).map { three.sacks(of: member.name, worker: $0).count }
            // An even share is 128 / 6 ≈ 21 per worker.
            #expect(share.allSatisfy { (10...34).contains($0) }, "\(member.name): \(share)")
        }
        for sack in 0..<128 where three.owner(of: sack) != members[2].name {
            #expect(three.owners[sack] == two.owners[sack])
        }
        // Every process computes the same owners (no per-process seed).
        #expect(
            Rendezvous.fnv1a("") == 0xCBF2_9CE4_8422_2325 && Rendezvous.fnv1a("a") == 0xAF63_DC4C_8601_EC8C)
        #expect(Rendezvous(members: members, sackCount: 128).owners == three.owners)
    }
}

extension PostgreSQLTestSchema {
    /// `PostgreSQLFence.check` in a transaction of its own, as a shared store's commit
    /// would run it.
    static func fence(_ leases: [SackLease], url: PostgreSQLURL) async throws {
        try await admin(url) { connection in
            try await connection.query("BEGIN", logger: logger)
            do {
                try await PostgreSQLFence.check(leases, on: connection, logger: logger)
            } catch {
                try await connection.query("ROLLBACK", logger: logger)
                throw error
            }
            try await connection.query("COMMIT", logger: logger)
        }
    }
}
