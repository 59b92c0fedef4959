import ArgumentParser
import RondoneServer

/// `rondone fsck`: checks an embedded data directory (docs/OPERATIONS.md, "fsck").
struct FsckCommand: DeploymentMaintenanceCommand {
    static let configuration = CommandConfiguration(
        commandName: "fsck",
        abstract: "Check every checksum, the index and its links to the data of a data directory.",
        discussion: """
            Checks every record of the incoming segments and of the aggregate log (framing and \
            CRC-32C, commit structure), every live buffer and split pack through its codec, the \
            SQLite index (integrity_check, foreign_key_check), and the links between the index \
            and the data (data of no metric, splits of a granularity the metric's policy does not \
            have, splits without a buffer). Prints what it checked with counts, one line per \
            problem (kind, path, offset, metric), then a summary. Exit code 0: nothing found; 1: \
            problems found.

            Checking runs while `rondone serve` runs on the directory (inside the server); \
            --repair needs the server stopped. --repair fixes only what loses no acknowledged \
            data: it cuts torn tails off segments (saving the bytes under lost+found/) and deletes \
            data of metrics the index does not know (only when the index passes its checks); \
            everything else is reported as not repairable, with what to do.

            With --indexer-url and --storage-url, checks a PostgreSQL + S3 deployment instead, \
            from any machine that reaches them and while it runs: every aggregate object of the \
            bucket against the pointers (missing objects, orphans), each current object read \
            back against its ETag's MD5 and through its codec (--skip-content: not read), every \
            waiting batch, the index (and its indexes and tables with amcheck, when the database \
            has the extension). --repair there is safe while the deployment runs: it deletes \
            orphan objects and data of metrics the index does not know, and moves waiting \
            batches to their sack.
            """
    )

    @Option(name: .customLong("data-dir"), help: "The data directory to check.")
    var dataDir: String = "./rondone-data"

    @OptionGroup var deployment: DeploymentOptions

    @Flag(help: "Repair what loses no acknowledged data (stop the server first, but for a deployment).")
    var repair = false

    @Flag(help: "With --repair: print what would be repaired, and change nothing.")
    var dryRun = false

    @Flag(help: "A deployment: check objects exist and are named, without reading them back.")
    var skipContent = false

    var runsWhileServing: Bool { !repair }

    func validate() throws {
        if dryRun && !repair { throw ValidationError("--dry-run goes with --repair") }
        if skipContent && deployment.indexerURL == nil {
            throw ValidationError("--skip-content is for a deployment (--indexer-url and --storage-url)")
        }
    }

    private var mode: Fsck.Mode { repair ? (dryRun ? .dryRun : .repair) : .check }

    func run(on directory: DataDirectory, output: any MaintenanceOutput) async throws -> Int32 {
        try await Fsck(directory: directory, mode: mode).run(output: output).exitCode
    }

    func run(on deployment: MaintainedDeployment, output: any MaintenanceOutput) async throws -> Int32 {
        try await SharedFsck(deployment: deployment, mode: mode, readContent: !skipContent).run(
            output: output
        )
        .exitCode
    }
}
