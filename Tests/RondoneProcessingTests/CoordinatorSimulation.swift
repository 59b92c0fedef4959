import RondoneStorage
import Synchronization
import Testing

@testable import RondoneProcessing

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
                            let leases = try await coordinator.sacks(
                                for: worker, of: workers, sackCount: sackCount)
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
                                "sack \(lease.sack) given to \(member)/\(worker) while \(other)/\(otherWorker) holds it"
                            )
                        }
                    }
                }
                if let last = ledger.last[lease.sack] {
                    if last.member != member && lease.token <= last.token {
                        ledger.violations.append(
                            "sack \(lease.sack) handed from \(last.member) to \(member) with token "
                                + "\(lease.token) after \(last.token)")
                    } else if lease.token < last.token {
                        ledger.violations.append(
                            "sack \(lease.sack): token \(lease.token) after \(last.token)")
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
