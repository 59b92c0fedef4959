import RondoneStorage
import Synchronization

/// Processing's view of a full disk (Rondone's): from the first commit refused with
/// ENOSPC/EDQUOT to the next one that succeeds.
///
/// The episode is logged once when it starts and once when it ends, not at each
/// refused commit; while it lasts the workers pause between passes (half the episode
/// so far, 1 s to ``longestPause``) instead of retrying at once, and the claims they take are
/// released, so every measure stays waiting in the incoming store until space comes
/// back and a pass succeeds. Nothing needs a restart.
final class DiskFullEpisode: Sendable {
    /// The longest pause between two attempts while the disk stays full.
    static let longestPause = Duration.seconds(5)

    private struct State {
        var started: ContinuousClock.Instant?
        var refusals = 0
    }

    private let state = Mutex(State())

    /// Whether `error` is a full disk; if so it is absorbed into the episode (the start
    /// of an episode is logged with `what` failed, later refusals are only counted).
    func absorb(_ error: any Error, _ what: @autoclosure () -> String, log: ProcessingLog) -> Bool {
        guard case StorageError.diskFull(let path) = error else { return false }
        let first = state.withLock { state in
            state.refusals += 1
            guard state.started == nil else { return false }
            state.started = .now
            return true
        }
        if first {
            log(
                "Disk full (no space left on device for \(path)) while \(what()): processing pauses and "
                    + "retries until space is freed; the measures stay waiting, none is lost")
        }
        return true
    }

    /// A write succeeded: ends the episode, if any (logged once).
    func succeeded(log: ProcessingLog) {
        let ended = state.withLock { state -> (Duration, Int)? in
            guard let started = state.started else { return nil }
            defer { state = State() }
            return (ContinuousClock.now - started, state.refusals)
        }
        if let (duration, refusals) = ended {
            log(
                "Disk space is back: processing resumed after \(duration.components.seconds) s "
                    + "(\(refusals) refused writes)")
        }
    }

    /// Whether a full disk is refusing processing's writes now.
    var isActive: Bool { state.withLock { $0.started != nil } }

    /// How long a worker waits before its next pass: nil outside an episode, else half
    /// the episode's length so far, from 1 s up to ``longestPause``.
    var pause: Duration? {
        state.withLock { state in
            guard let started = state.started else { return nil }
            return min(max((ContinuousClock.now - started) / 2, .seconds(1)), Self.longestPause)
        }
    }
}
