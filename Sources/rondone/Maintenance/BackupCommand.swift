import ArgumentParser
import Foundation
import RondoneServer

/// `rondone backup DEST`: a consistent snapshot of a data directory, taken in the
/// server that serves it (over its control socket) or in this process when no one does.
struct BackupCommand: DirectoryMaintenanceCommand, ResolvesForwardedPaths {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent snapshot of a data directory, also while it is served.",
        discussion: """
            DEST must not exist or be empty. Sealed log segments are hard-linked when DEST is \
            on the same file system (copied otherwise), the segments being appended to are \
            copied up to their last acknowledged write, the index with SQLite's backup API; \
            writes wait only while the consistent point is taken (milliseconds). \
            `rondone serve --data-dir DEST` serves the backup as it is; `rondone restore` puts \
            it in place elsewhere. See docs/OPERATIONS.md.
            """)

    @Option(name: .customLong("data-dir"), help: "The data directory to back up.")
    var dataDir: String = "./rondone-data"

    @Argument(help: "Where the backup goes: a new or empty directory.")
    var destination: String

    var runsWhileServing: Bool { true }

    func run(on directory: DataDirectory, output: any MaintenanceOutput) async throws -> Int32 {
        let report = try await directory.backup(to: destination, output: output)
        for line in report.lines(destination: destination) { output.line(line) }
        return 0
    }

    func resolvingPaths(against workingDirectory: String) -> Self {
        var copy = self
        copy.destination = absolutePath(destination, against: workingDirectory)
        return copy
    }
}

/// `rondone restore BACKUP`: a backup put in place as a data directory.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Put a backup in place as a data directory (absent or empty, not in use).",
        discussion: """
            Segments are hard-linked when BACKUP and the data directory are on the same file \
            system, copied otherwise; the index is copied with SQLite's backup API; the \
            restored directory is then opened to check it reads back. A backup can also be \
            served directly: `rondone serve --data-dir BACKUP`.
            """)

    @Argument(help: "A directory written by `rondone backup`.")
    var backup: String

    @Option(name: .customLong("data-dir"), help: "The data directory to create.")
    var dataDir: String = "./rondone-data"

    func run() async throws {
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
