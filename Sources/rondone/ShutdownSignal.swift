import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Waits for SIGINT or SIGTERM, so commands can stop cleanly (finish in-flight work,
/// let workers stop between metrics, release the data directory).
enum ShutdownSignal {
    /// Returns the name of the first of SIGINT/SIGTERM that arrives.
    static func wait() async -> String {
        let resumed = Mutex(false)
        return await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler {
                    let first = resumed.withLock { done in
                        defer { done = true }
                        return !done
                    }
                    if first { continuation.resume(returning: name) }
                }
                source.resume()
                // Kept for the process's lifetime on purpose: once the signal is ignored,
                // the source is what still observes it (a second Ctrl-C is then harmless).
                _ = Unmanaged.passRetained(source as AnyObject)
            }
        }
    }
}
