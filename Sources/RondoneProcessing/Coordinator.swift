/// Hands out sacks to metricd workers so that each sack has one owner at a time.
///
/// Gnocchi partitions sacks among the workers of the whole deployment through its
/// coordination backend and locks a sack while processing it. Here the seam is the
/// partition: a worker asks which sacks are its own and processes only those; the
/// incoming store's one-claim-per-sack rule backs it up inside one process. A
/// PostgreSQL coordinator (advisory locks per sack, workers of many machines) can
/// implement the same protocol later.
public protocol Coordinator: Sendable {
    /// The sacks worker `worker` (in `0..<workers`) owns now, out of `sackCount`.
    /// Every sack must be owned by exactly one worker of the group.
    func sacks(for worker: Int, of workers: Int, sackCount: Int) async throws -> [Int]
}

/// All workers live in this process: sack `s` belongs to worker `s % workers`, so
/// the partition is fixed, even and needs no communication.
public struct InProcessCoordinator: Coordinator {
    public init() {}

    public func sacks(for worker: Int, of workers: Int, sackCount: Int) -> [Int] {
        guard workers > 0, (0..<workers).contains(worker) else { return [] }
        return Array(stride(from: worker, to: sackCount, by: workers))
    }
}
