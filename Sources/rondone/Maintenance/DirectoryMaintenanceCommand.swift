import ArgumentParser
import Foundation
import RondoneServer
import RondoneStorage

/// A maintenance command over a data directory (`fsck`, `gc`, `backup`): it runs in
/// this process when no server owns the directory, and inside the server that owns it
/// otherwise, which then does the work on its own open stores and streams the report
/// back (the data directory's control socket).
protocol DirectoryMaintenanceCommand: AsyncParsableCommand {
    /// The data directory the command works on.
    var dataDir: String { get }
    /// Whether these arguments may run inside a running server; false asks the user to
    /// stop the server first (what `--help` says for that command).
    var runsWhileServing: Bool { get }
    /// Does the work on an open data directory; returns the exit code (0 fine, 1 found
    /// problems or failed).
    func run(on directory: DataDirectory, output: any MaintenanceOutput) async throws -> Int32
}

extension DirectoryMaintenanceCommand {
    func run() async throws {
        try await runOnDataDirectory()
    }

    /// Runs the command on `dataDir`: here, or in the server that owns it.
    func runOnDataDirectory() async throws {
        let directory: DataDirectory
        do {
            directory = try DataDirectory.existing(path: dataDir)
        } catch StorageError.directoryOwned(let path, let pid) {
            guard runsWhileServing else {
                let holder = pid.map { "process \($0)" } ?? "another process"
                var standardError = StandardError()
                print(
                    "rondone: \(path) is in use by \(holder); stop the server first, this command needs the directory to itself",
                    to: &standardError)
                throw ExitCode.failure
            }
            let code = try await ControlSocketClient.forward(
                dataDir: dataDir, arguments: Self.forwardedArguments())
            throw ExitCode(code)
        } catch {
            var standardError = StandardError()
            print("rondone: cannot open \(dataDir): \(error)", to: &standardError)
            throw ExitCode.failure
        }
        let output = TerminalMaintenanceOutput()
        let code: Int32
        do {
            code = try await run(on: directory, output: output)
        } catch {
            output.finish()
            directory.close()
            var standardError = StandardError()
            print("rondone: \(error)", to: &standardError)
            throw ExitCode.failure
        }
        output.finish()
        directory.close()
        if code != 0 { throw ExitCode(code) }
    }

    /// The command line to run in the server: this command's name and arguments as
    /// typed. Settings from the configuration file or the environment are not folded in;
    /// the only one these commands take is the data directory, and the server always
    /// works on its own.
    static func forwardedArguments() -> [String] {
        Array(CommandLine.arguments.dropFirst())
    }
}

/// Prints a maintenance command's report on standard output and its progress as a bar
/// on standard error (only on a terminal).
final class TerminalMaintenanceOutput: MaintenanceOutput, @unchecked Sendable {
    private let bar = ProgressBar()

    func progress(step: String, done: Int, total: Int) {
        bar.update(step: step, done: done, total: total)
    }

    func line(_ text: String) {
        bar.finish()
        print(text)
    }

    func finish() {
        bar.finish()
    }
}
