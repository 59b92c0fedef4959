import ArgumentParser
import RondoneServer
import RondoneTimeSeries

/// `rondone gc`: removes what nothing reads any more from a data directory (Rondone's;
/// docs/OPERATIONS.md, "gc").
struct GcCommand: DeploymentMaintenanceCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove unreachable aggregates, expired splits, dead log bytes and free index pages.",
        discussion: """
            Removes the aggregates of deleted metrics (what the janitor would) and of metrics the \
            index does not know, split packs past their archive policy's timespan (counted back \
            from the metric's newest split), then compacts the whole aggregate log and VACUUMs the \
            index so the bytes go back to the file system. With --history-retention, also removes \
            history revisions of ended resources that ended longer ago than that. --dry-run lists \
            exactly what would be removed and changes nothing.

            Safe while `rondone serve` runs on the directory: the command then runs inside the \
            server on its open stores, with the stores' own locks (requests wait while a log \
            segment is compacted or the index is vacuumed). Nothing needs the server stopped; on a \
            large index, VACUUM holds the index's writes for its duration, so a quiet hour is better.

            With --indexer-url and --storage-url, collects a PostgreSQL + S3 deployment instead, \
            while it runs: deleted metrics' data, data of metrics the index does not know, expired \
            splits (their objects wait out the 60 s grace of reads in flight in the garbage), the \
            janitor's garbage past its grace, uploads never committed (after 10 min), orphan \
            objects, then VACUUM (ANALYZE) of the schema's tables (never VACUUM FULL).
            """
    )

    @Option(name: .customLong("data-dir"), help: "The data directory.")
    var dataDir: String = "./rondone-data"

    @OptionGroup var deployment: DeploymentOptions

    @Flag(help: "Print what gc would remove and the bytes it would free; change nothing.")
    var dryRun = false

    @Option(
        help: """
            Also remove history revisions of ended resources whose revision ended more than \
            this long ago (a timespan: 90d, 12h, 3600).
            """)
    var historyRetention: String?

    var runsWhileServing: Bool { true }

    func validate() throws {
        _ = try retention()
    }

    /// The parsed `--history-retention`, nil without it.
    func retention() throws -> TimeDelta? {
        guard let historyRetention else { return nil }
        do throws(TimespanError) {
            return try TimeDelta.parseTimespan(historyRetention)
        } catch {
            throw ValidationError("--history-retention: \(error.message)")
        }
    }

    func run(on directory: DataDirectory, output: any MaintenanceOutput) async throws -> Int32 {
        let collector = GarbageCollector(
            indexer: directory.indexer, incoming: directory.incoming, aggregates: directory.aggregates)
        let start = ContinuousClock.now
        let report = try await collector.run(
            dryRun: dryRun, historyRetention: try retention(), output: output)
        return finish(report.lines(), since: start, output: output)
    }

    func run(on deployment: MaintainedDeployment, output: any MaintenanceOutput) async throws -> Int32 {
        let start = ContinuousClock.now
        let report = try await SharedGarbageCollector(deployment: deployment).run(
            dryRun: dryRun, historyRetention: try retention(), output: output)
        return finish(report.lines(), since: start, output: output)
    }

    private func finish(
        _ lines: [String], since start: ContinuousClock.Instant, output: any MaintenanceOutput
    )
        -> Int32
    {
        for line in lines { output.line(line) }
        let elapsed = ContinuousClock.now - start
        let milliseconds =
            elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        output.line("took \(milliseconds) ms")
        return 0
    }
}
