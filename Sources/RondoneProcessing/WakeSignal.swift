import Synchronization

/// Lets an idle worker sleep for its processing delay, or less if new measures arrive.
///
/// A signal sent while nobody waits is remembered (once), so a wake-up between a
/// worker's last backlog check and its wait is not lost.
final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
        var generation: UInt64 = 0
        var timer: Task<Void, Never>?
    }

    private let state = Mutex(State())

    /// Wakes the waiter now, or makes the next wait return at once.
    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            state.timer?.cancel()
            state.timer = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns after `timeout`, or earlier when signalled. One waiter at a time.
    func wait(timeout: Duration) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let generation = state.withLock { state -> UInt64? in
                if state.pending {
                    state.pending = false
                    return nil
                }
                state.generation &+= 1
                state.waiter = continuation
                return state.generation
            }
            guard let generation else { return continuation.resume() }
            let timer = Task { [self] in
                try? await Task.sleep(for: timeout)
                expire(generation)
            }
            state.withLock { state in
                if state.generation == generation && state.waiter != nil {
                    state.timer = timer
                } else {
                    timer.cancel()
                }
            }
        }
    }

    private func expire(_ generation: UInt64) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.generation == generation, let waiter = state.waiter else { return nil }
            state.waiter = nil
            state.timer = nil
            return waiter
        }
        waiter?.resume()
    }
}
