import RondoneStorage
import Synchronization
import Testing

@testable import RondoneProcessing

/// The behaviour every `Coordinator` must have, runnable against any driver: give it a
/// factory of fresh deployments and run each `Check`. Checks marked `needsMembers` need
/// a coordinator shared between processes (several members on one deployment).
struct CoordinatorContract: Sendable {
    /// A fresh, empty deployment (a database schema, a cluster…).
    let makeDeployment: @Sendable () async throws -> Deployment
    /// How long a member lives without a heartbeat in the deployments made.
    let leaseTTL: Duration
    let sackCount = 32

    /// One deployment and the hooks only a shared coordinator has.
    struct Deployment: Sendable {
        /// The coordinator of a new process of the deployment.
        let member: @Sendable () async throws -> any Coordinator
        /// Makes a member stop its heartbeat without leaving (a crash, or SIGSTOP).
        var crash: @Sendable (any Coordinator) async -> Void = { _ in }
        /// Runs the shared stores' fence on `leases` in a transaction of its own:
        /// throws `StorageError.leaseLost` where a commit would be refused.
        var fence: @Sendable ([SackLease]) async throws -> Void = { _ in }
        var dispose: @Sendable () async -> Void = {}
    }

    enum Check: String, CaseIterable, Sendable {
        case everySackOnceInOneMember, leaseOnOwnSackIsTheWorkersLease
        case joinRebalanceAndLeave, crashedMemberLosesItsSacks, leaseOnAnotherMembersSackWakesIt,
            membersAreListed

        var needsMembers: Bool {
            switch self {
            case .everySackOnceInOneMember, .leaseOnOwnSackIsTheWorkersLease: false
            default: true
            }
        }
    }

    func run(_ check: Check) async throws {
        let deployment = try await makeDeployment()
        do {
            try await run(check, on: deployment)
        } catch {
            await deployment.dispose()
            throw error
        }
        await deployment.dispose()
    }

    private func run(_ check: Check, on deployment: Deployment) async throws {
        let all = Array(0..<sackCount)
        switch check {
        case .everySackOnceInOneMember:
            let coordinator = try await deployment.member()
            try await coordinator.join(workers: 3) {}
            for _ in 0..<3 {
                var owned: [Int] = []
                for worker in 0..<3 {
                    owned += try await coordinator.sacks(for: worker, of: 3, sackCount: sackCount).map(\.sack)
                }
                #expect(owned.sorted() == all)
            }
            #expect(try await coordinator.sacks(for: 3, of: 3, sackCount: sackCount).isEmpty)
            await coordinator.leave()

        case .leaseOnOwnSackIsTheWorkersLease:
            let coordinator = try await deployment.member()
            try await coordinator.join(workers: 1) {}
            let leases = try await coordinator.sacks(for: 0, of: 1, sackCount: sackCount)
            let held = try #require(leases.first)
            // Inside the process the incoming store's claim keeps worker and refresh apart.
            #expect(try await coordinator.lease(sack: held.sack) == held)
            await coordinator.release(held)
            #expect(try await coordinator.sacks(for: 0, of: 1, sackCount: sackCount) == leases)
            try await deployment.fence(leases)
            await coordinator.leave()

        case .joinRebalanceAndLeave:
            let simulation = Simulation(sackCount: sackCount)
            let a = try await simulation.start("A", try await deployment.member(), workers: 2)
            #expect(await eventually(seconds: 5) { simulation.covers(["A"]) })
            var started = ContinuousClock.now
            let b = try await simulation.start("B", try await deployment.member(), workers: 2)
            #expect(await eventually(seconds: 2) { simulation.covers(["A", "B"]) }, "join took over 2 s")
            let joined = ContinuousClock.now - started
            started = ContinuousClock.now
            await simulation.leave(b)
            #expect(await eventually(seconds: 2) { simulation.covers(["A"]) }, "leave took over 2 s")
            let left = ContinuousClock.now - started
            print("coordinator contract: rebalanced after a join in \(joined), after a leave in \(left)")
            await simulation.leave(a)
            simulation.expectNoViolation()

        case .crashedMemberLosesItsSacks:
            let simulation = Simulation(sackCount: sackCount)
            let a = try await simulation.start("A", try await deployment.member(), workers: 2)
            let b = try await simulation.start("B", try await deployment.member(), workers: 2)
            #expect(await eventually(seconds: 5) { simulation.covers(["A", "B"]) })
            let stale = simulation.leases(of: "B")
            let crashed = ContinuousClock.now
            await simulation.crash(b) { await deployment.crash(b.coordinator) }
            #expect(await eventually(seconds: leaseTTL / .seconds(1) + 3) { simulation.covers(["A"]) })
            let takeover = ContinuousClock.now - crashed
            print(
                "coordinator contract: a crashed member's sacks taken over after \(takeover) (TTL \(leaseTTL))"
            )
            #expect(takeover <= leaseTTL + .seconds(1), "took \(takeover)")
            // Its leases were live until they expired: nobody took them early.
            #expect(takeover >= leaseTTL * 0.75 - .milliseconds(300), "took \(takeover)")
            // The stale member's commits are refused, the new holder's accepted.
            do {
                try await deployment.fence(stale)
                Issue.record("a stale lease passed the fence")
            } catch StorageError.leaseLost(let lease) {
                #expect(stale.contains(lease))
            }
            try await deployment.fence(simulation.leases(of: "A"))
            // Resumed (SIGCONT) without a heartbeat, it is given nothing.
            #expect(try await b.coordinator.sacks(for: 0, of: 2, sackCount: sackCount).isEmpty)
            await simulation.leave(a)
            simulation.expectNoViolation()

        case .leaseOnAnotherMembersSackWakesIt:
            let simulation = Simulation(sackCount: sackCount)
            let a = try await simulation.start("A", try await deployment.member(), workers: 1)
            let b = try await simulation.start("B", try await deployment.member(), workers: 1)
            #expect(await eventually(seconds: 5) { simulation.covers(["A", "B"]) })
            let theirs = try #require(simulation.leases(of: "B").first)
            let wakes = b.wakes
            #expect(try await a.coordinator.lease(sack: theirs.sack) == nil)
            #expect(await eventually(seconds: 10) { b.wakes > wakes }, "the holder was not woken")
            let ours = try #require(simulation.leases(of: "A").first)
            let lease = try #require(try await a.coordinator.lease(sack: ours.sack))
            #expect(lease == ours)
            await a.coordinator.release(lease)
            try await deployment.fence(simulation.leases(of: "A"))
            await simulation.leave(b)
            await simulation.leave(a)
            simulation.expectNoViolation()

        case .membersAreListed:
            let a = try await deployment.member()
            let b = try await deployment.member()
            try await a.join(workers: 1) {}
            let alone = try #require(try await b.members())
            #expect(alone.count == 1)
            try await b.join(workers: 2) {}
            let both = try #require(try await a.members())
            #expect(both.count == 2 && both == both.sorted() && both.contains(alone[0]))
            await b.leave()
            #expect(try await a.members() == alone)
            await a.leave()
            #expect(try await a.members() == [])
        }
    }
}
