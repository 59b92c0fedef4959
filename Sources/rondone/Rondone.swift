import ArgumentParser
import Foundation

/// The `rondone` command: one binary for the server, its workers and its tools.
@main
struct Rondone: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rondone",
        abstract: "A metric and resource database that speaks the Gnocchi v1 REST API.",
        version: RondoneVersion.current,
        subcommands: [
            Serve.self, APICommand.self, MetricdCommand.self, StatsdCommand.self, Upgrade.self,
            MigrateCommand.self, HashPassword.self,
            FsckCommand.self, GcCommand.self, BackupCommand.self, RestoreCommand.self, DumpCommand.self,
        ]
    )

    /// Parses the command line after folding in the configuration file and the
    /// environment (see ``SettingSources``), then runs the chosen command.
    static func main() async {
        MallocTuning.apply(environment: ProcessInfo.processInfo.environment)
        do {
            let arguments = try SettingSources.expand(
                Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment,
                readFile: { path in
                    if let failure = StartupFailure.unreadableFile(path, option: "config") { throw failure }
                    return try String(contentsOfFile: path, encoding: .utf8)
                })
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as StartupFailure {
            failure.report()
            Foundation.exit(1)
        } catch {
            exit(withError: error)
        }
    }
}

/// The version printed by `rondone --version` and reported by the API.
enum RondoneVersion {
    static let current = "0.1.0"
}
