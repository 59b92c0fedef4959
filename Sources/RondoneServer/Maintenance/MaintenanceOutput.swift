import Foundation

/// Where a maintenance command (`fsck`, `gc`, `backup`, `restore`) reports while it
/// runs on a data directory: progress for a bar on a terminal, and the lines of its
/// report. The command line prints them itself; a server that runs the command for a
/// client (over the data directory's control socket) forwards them to that client.
public protocol MaintenanceOutput: Sendable {
    /// `done` of `total` units of `step` are finished (`total` 0 when unknown).
    func progress(step: String, done: Int, total: Int)
    /// One line of the command's report (no trailing newline).
    func line(_ text: String)
}

/// A ``MaintenanceOutput`` that keeps the report's lines and ignores progress (tests).
public final class CollectedMaintenanceOutput: MaintenanceOutput, @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [String] = []

    public init() {}

    /// Every line reported so far, in order.
    public var lines: [String] { lock.withLock { collected } }

    public func progress(step: String, done: Int, total: Int) {}

    public func line(_ text: String) {
        lock.withLock { collected.append(text) }
    }
}
