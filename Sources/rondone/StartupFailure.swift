import Foundation
import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A start-up failure told in one sentence (a busy port, an unusable data directory, a
/// bad URL, a missing file): `rondone` prints it on standard error as
/// `rondone: <sentence>` and exits with code 1, without a stack trace or an error dump.
struct StartupFailure: Error, CustomStringConvertible {
    /// The sentence, naming what is wrong and, where there is one, how to change it.
    let message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { message }

    /// Prints the sentence on standard error.
    func report() {
        var standardError = StandardError()
        print("rondone: \(message)", to: &standardError)
    }

    /// The failure for a listener that could not bind `host:port`, or nil when `error`
    /// is not a failure to bind. `what` names the listener ("the API", "statsd"),
    /// `option` the setting that changes the port (`port` → `--port`, `RONDONE_PORT`,
    /// `port = …` in the --config file).
    static func listening(
        _ error: any Error, what: String, transport: String = "TCP", host: String, port: Int, option: String
    ) -> StartupFailure? {
        let address = "\(host):\(port)"
        let environment = "RONDONE_" + option.uppercased().replacing("-", with: "_")
        let change =
            "choose another with --\(option) PORT (or \(environment), or `\(option) = PORT` in the --config file)"
        switch bindErrno(error) {
        case EADDRINUSE:
            return StartupFailure(
                "cannot listen on \(transport) \(address) for \(what): the port is already in use by another "
                    + "program; stop it or \(change).")
        case EACCES:
            return StartupFailure(
                "cannot listen on \(transport) \(address) for \(what): permission denied (ports below 1024 need "
                    + "privileges); \(change).")
        case EADDRNOTAVAIL:
            return StartupFailure(
                "cannot listen on \(transport) \(address) for \(what): \(host) is not an address of this machine; "
                    + "choose another host with --\(option.replacing("port", with: "host")).")
        default:
            if error is SocketAddressError {
                return StartupFailure(
                    "cannot listen on \(transport) \(address) for \(what): the host \(host) cannot be resolved; "
                        + "choose another with --\(option.replacing("port", with: "host")).")
            }
            return nil
        }
    }

    /// The errno of a failed bind, looking through the errors that wrap it.
    private static func bindErrno(_ error: any Error) -> Int32? {
        if let error = error as? IOError { return error.errnoCode }
        // ServiceLifecycle and NIO sometimes wrap the cause; their descriptions keep
        // NIO's "(errno: N)" text.
        let text = String(describing: error)
        for code in [EADDRINUSE, EACCES, EADDRNOTAVAIL] where text.contains("errno: \(code))") {
            return code
        }
        return nil
    }

    /// A file named by an option that does not exist or cannot be read, or nil if it can.
    static func unreadableFile(_ path: String, option: String) -> StartupFailure? {
        var info = stat()
        if stat(path, &info) != 0 {
            return StartupFailure("the file \(path) given to --\(option) \(reason(errno)).")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            return StartupFailure("\(path) given to --\(option) is a directory, not a file.")
        }
        if access(path, R_OK) != 0 {
            return StartupFailure("the file \(path) given to --\(option) cannot be read: \(reason(errno)).")
        }
        return nil
    }

    /// Why a data directory cannot be used, or nil when it can (or does not exist yet and
    /// its parent can hold it).
    static func unusableDataDirectory(_ path: String) -> StartupFailure? {
        var info = stat()
        if stat(path, &info) != 0 {
            let code = errno
            guard code == ENOENT || code == ENOTDIR else {
                return StartupFailure(
                    "the data directory \(path) cannot be used: \(reason(code)) (--data-dir).")
            }
            let parent = (path as NSString).deletingLastPathComponent
            let directory = parent.isEmpty ? "." : parent
            if stat(directory, &info) == 0, (info.st_mode & S_IFMT) != S_IFDIR {
                return StartupFailure(
                    "the data directory \(path) cannot be created: \(directory) is a file, not a directory (--data-dir)."
                )
            }
            if stat(directory, &info) == 0, access(directory, W_OK | X_OK) != 0 {
                return StartupFailure(
                    "the data directory \(path) cannot be created: \(reason(errno)) in \(directory) (--data-dir)."
                )
            }
            return nil
        }
        if (info.st_mode & S_IFMT) != S_IFDIR {
            return StartupFailure(
                "the data directory \(path) is a file, not a directory; give another path with --data-dir.")
        }
        if access(path, R_OK | W_OK | X_OK) != 0 {
            return StartupFailure(
                "the data directory \(path) cannot be used: \(reason(errno)) (it must be readable and writable "
                    + "by this user; --data-dir).")
        }
        return nil
    }

    /// strerror, lower-cased at the start ("no such file or directory").
    private static func reason(_ code: Int32) -> String {
        switch code {
        case ENOENT: return "does not exist"
        default:
            let text = String(cString: strerror(code))
            return text.prefix(1).lowercased() + text.dropFirst()
        }
    }
}
