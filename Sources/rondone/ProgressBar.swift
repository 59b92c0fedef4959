import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A one-line progress report on standard error, redrawn in place, for long commands
/// (`migrate`): only when standard error is a terminal, at most ten times a second;
/// silent otherwise, so logs and pipes get the command's summary alone.
final class ProgressBar: @unchecked Sendable {
    private let enabled = isatty(STDERR_FILENO) == 1
    private let lock = NSLock()
    private var step = ""
    private var lastDraw = Date.distantPast

    /// Shows `done` of `total` for `step` (a bar when the total is known, a count
    /// otherwise); a new step ends the previous one's line.
    func update(step name: String, done: Int, total: Int) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        let finished = total > 0 && done >= total
        if name != step {
            if !step.isEmpty { write("\n") }
            step = name
        } else if now.timeIntervalSince(lastDraw) < 0.1 && !finished {
            return
        }
        lastDraw = now
        var line = "\r\(name): "
        if total > 0 {
            let width = 30
            let filled = min(width, done * width / total)
            line +=
                "[" + String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
            line += "] \(done)/\(total)"
        } else {
            line += "\(done)"
        }
        write(line + "\u{1B}[K")
    }

    /// Ends the current line, if one was drawn.
    func finish() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        if !step.isEmpty { write("\n") }
        step = ""
    }

    private func write(_ text: String) {
        var error = StandardError()
        error.write(text)
    }
}
