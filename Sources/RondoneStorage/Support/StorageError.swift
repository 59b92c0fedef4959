#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a storage call failed. A failed call changed nothing that was already stored.
public enum StorageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file system is full (ENOSPC or EDQUOT); free space and retry.
    case diskFull(path: String)
    /// Any other failed system call, with its errno.
    case io(operation: String, path: String, errno: Int32)
    /// Another process owns the data directory (it holds the lock file).
    case directoryOwned(directory: String, pid: Int32?)
    /// A name used as a file name component is empty, `.`/`..`, or holds `/` or NUL.
    case invalidName(String)
    /// A batch whose `timestamps` and `values` differ in length.
    case mismatchedLengths(timestamps: Int, values: Int)
    /// The directory was created with a different number of sacks.
    case sackCountMismatch(stored: Int, requested: Int)
    /// A sack number outside `0..<sackCount`, or a sack count outside 1...65535.
    case invalidSack(Int)
    /// A sack already has a claim that was neither completed nor released.
    case claimOutstanding(sack: Int)
    /// The claim is not the sack's current claim (already completed or released).
    case unknownClaim
    /// The store was closed.
    case closed
    /// A fenced write was refused: the lease is no longer its sack's current one (it
    /// expired, and another process may hold the sack now). Nothing was applied.
    case leaseLost(SackLease)
    /// A shared backend (database, object store) failed or could not be reached.
    case backend(String)

    public var description: String {
        switch self {
        case .diskFull(let path): return "No space left on device: \(path)"
        case .io(let operation, let path, let code):
            return "\(operation) failed for \(path): \(String(cString: strerror(code))) (errno \(code))"
        case .directoryOwned(let directory, let pid):
            let holder = pid.map { "process \($0)" } ?? "another process"
            return "Data directory \(directory) is already in use by \(holder)"
        case .invalidName(let name): return "Invalid name for storage: \(name)"
        case .mismatchedLengths(let timestamps, let values):
            return "Measures have \(timestamps) timestamps but \(values) values"
        case .sackCountMismatch(let stored, let requested):
            return "Incoming storage has \(stored) sacks, not \(requested)"
        case .invalidSack(let sack): return "Invalid sack \(sack)"
        case .claimOutstanding(let sack): return "Sack \(sack) is already being processed"
        case .unknownClaim: return "The claim is no longer current"
        case .closed: return "The store is closed"
        case .leaseLost(let lease): return "The lease on \(lease) is no longer current; nothing was written"
        case .backend(let message): return message
        }
    }

    /// The error for a failed system call: full-disk codes become `.diskFull`.
    static func system(_ operation: String, _ path: String, _ code: Int32) -> StorageError {
        code == ENOSPC || code == EDQUOT
            ? .diskFull(path: path) : .io(operation: operation, path: path, errno: code)
    }
}
