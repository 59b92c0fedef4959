import Foundation
import RondoneIndexerSQLite
import RondoneStorage

/// What a restore put in place.
public struct RestoreReport: Sendable {
    public var linkedFiles: Int
    public var linkedBytes: Int64
    public var copiedFiles: Int
    public var copiedBytes: Int64
    /// Damaged stretches the restored directory's stores reported when opened.
    public var corruptions: Int

    /// The report's lines, as `rondone restore` prints them.
    public func lines(directory: String) -> [String] {
        [
            "segments: linked \(linkedFiles) files (\(SnapshotWriter.bytes(linkedBytes))), copied \(copiedFiles) files (\(SnapshotWriter.bytes(copiedBytes)))",
            corruptions == 0
                ? "\(directory) opens: index and stores read back"
                : "\(directory) opens, with \(corruptions) damaged stretches of log skipped",
        ]
    }
}

extension DataDirectory {
    /// Puts the backup in `backup` (made by ``backup(to:output:)``, or a data directory
    /// no one uses) in place as the data directory `directory`, which must be absent or
    /// empty and not in use, then opens it to check it reads back.
    ///
    /// Segments are hard-linked when both are on the same file system (no store ever
    /// writes into an existing segment, so the two directories can share them), copied
    /// otherwise; the index is copied with SQLite's backup API.
    ///
    /// - Throws: ``BackupError`` with one sentence (not a backup, in use, not empty, a
    ///   write failed); partial output is removed.
    public static func restore(from backup: String, to directory: String, output: any MaintenanceOutput)
        throws -> RestoreReport
    {
        let backup = URL(fileURLWithPath: backup).standardizedFileURL.path
        let directory = URL(fileURLWithPath: directory).standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: backup + "/index.sqlite") else {
            throw BackupError("\(backup) holds no Rondone backup (no index.sqlite)")
        }
        guard backup != directory else { throw BackupError("the backup and the data directory are the same") }
        var isDirectory: ObjCBool = false
        let existed = FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory)
        if existed, isDirectory.boolValue, FileManager.default.fileExists(atPath: directory + "/LOCK") {
            do {
                try DataDirectoryLock(directory: directory).release()
            } catch StorageError.directoryOwned(_, let pid) {
                let holder = pid.map { "process \($0)" } ?? "another process"
                throw BackupError(
                    "\(directory) is in use by \(holder); restore only into a directory no one uses")
            }
        }
        _ = try checkEmptyTarget(directory, what: "restore only into a new or empty directory")
        let sourceLock: DataDirectoryLock
        do {
            sourceLock = try DataDirectoryLock(directory: backup)
        } catch StorageError.directoryOwned(_, let pid) {
            let holder = pid.map { "process \($0)" } ?? "another process"
            throw BackupError("\(backup) is in use by \(holder); stop it before restoring from it")
        }
        defer { sourceLock.release() }
        let writer = SnapshotWriter(destination: directory)
        do {
            try writer.makeDirectories(directory)
            let targetLock = try DataDirectoryLock(directory: directory)
            defer { targetLock.release() }
            let index = try SQLiteIndexer(path: backup + "/index.sqlite")
            try index.snapshot().write(to: directory + "/index.sqlite") { done, total in
                output.progress(step: "index", done: done, total: total)
            }
            var files: [(SnapshotFile, String)] = []
            for (relative, prefix) in try Self.backupFiles(backup) {
                if let file = try SnapshotFile(
                    relativePath: relative, sourcePath: backup + "/" + prefix + "/" + relative, length: nil)
                {
                    files.append((file, prefix))
                }
            }
            for (number, (file, prefix)) in files.enumerated() {
                output.progress(step: "segments", done: number, total: files.count)
                try writer.put(file, under: prefix)
            }
            output.progress(step: "segments", done: files.count, total: files.count)
            try writer.makeDirectories(directory + "/incoming")
            try writer.makeDirectories(directory + "/aggregates/log")
            try writer.syncDirectories()
        } catch {
            removePartial(directory, keepDirectory: existed)
            throw error
        }
        let restored: DataDirectory
        do {
            restored = try DataDirectory.existing(path: directory)
        } catch {
            throw BackupError("\(directory) was restored but does not open: \(error)")
        }
        let corruptions =
            restored.incoming.corruptionsAtOpen.count + restored.aggregates.corruptionsAtOpen.count
        restored.close()
        return RestoreReport(
            linkedFiles: writer.linkedFiles, linkedBytes: writer.linkedBytes, copiedFiles: writer.copiedFiles,
            copiedBytes: writer.copiedBytes, corruptions: corruptions)
    }

    /// The store files of a backup: `incoming/sacks`, the sacks' segments and the
    /// aggregate log's segments (locks, sockets and anything else are left out).
    private static func backupFiles(_ backup: String) throws -> [(String, String)] {
        let manager = FileManager.default
        var files: [(String, String)] = []
        let incoming = backup + "/incoming"
        if manager.fileExists(atPath: incoming + "/sacks") { files.append(("sacks", "incoming")) }
        for sack in ((try? manager.contentsOfDirectory(atPath: incoming)) ?? []).sorted()
        where sack.hasPrefix("incoming") {
            for name in ((try? manager.contentsOfDirectory(atPath: incoming + "/" + sack)) ?? []).sorted()
            where name.hasSuffix(".log") && name.utf8.count == 20 {
                files.append((sack + "/" + name, "incoming"))
            }
        }
        for name in ((try? manager.contentsOfDirectory(atPath: backup + "/aggregates/log")) ?? []).sorted()
        where name.hasSuffix(".agl") && name.utf8.count == 20 {
            files.append(("log/" + name, "aggregates"))
        }
        return files
    }
}
