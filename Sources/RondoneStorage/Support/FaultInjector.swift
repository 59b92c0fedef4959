import Synchronization

/// Makes chosen system calls fail, for fault tests (package-internal).
///
/// Drivers consult it just before each write, fsync, rename, file creation and read, so
/// a test can produce a full disk or an I/O error at an exact step and check that the
/// call fails cleanly, that nothing already stored is damaged, and that a read that
/// fails is reported naming its file rather than served.
package final class FaultInjector: Sendable {
    /// The kinds of system call a fault can be attached to.
    package enum Operation: Sendable, Hashable {
        case write, sync, rename, create, read
    }

    private let pending = Mutex<[Operation: (errno: Int32, remaining: Int, skip: Int)]>([:])

    package init() {}

    /// After `after` calls of `operation` succeed, the next `times` fail with `errno`
    /// (without touching the disk); `after` lets a test fail the middle of a batch.
    package func fail(_ operation: Operation, errno: Int32, times: Int = 1, after: Int = 0) {
        pending.withLock { $0[operation] = (errno, times, after) }
    }

    /// Removes every armed fault.
    package func clear() {
        pending.withLock { $0.removeAll() }
    }

    /// The errno to fail `operation` with now, if one is armed.
    func take(_ operation: Operation) -> Int32? {
        pending.withLock { faults in
            guard let fault = faults[operation], fault.remaining > 0 else { return nil }
            if fault.skip > 0 {
                faults[operation] = (fault.errno, fault.remaining, fault.skip - 1)
                return nil
            }
            faults[operation] = fault.remaining == 1 ? nil : (fault.errno, fault.remaining - 1, 0)
            return fault.errno
        }
    }
}
