import Foundation
public import Logging
import RondoneStorage

/// What `rondone backup` of a PostgreSQL + S3 deployment wrote.
public struct DeploymentBackupReport: Sendable {
    /// What was copied: policies, rules, types, resources and revisions, metrics,
    /// splits and buffers with their bytes, waiting measures.
    public var counts: MigrationCounts
    /// How the consistent point was taken (``DeploymentSnapshot/consistency``).
    public var consistency: String
    /// The backup's size on disk.
    public var bytesOnDisk: Int64
    /// The whole backup.
    public var elapsed: Duration

    /// The report's lines, as `rondone backup` prints them.
    public func lines(destination: String) -> [String] {
        counts.lines + [
            "consistent point: \(consistency)",
            "backup written to \(destination) (\(SnapshotWriter.bytes(bytesOnDisk)) on disk) in "
                + BackupReport.milliseconds(elapsed),
        ]
    }
}

/// `rondone backup` of a PostgreSQL + S3 deployment: the deployment at one snapshot
/// (``DeploymentSnapshot``), copied by ``DataMigration`` into a new embedded data
/// directory that `rondone serve --data-dir DESTINATION` serves as it is, and that
/// `rondone restore --indexer-url … --storage-url …` (the migration) puts into a new
/// deployment.
public enum DeploymentBackup {
    /// Writes the backup into `destination` (absent or empty) while the deployment runs.
    ///
    /// - Throws: ``BackupError`` (destination not empty), ``MigrationError``, storage and
    ///   index errors; partial output is removed.
    public static func run(
        _ settings: SharedBackendSettings, to destination: String, output: any MaintenanceOutput,
        logger: Logger
    ) async throws -> DeploymentBackupReport {
        let clock = ContinuousClock()
        let started = clock.now
        let destination = URL(fileURLWithPath: destination).standardizedFileURL.path
        let existed = try checkEmptyTarget(destination, what: "a backup goes into a new or empty directory")
        output.progress(step: "taking the snapshot", done: 0, total: 0)
        let snapshot = try await DeploymentSnapshot.open(settings, logger: logger)
        var target: Backends?
        do {
            let directory = try DataDirectory(
                path: destination, sacks: FileIncomingStore.Options.defaultSacks)
            target = Backends.embedded(directory)
            try await target!.upgrade(createDefaultPolicies: false)
            let migration = try DataMigration(
                source: snapshot.source, target: target!,
                progress: { output.progress(step: $0.name, done: $0.done, total: $0.total) })
            let counts = try await migration.run()
            try await migration.forgetCheckpoints()
            await target!.close()
            target = nil
            await snapshot.close()
            return DeploymentBackupReport(
                counts: counts, consistency: snapshot.consistency, bytesOnDisk: diskUsage(destination),
                elapsed: clock.now - started)
        } catch {
            await target?.close()
            await snapshot.close()
            removePartial(destination, keepDirectory: existed)
            throw error
        }
    }

    /// The bytes of every file under `path`.
    static func diskUsage(_ path: String) -> Int64 {
        var total: Int64 = 0
        let manager = FileManager.default
        guard let walker = manager.enumerator(atPath: path) else { return 0 }
        while let relative = walker.nextObject() as? String {
            let attributes = try? manager.attributesOfItem(atPath: path + "/" + relative)
            if attributes?[.type] as? FileAttributeType == .typeRegular {
                total += Int64(attributes?[.size] as? Int ?? 0)
            }
        }
        return total
    }
}
