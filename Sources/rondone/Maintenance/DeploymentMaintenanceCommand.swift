import ArgumentParser
import Logging
import RondoneServer

/// A maintenance command that also works on a PostgreSQL + S3 deployment: given the
/// deployment's URLs (command line, configuration file or `RONDONE_*`), it opens the
/// deployment in this process and runs there, from any machine that reaches PostgreSQL
/// and the bucket; without them it works on the data directory as before.
protocol DeploymentMaintenanceCommand: DirectoryMaintenanceCommand {
    /// The deployment's URLs, when given.
    var deployment: DeploymentOptions { get }
    /// Does the work on the open deployment; returns the exit code (0 fine, 1 found
    /// problems or failed).
    func run(on deployment: MaintainedDeployment, output: any MaintenanceOutput) async throws -> Int32
}

extension DeploymentMaintenanceCommand {
    func run() async throws {
        guard let settings = try deployment.settings(sacks: nil) else {
            try await runOnDataDirectory()
            return
        }
        var logger = Logger(label: "rondone.maintenance")
        logger.logLevel = .error
        let opened: MaintainedDeployment
        do {
            opened = try await MaintainedDeployment.open(settings, logger: logger)
        } catch {
            var standardError = StandardError()
            print("rondone: cannot open the deployment: \(error)", to: &standardError)
            throw ExitCode.failure
        }
        let output = TerminalMaintenanceOutput()
        let code: Int32
        do {
            code = try await run(on: opened, output: output)
        } catch {
            output.finish()
            await opened.close()
            var standardError = StandardError()
            print("rondone: \(error)", to: &standardError)
            throw ExitCode.failure
        }
        output.finish()
        await opened.close()
        if code != 0 { throw ExitCode(code) }
    }
}
