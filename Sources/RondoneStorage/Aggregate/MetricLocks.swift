/// Which metrics a write of the file aggregate store is changing right now.
///
/// A commit reads some files of a metric, then replaces them; two commits on one
/// metric must not interleave, or one could overwrite the other's change with content
/// it read before. A commit takes all its metrics at once (waiting until none is
/// taken), so two commits can never wait for each other in a cycle.
final class MetricLocks: @unchecked Sendable {
    private let condition = ConditionLock()
    private var held = Set<MetricID>()  // guarded by `condition`

    /// Blocks (a dedicated thread, never a task) until every metric is free, then takes them.
    func lock(_ metrics: Set<MetricID>) {
        condition.withLock {
            while !held.isDisjoint(with: metrics) { condition.wait() }
            held.formUnion(metrics)
        }
    }

    func unlock(_ metrics: Set<MetricID>) {
        condition.withLock {
            held.subtract(metrics)
            condition.broadcast()
        }
    }
}
