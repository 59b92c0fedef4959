public import RondoneTimeSeries
import Synchronization

/// What a write to the index may have changed, as far as readers that keep a copy of
/// metrics and resources (the Prometheus API's series catalog) need to know.
public enum IndexChange: Hashable, Sendable {
    /// These metrics were created, deleted, or attached to or detached from a resource.
    case metrics([MetricID])
    /// These resources were created, changed or deleted (their metrics too).
    case resources([ResourceID])
    /// Anything may have changed (a policy or a resource type changed, resources were
    /// deleted by a filter): a copy must be rebuilt.
    case everything
}

/// The writes this process made to its index, in order, each with a generation number:
/// a reader that kept a copy at generation `g` asks for ``changes(since:)`` and applies
/// them instead of reading everything again. ``ObservedIndexer`` records into it after
/// each write, before the write returns to its caller, so a reader that starts after a
/// write has returned sees that write's generation.
///
/// It knows only this process's writes: another process writing the same index (a
/// PostgreSQL deployment) is not seen, and readers there must also expire their copies.
/// The feed keeps the ids of the last ``capacity`` changed objects; a reader further
/// behind gets nil and reads everything again.
public final class IndexChangeFeed: Sendable {
    private struct State {
        var generation: UInt64 = 0
        /// Changes after generation `first`, oldest first: change `i` made generation
        /// `first + i + 1`.
        var log: [IndexChange] = []
        var first: UInt64 = 0
        var ids = 0
        var observers: [@Sendable () -> Void] = []
    }

    /// Most object ids kept.
    public let capacity: Int
    private let state = Mutex(State())

    public init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// The generation of the last recorded change (0 before any).
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// Records a change and tells the observers.
    public func record(_ change: IndexChange) {
        let observers = state.withLock { state in
            state.generation += 1
            state.log.append(change)
            state.ids += Self.size(change)
            var dropped = 0
            while state.ids > capacity, dropped < state.log.count - 1 {
                state.ids -= Self.size(state.log[dropped])
                dropped += 1
            }
            if dropped > 0 {
                state.log.removeFirst(dropped)
                state.first += UInt64(dropped)
            }
            return state.observers
        }
        for observer in observers { observer() }
    }

    /// The changes after `generation` and the generation they bring a copy to; nil when
    /// some of them are no longer kept.
    public func changes(since generation: UInt64) -> (changes: [IndexChange], generation: UInt64)? {
        state.withLock { state in
            guard generation >= state.first, generation <= state.generation else { return nil }
            return (Array(state.log[Int(generation - state.first)...]), state.generation)
        }
    }

    /// Calls `observer` after each recorded change (from the writer's task: it must
    /// only schedule work).
    public func observe(_ observer: @escaping @Sendable () -> Void) {
        state.withLock { $0.observers.append(observer) }
    }

    private static func size(_ change: IndexChange) -> Int {
        switch change {
        case .metrics(let ids): max(ids.count, 1)
        case .resources(let ids): max(ids.count, 1)
        case .everything: 1
        }
    }
}
