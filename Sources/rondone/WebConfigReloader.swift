import Dispatch
import Logging
import RondoneWebConfig

#if canImport(Glibc)
    import Glibc
#endif

/// Reloads the web configuration on SIGHUP, as Prometheus does: a file that loads
/// replaces the settings for the next requests and handshakes; one that does not is
/// logged with its reason and the settings stay as they were.
enum WebConfigReloader {
    static func reload(_ store: WebConfigStore, onHangUp logger: Logger) {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler {
            do {
                try store.reload()
                logger.notice("web config \(store.path) reloaded")
            } catch {
                logger.error("web config not reloaded, the previous settings stay: \(error)")
            }
        }
        source.resume()
        // Kept for the process's lifetime: the source is what observes the signal.
        _ = Unmanaged.passRetained(source as AnyObject)
    }
}
