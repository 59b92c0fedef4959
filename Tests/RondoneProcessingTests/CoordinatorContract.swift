@testable import RondoneProcessing
import RondoneStorage
import Synchronization
import Testing

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
        case joinRebalanceAndLeave, crashedMemberLosesItsSacks, leaseOnAnotherMembersSackWakesIt, membersAreListed

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
            #expect(try await eventually(seconds: 5) { simulation.covers(["A"]) })
            var started = ContinuousClock.now
            let b = try await simulation.start("B", try await deployment.member(), workers: 2)
            #expect(try await eventually(seconds: 2) { simulation.covers(["A", "B"]) }, "join took over 2 s")
            let joined = ContinuousClock.now - started
            started = ContinuousClock.now
            await simulation.leave(b)
            #expect(try await eventually(seconds: 2) { simulation.covers(["A"]) }, "leave took over 2 s")
            let left = ContinuousClock.now - started
            print("coordinator contract: rebalanced after a join in \(joined), after a leave in \(left)")
            await simulation.leave(a)
            simulation.expectNoViolation()

        case .crashedMemberLosesItsSacks:
            let simulation = Simulation(sackCount: sackCount)
            let a = try await simulation.start("A", try await deployment.member(), workers: 2)
            let b = try await simulation.start("B", try await deployment.member(), workers: 2)
            #expect(try await eventually(seconds: 5) { simulation.covers(["A", "B"]) })
            let stale = simulation.leases(of: "B")
            let crashed = ContinuousClock.now
            await simulation.crash(b) { await deployment.crash(b.coordinator) }
            #expect(try await eventually(seconds: leaseTTL / .seconds(1) + 3) { simulation.covers(["A"]) })
            let takeover = ContinuousClock.now - crashed
            print("coordinator contract: a crashed member's sacks taken over after \(takeover) (TTL \(leaseTTL))")
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
            #expect(try await eventually(seconds: 5) { simulation.covers(["A", "B"]) })
            let theirs = try #require(simulation.leases(of: "B").first)
            let wakes = b.wakes
            #expect(try await a.coordinator.lease(sack: theirs.sack) == nil)
            #expect(try await eventually(seconds: 2) { b.wakes > wakes }, "the holder was not woken")
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

/// Members whose workers ask for their sacks as metricd's do (every round, after the
/// processing delay or a wake-up), one call at a time over all members, so that a
/// ledger of what each worker was last given is exact at every round.
final class Simulation: Sendable {
    /// One member: its coordinator and workers.
    final class Member: Sendable {
        let name: String
        let coordinator: any Coordinator
        let stop = Atomic<Bool>(false)
        let woken = Atomic<Int>(0)
        let signals: [WakeSignal]
        let tasks = Mutex<[Task<Void, Never>]>([])

        init(name: String, coordinator: any Coordinator, workers: Int) {
            self.name = name
            self.coordinator = coordinator
            signals = (0..<workers).map { _ in WakeSignal() }
        }

        var wakes: Int { woken.load(ordering: .relaxed) }

        func halt() async {
            stop.store(true, ordering: .relaxed)
            for signal in signals { signal.signal() }
            for task in tasks.withLock({ $0 }) { await task.value }
        }
    }

    struct Ledger {
        /// Per member and worker, the leases it was last given.
        var holdings: [String: [Int: [SackLease]]] = [:]
        /// Per sack, the member that last held it and its token.
        var last: [Int: (member: String, token: Int64)] = [:]
        var violations: [String] = []
    }

    let sackCount: Int
    let ledger = Mutex(Ledger())
    let turn = AsyncLock()

    init(sackCount: Int) { self.sackCount = sackCount }

    func start(_ name: String, _ coordinator: any Coordinator, workers: Int) async throws -> Member {
        let member = Member(name: name, coordinator: coordinator, workers: workers)
        try await coordinator.join(workers: workers) {
            member.woken.add(1, ordering: .relaxed)
            for signal in member.signals { signal.signal() }
        }
        let tasks = (0..<workers).map { worker in
            Task {
                while !member.stop.load(ordering: .relaxed) {
                    await turn.lock()
                    if !member.stop.load(ordering: .relaxed) {
                        do {
                            let leases = try await coordinator.sacks(for: worker, of: workers, sackCount: sackCount)
                            record(name, worker, leases)
                        } catch {
                            ledger.withLock { $0.violations.append("\(name)/\(worker): \(error)") }
                        }
                    }
                    await turn.unlock()
                    await member.signals[worker].wait(timeout: .seconds(1))
                }
            }
        }
        member.tasks.withLock { $0 = tasks }
        return member
    }

    /// Stops the member's workers, then leaves (metricd's stop).
    func leave(_ member: Member) async {
        await member.halt()
        await turn.lock()
        await member.coordinator.leave()
        ledger.withLock { $0.holdings[member.name] = nil }
        await turn.unlock()
    }

    /// Freezes the member: workers and heartbeat stop, nothing is given back.
    func crash(_ member: Member, _ stopHeartbeat: () async -> Void) async {
        await member.halt()
        await turn.lock()
        await stopHeartbeat()
        ledger.withLock { $0.holdings[member.name] = nil }
        await turn.unlock()
    }

    private func record(_ member: String, _ worker: Int, _ leases: [SackLease]) {
        ledger.withLock { ledger in
            for lease in leases {
                for (other, workers) in ledger.holdings {
                    for (otherWorker, held) in workers where (other, otherWorker) != (member, worker) {
                        if held.contains(where: { $0.sack == lease.sack }) {
                            ledger.violations.append(
                                "sack \(lease.sack) given to \(member)/\(worker) while \(other)/\(otherWorker) holds it")
                        }
                    }
                }
                if let last = ledger.last[lease.sack] {
                    if last.member != member && lease.token <= last.token {
                        ledger.violations.append(
                            "sack \(lease.sack) handed from \(last.member) to \(member) with token "
                                + "\(lease.token) after \(last.token)")
                    } else if lease.token < last.token {
                        ledger.violations.append("sack \(lease.sack): token \(lease.token) after \(last.token)")
                    }
                }
                ledger.last[lease.sack] = (member, lease.token)
            }
            ledger.holdings[member, default: [:]][worker] = leases
        }
    }

    /// Whether every sack is held by exactly one worker, all of `members`' workers
    /// together hold them all, and each of `members` holds some.
    func covers(_ members: Set<String>) -> Bool {
        ledger.withLock { ledger in
            let held = ledger.holdings.filter { members.contains($0.key) }
            let sacks = held.values.flatMap { $0.values.flatMap { $0.map(\.sack) } }
            return Set(ledger.holdings.keys).isSubset(of: members) && sacks.sorted() == Array(0..<sackCount)
                && members.allSatisfy { !(held[$0]?.values.joined().isEmpty ?? true) }
        }
    }

    func leases(of member: String) -> [SackLease] {
        ledger.withLock { $0.holdings[member]?.values.flatMap { $0 } ?? [] }.sorted { $0.sack < $1.sack }
    }

    func expectNoViolation() {
        let violations = ledger.withLock { $0.violations }
        #expect(violations.isEmpty, "\(violations.prefix(10))")
    }
}

/// A lock held across suspension points (an actor alone would let calls interleave).
actor AsyncLock {
    private var locked = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func lock() async {
        guard locked else {
            locked = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func unlock() {
        if waiters.isEmpty { locked = false } else { waiters.removeFirst().resume() }
    }
}
