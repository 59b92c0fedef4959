import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The incoming store's files at one consistent point (`withAppendsPaused`).
public struct IncomingSnapshot: Sendable {
    /// `sacks`, then every segment of every sack; relative paths from the store's
    /// directory. Sealed segments whole, each sack's active segment up to the bytes
    /// committed when appends were paused.
    public var files: [SnapshotFile]
}

// Backups: a consistent point of the incoming logs.
extension FileIncomingStore {
    /// Calls `body` with the store's files while no append can complete: the group
    /// committer first makes every append queued before the call durable, then waits
    /// until `body` returns. Every measure acknowledged before the call is in the
    /// snapshot's segments (unless a claim completed it before), none acknowledged
    /// after is.
    ///
    /// Blocks the calling thread (call it off the cooperative pool); keep `body` short,
    /// every writer waits for it. The files are opened, not copied, inside: reading
    /// them can happen after the pause, even if the store deletes them meanwhile.
    ///
    /// - Throws: `StorageError.closed` when the store is closing; what opening a file throws.
    public func withAppendsPaused<T>(_ body: (IncomingSnapshot) throws -> T) throws -> T {
        let paused = DispatchSemaphore(value: 0)
        let resume = DispatchSemaphore(value: 0)
        let active = PauseHandoff()
        let accepted = committer.pause { segments in
            active.segments = segments
            paused.signal()
            resume.wait()
        }
        guard accepted else { throw StorageError.closed }
        paused.wait()
        defer { resume.signal() }
        let segments = active.segments
        var files: [SnapshotFile] = []
        if let sacks = try SnapshotFile(relativePath: "sacks", sourcePath: directory + "/sacks", length: nil)
        {
            files.append(sacks)
        }
        for sack in 0..<sackCount {
            let sackDirectory = layout.sackDirectory(sack)
            let name = String(sackDirectory.split(separator: "/").last ?? "")
            let sequences = try posix.list(sackDirectory).compactMap(IncomingLayout.segmentSequence).sorted()
            for sequence in sequences {
                let path = layout.segmentPath(sack: sack, sequence: sequence)
                let committed = segments[sack].flatMap { $0.sequence == sequence ? $0.size : nil }
                // A segment deleted meanwhile was completed by a claim: nothing of it waits.
                if let file = try SnapshotFile(
                    relativePath: name + "/" + String(path.split(separator: "/").last ?? ""),
                    sourcePath: path,
                    length: committed)
                {
                    files.append(file)
                }
            }
        }
        return try body(IncomingSnapshot(files: files))
    }
}

/// The active segments the committer hands over when it pauses: written on its thread
/// before it signals, read by the caller after the signal (the semaphore orders them).
private final class PauseHandoff: @unchecked Sendable {
    var segments: [Int: CommittedSegment] = [:]
}
