import ArgumentParser
import Logging
import RondoneServer

/// `rondone migrate`: moves an embedded data directory into a PostgreSQL + S3
/// deployment (docs/SCALEOUT.md, "Moving a data directory in").
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Move a data directory into a PostgreSQL + S3 deployment (resumable).",
        discussion: """
            Copies archive policies, rules, resource types, resources with their history, metrics, \
            every stored aggregate and every waiting measure. The data directory must not be in use \
            (stop `rondone serve` first); it is read, never changed. The target must be new (empty \
            database and bucket) or a migration from the same directory that stopped: run the same \
            command again and it goes on where it was. Start the deployment's processes once it is done.
            """
    )

    @Option(help: "The data directory to move (stop the server that uses it first).")
    var fromDataDir: String

    @OptionGroup var deployment: DeploymentOptions

    @Option(help: "Number of sacks of the target's incoming store, when it is created (default: 128).")
    var sacks: Int?

    @Flag(help: "Print what would be moved, and change nothing.")
    var dryRun = false

    func validate() throws {
        guard deployment.indexerURL != nil else {
            throw ValidationError("migrate needs the target: --indexer-url and --storage-url")
        }
    }

    func run() async throws {
        try await Self.migrate(from: fromDataDir, into: deployment, sacks: sacks, dryRun: dryRun)
    }

    /// Moves the data directory at `path` into the deployment (or, with `dryRun`, says
    /// what it would move); `verb` names the command in what is printed (`restore`
    /// runs the same).
    static func migrate(
        from path: String, into deployment: DeploymentOptions, sacks: Int?, dryRun: Bool = false,
        verb: String = "migrate"
    ) async throws {
        var logger = Logger(label: "rondone.\(verb)")
        logger.logLevel = .warning
        var standardError = StandardError()
        let source: DataDirectory
        do {
            source = try DataDirectory.existing(path: path)
        } catch {
            print("rondone: cannot open \(path): \(error)", to: &standardError)
            throw ExitCode.failure
        }
        defer { source.close() }
        guard let settings = try deployment.settings(sacks: sacks) else { return }
        if dryRun {
            let counts = try await DataMigration.survey(.dataDirectory(source))
            print("rondone \(verb) --dry-run: \(path) → \(settings.location) would move:")
            for line in counts.lines { print("  " + line) }
            return
        }
        let target: Backends
        do {
            target = try await Backends.shared(settings, logger: logger)
            try await target.upgrade(createDefaultPolicies: false)
        } catch {
            print("rondone: cannot open \(settings.location): \(error)", to: &standardError)
            throw ExitCode.failure
        }
        let bar = ProgressBar()
        do {
            let migration = try DataMigration(
                source: .dataDirectory(source), target: target,
                progress: { bar.update(step: $0.name, done: $0.done, total: $0.total) })
            let counts = try await migration.run()
            bar.finish()
            await target.close()
            print("rondone \(verb): \(path) → \(settings.location) done; this run moved:")
            for line in counts.lines { print("  " + line) }
        } catch {
            bar.finish()
            await target.close()
            print("rondone \(verb): stopped: \(error)", to: &standardError)
            print("rondone \(verb): run the same command again to go on", to: &standardError)
            throw ExitCode.failure
        }
    }
}
