import ArgumentParser
import Foundation
import Logging
import RondoneServer

/// `rondone backup DEST`: a consistent snapshot of a data directory, taken in the
/// server that serves it (over its control socket) or in this process when no one does;
/// with a deployment's URLs, the deployment at one snapshot written as a data directory.
struct BackupCommand: DirectoryMaintenanceCommand, ResolvesForwardedPaths {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent snapshot of a data directory or a deployment, also while it runs.",
        discussion: """
            DEST must not exist or be empty. Sealed log segments are hard-linked when DEST is \
            on the same file system (copied otherwise), the segments being appended to are \
            copied up to their last acknowledged write, the index with SQLite's backup API; \
            writes wait only while the consistent point is taken (milliseconds). \
            `rondone serve --data-dir DEST` serves the backup as it is; `rondone restore` puts \
            it in place elsewhere. With --indexer-url and --storage-url, a PostgreSQL + S3 \
            deployment is read at one PostgreSQL snapshot while it runs (no claim taken, \
            superseded objects kept until the copy is done) and written into DEST as a data \
            directory. See docs/OPERATIONS.md.
            """)

    @Option(name: .customLong("data-dir"), help: "The data directory to back up.")
    var dataDir: String = "./rondone-data"

    @OptionGroup var deployment: DeploymentOptions

    @Argument(help: "Where the backup goes: a new or empty directory.")
    var destination: String

    var runsWhileServing: Bool { true }

    func run(on directory: DataDirectory, output: any MaintenanceOutput) async throws -> Int32 {
        let report = try await directory.backup(to: destination, output: output)
        for line in report.lines(destination: destination) { output.line(line) }
        return 0
    }

    /// A deployment's backup here; a data directory's in the server that owns it or here
    /// (as ``DirectoryMaintenanceCommand`` runs it).
    func run() async throws {
        guard let settings = try deployment.settings(sacks: nil) else {
            try await runOnDataDirectory()
            return
        }
        var logger = Logger(label: "rondone.backup")
        // The source's own warnings (its synchronous_commit) are not the backup's.
        logger.logLevel = .error
        let output = TerminalMaintenanceOutput()
        do {
            let report = try await DeploymentBackup.run(
                settings, to: destination, output: output, logger: logger)
            output.finish()
            for line in report.lines(destination: destination) { print(line) }
        } catch {
            output.finish()
            var standardError = StandardError()
            print("rondone: backup of \(settings.location) failed: \(error)", to: &standardError)
            throw ExitCode.failure
        }
    }

    func resolvingPaths(against workingDirectory: String) -> Self {
        var copy = self
        copy.destination = absolutePath(destination, against: workingDirectory)
        return copy
    }
}

/// `rondone restore BACKUP`: a backup put in place as a data directory, or, with a
/// deployment's URLs, moved into a new deployment (`rondone migrate`).
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Put a backup in place as a data directory or into a new deployment.",
        discussion: """
            Segments are hard-linked when BACKUP and the data directory are on the same file \
            system, copied otherwise; the index is copied with SQLite's backup API; the \
            restored directory is then opened to check it reads back. A backup can also be \
            served directly: `rondone serve --data-dir BACKUP`. With --indexer-url and \
            --storage-url, the backup goes into a new PostgreSQL + S3 deployment (an empty \
            database and bucket): the same as `rondone migrate --from-data-dir BACKUP`, \
            resumable the same way; start the deployment's processes once it is done.
            """)

    @Argument(help: "A directory written by `rondone backup` (or any data directory not in use).")
    var backup: String

    @Option(name: .customLong("data-dir"), help: "The data directory to create.")
    var dataDir: String = "./rondone-data"

    @OptionGroup var deployment: DeploymentOptions

    @Option(help: "Number of sacks of the deployment's incoming store, when it is created (default: 128).")
    var sacks: Int?

    func run() async throws {
        if deployment.indexerURL != nil {
            try await MigrateCommand.migrate(from: backup, into: deployment, sacks: sacks, verb: "restore")
            return
        }
        let output = TerminalMaintenanceOutput()
        do {
            let report = try DataDirectory.restore(from: backup, to: dataDir, output: output)
            output.finish()
            for line in report.lines(directory: dataDir) { print(line) }
        } catch {
            output.finish()
            var standardError = StandardError()
            print("rondone: cannot restore: \(error)", to: &standardError)
            throw ExitCode.failure
        }
    }
}

/// A maintenance command whose arguments hold paths, which the server must read
/// against the client's working directory rather than its own.
protocol ResolvesForwardedPaths {
    /// The same command with every relative path made absolute against `workingDirectory`.
    func resolvingPaths(against workingDirectory: String) -> Self
}

/// `path` made absolute against `workingDirectory` (unchanged if already absolute).
func absolutePath(_ path: String, against workingDirectory: String) -> String {
    path.hasPrefix("/") ? path : workingDirectory + "/" + path
}
