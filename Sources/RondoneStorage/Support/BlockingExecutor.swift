/// A few dedicated threads that run blocking file work (reads, `fsync`, `rename`,
/// recursive removal) for async callers.
///
/// Swift's cooperative pool has one thread per core; a task that sits in `fsync`
/// there stalls every other task scheduled on that thread. Work submitted here runs
/// on its own threads and resumes the caller when done.
final class BlockingExecutor: @unchecked Sendable {
    private let condition = ConditionLock()
    private var jobs: [@Sendable () -> Void] = []
    private var stopping = false
    private var threads: [DedicatedThread] = []

    init(threads count: Int) {
        let threads = (0..<count).map { _ in DedicatedThread { [self] in work() } }
        condition.withLock { self.threads = threads }
    }

    /// Runs `body` on one of the executor's threads and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let result: Result<T, any Error> = await withCheckedContinuation { continuation in
            let accepted = condition.withLock {
                guard !stopping else { return false }
                jobs.append { continuation.resume(returning: Result { try body() }) }
                condition.signal()
                return true
            }
            if !accepted { continuation.resume(returning: .failure(StorageError.closed)) }
        }
        return try result.get()
    }

    /// Queues `body` without waiting for it (background work such as purging).
    func submit(_ body: @escaping @Sendable () -> Void) {
        condition.withLock {
            guard !stopping else { return }
            jobs.append(body)
            condition.signal()
        }
    }

    /// Runs `body(0..<count)` spread over the executor's threads and the calling
    /// thread, and returns when all are done. For a plain (non-async) thread such as
    /// the group committer; never call it from a task.
    func perform(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        guard count > 1 else {
            if count == 1 { body(0) }
            return
        }
        final class Countdown: @unchecked Sendable {
            let lock = ConditionLock()
            var remaining: Int  // guarded by `lock`
            init(_ remaining: Int) { self.remaining = remaining }
        }
        let countdown = Countdown(count - 1)
        for index in 1..<count {
            submit {
                body(index)
                countdown.lock.withLock {
                    countdown.remaining -= 1
                    if countdown.remaining == 0 { countdown.lock.signal() }
                }
            }
        }
        body(0)
        countdown.lock.withLock {
            while countdown.remaining > 0 { countdown.lock.wait() }
        }
    }

    /// Runs the queued jobs to completion, then stops the threads.
    func stop() {
        let threads: [DedicatedThread] = condition.withLock {
            stopping = true
            condition.signal()  // each thread that exits wakes the next one
            defer { self.threads = [] }
            return self.threads
        }
        for thread in threads { thread.join() }
    }

    private func work() {
        while true {
            let job: (@Sendable () -> Void)? = condition.withLock {
                while jobs.isEmpty && !stopping { condition.wait() }
                if jobs.isEmpty {
                    condition.signal()  // wake the next thread so it sees `stopping` too
                    return nil
                }
                return jobs.removeFirst()
            }
            guard let job else { return }
            job()
        }
    }
}
