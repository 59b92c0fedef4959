#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A pthread mutex with a condition variable: what a dedicated thread needs to sleep
/// until work arrives (`Synchronization.Mutex` has no condition variable).
final class ConditionLock: @unchecked Sendable {
    // Heap-allocated so they never move: pthread objects must keep their address.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Waits (with the lock held, as inside `withLock`) until signalled.
    func wait() {
        pthread_cond_wait(condition, mutex)
    }

    func signal() {
        pthread_cond_signal(condition)
    }

    /// Wakes every waiter (for waits on a condition that differs per waiter).
    func broadcast() {
        pthread_cond_broadcast(condition)
    }
}

/// A joinable OS thread running `body`, for blocking work kept off Swift's
/// cooperative pool (whose few threads must never sit in `fsync`).
final class DedicatedThread: @unchecked Sendable {
    private var handle = pthread_t()

    init(_ body: @escaping @Sendable () -> Void) {
        final class Box {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        let result = pthread_create(
            &handle, nil,
            { raw in
                Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
                return nil
            }, box)
        // BUG: thread creation only fails when the process is out of resources.
        precondition(result == 0, "BUG: pthread_create failed with \(result)")
    }

    /// Waits for the thread to finish.
    func join() {
        pthread_join(handle, nil)
    }
}
