import Foundation
import RondoneIndexerSQLite
import RondoneStorage

/// What a backup wrote and how long it kept writers waiting.
public struct BackupReport: Sendable {
    /// Segments hard-linked (sealed, same file system) and their bytes.
    public var linkedFiles: Int
    public var linkedBytes: Int64
    /// Segments copied (active ones, or another file system) and their bytes.
    public var copiedFiles: Int
    public var copiedBytes: Int64
    /// The index file's size.
    public var indexBytes: Int64
    /// How long aggregate commits waited (the consistent point), and within it how
    /// long appends of measures waited.
    public var commitsPaused: Duration
    public var appendsPaused: Duration
    /// The whole backup.
    public var elapsed: Duration
}

extension DataDirectory {
    /// Writes a consistent snapshot of this open directory into `destination` (absent or
    /// empty), which `rondone serve --data-dir destination` opens as it is.
    ///
    /// The consistent point: the aggregate store's writer lock is taken (no commit,
    /// deletion or compaction runs), then the incoming store's group committer is paused
    /// while its segments are listed and opened, then appends resume; the index snapshot
    /// (a read transaction) is opened, then commits resume. Every measure acknowledged
    /// before the backup started is thus in the backup's incoming segments, or was
    /// completed by a claim whose aggregates were committed before the lock, so they are
    /// in its aggregate log. A metric purged from the index has had its data deleted
    /// first, which the lock orders before or after the whole point. Copying happens
    /// after, from the files opened at the point: sealed segments hard-linked on the
    /// same file system, the active ones copied up to their committed length, the index
    /// with SQLite's backup API.
    ///
    /// - Throws: ``BackupError`` (destination not empty, a write failed); partial
    ///   output is removed. `CancellationError` when the task is cancelled.
    public func backup(to destination: String, output: any MaintenanceOutput) async throws -> BackupReport {
        let clock = ContinuousClock()
        let started = clock.now
        let destination = URL(fileURLWithPath: destination).standardizedFileURL.path
        let source = URL(fileURLWithPath: path).standardizedFileURL.path
        guard destination != source, !destination.hasPrefix(source + "/") else {
            throw BackupError("a backup cannot go into the data directory itself: \(destination)")
        }
        let existed = try checkEmptyTarget(destination, what: "a backup goes into a new or empty directory")
        let writer = SnapshotWriter(destination: destination)
        do {
            try writer.makeDirectories(destination)
            output.progress(step: "pausing writes", done: 0, total: 0)
            let point = try await aggregates.withCommitsPaused { [incoming, indexer] aggregates in
                let locked = clock.now
                let (files, appendsPaused) = try incoming.withAppendsPaused { snapshot in
                    (snapshot.files, clock.now - locked)
                }
                let index = try indexer.snapshot()
                return ConsistentPoint(
                    aggregates: aggregates.files, incoming: files, index: index,
                    commitsPaused: clock.now - locked,
                    appendsPaused: appendsPaused)
            }
            try Task.checkCancellation()
            let indexPath = destination + "/index.sqlite"
            try point.index.write(to: indexPath) { done, total in
                output.progress(step: "index", done: done, total: total)
            }
            let indexBytes =
                (try? FileManager.default.attributesOfItem(atPath: indexPath)[.size] as? Int).flatMap { $0 }
                ?? 0
            let files = point.incoming.map { ($0, "incoming") } + point.aggregates.map { ($0, "aggregates") }
            for (number, (file, prefix)) in files.enumerated() {
                try Task.checkCancellation()
                output.progress(step: "segments", done: number, total: files.count)
                try writer.put(file, under: prefix)
            }
            output.progress(step: "segments", done: files.count, total: files.count)
            try writer.makeDirectories(destination + "/incoming")
            try writer.makeDirectories(destination + "/aggregates/log")
            try writer.syncDirectories()
            return BackupReport(
                linkedFiles: writer.linkedFiles, linkedBytes: writer.linkedBytes,
                copiedFiles: writer.copiedFiles,
                copiedBytes: writer.copiedBytes, indexBytes: Int64(indexBytes),
                commitsPaused: point.commitsPaused,
                appendsPaused: point.appendsPaused, elapsed: clock.now - started)
        } catch {
            removePartial(destination, keepDirectory: existed)
            throw error
        }
    }
}

/// The files and the index snapshot taken at a backup's consistent point.
private struct ConsistentPoint: Sendable {
    var aggregates: [SnapshotFile]
    var incoming: [SnapshotFile]
    var index: SQLiteIndexSnapshot
    var commitsPaused: Duration
    var appendsPaused: Duration
}

extension BackupReport {
    /// The report's lines, as `rondone backup` prints them.
    public func lines(destination: String) -> [String] {
        [
            "index: \(SnapshotWriter.bytes(indexBytes)) copied (SQLite backup)",
            "segments: linked \(linkedFiles) files (\(SnapshotWriter.bytes(linkedBytes))), copied \(copiedFiles) files (\(SnapshotWriter.bytes(copiedBytes)))",
            "writes paused: aggregate commits \(Self.milliseconds(commitsPaused)), measure appends \(Self.milliseconds(appendsPaused))",
            "backup written to \(destination) in \(Self.milliseconds(elapsed))",
        ]
    }

    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let ms = Double(seconds) * 1e3 + Double(attoseconds) / 1e15
        return String(format: "%.1f ms", ms)
    }
}
