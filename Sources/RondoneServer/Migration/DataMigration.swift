import Foundation
import RondoneIndexer
import RondoneStorage
import RondoneTimeSeries

/// `rondone migrate` and `rondone backup` of a deployment: copies archive policies,
/// rules, resource types, resources with their history, metrics, every stored aggregate
/// and every measure still waiting from a ``MigrationSource`` (an embedded data
/// directory, or a deployment at one snapshot) into an index that can import rows (a
/// deployment's PostgreSQL, or a new data directory's SQLite), and changes nothing in
/// the source (a data directory is left as `rondone serve` would find it).
///
/// The steps run in that order, each idempotent: what the target already holds is left
/// alone (policies, rules and types must then be equal), and the two long steps save a
/// checkpoint in the target's index after every batch, so a migration that stopped
/// (a crash, Ctrl-C, a lost connection) goes on where it was when run again. A target
/// that holds resources or metrics of its own is refused: the resource history keeps
/// its revision numbers, which only an empty index can take.
///
/// Waiting measures may be copied twice when a run stops in the middle of a sack;
/// processing is idempotent on the same time stamps (docs/PROCESSING.md), so the
/// aggregates come out the same.
public struct DataMigration: Sendable {
    /// What is copied from.
    public let source: MigrationSource
    /// What is copied into, upgraded without default policies.
    public let target: Backends
    let importer: any IndexerImport
    let progress: MigrationProgress

    /// The blob bytes one aggregate commit carries at most (unless one metric is larger).
    static let commitBytes = 8 << 20
    /// The metrics one aggregate commit carries at most.
    static let commitMetrics = 32
    /// Measures per incoming write.
    static let measuresPerAdd = 100_000

    /// - Throws: ``MigrationError`` when the target's index cannot take imported rows.
    public init(
        source: MigrationSource, target: Backends, progress: @escaping MigrationProgress = { _ in }
    ) throws {
        guard let importer = target.indexer as? any IndexerImport else {
            throw MigrationError("the target index cannot import rows")
        }
        self.source = source
        self.target = target
        self.importer = importer
        self.progress = progress
    }

    /// What a copy of `source` would move, read from it alone (`--dry-run`).
    public static func survey(_ source: MigrationSource) async throws -> MigrationCounts {
        try await source.survey()
    }

    /// Moves everything not moved yet; returns what this run moved.
    public func run() async throws -> MigrationCounts {
        var counts = MigrationCounts()
        try await claimTarget()
        try await copyCatalog(&counts)
        try await copyResources(&counts)
        let metrics = try await copyMetrics(&counts)
        try await importer.finishImport()
        try await copyAggregates(&counts, total: metrics.count)
        try await copyWaitingMeasures(&counts, metrics: metrics)
        return counts
    }

    /// Forgets the checkpoints of this copy in the target (a backup, which is never
    /// resumed, leaves none behind).
    public func forgetCheckpoints() async throws {
        for name in [Checkpoint.source, Checkpoint.aggregates, Checkpoint.measures] {
            try await importer.saveImportCheckpoint(name, value: nil)
        }
    }

    /// Checks the target is empty or a copy from this very source, and marks it as the
    /// latter.
    private func claimTarget() async throws {
        let path = source.name
        if let from = try await importer.importCheckpoint(Checkpoint.source) {
            guard from == path else {
                throw MigrationError("the target is being migrated from \(from), not \(path)")
            }
            return
        }
        let resources = try await target.indexer.resources(ResourceQuery(limit: 1))
        let metrics = try await target.indexer.metrics(MetricQuery(limit: 1))
        guard resources.isEmpty && metrics.isEmpty else {
            throw MigrationError(
                "the target already holds resources or metrics: migrate into a new deployment "
                    + "(an empty PostgreSQL database and bucket)")
        }
        try await importer.saveImportCheckpoint(Checkpoint.source, value: path)
    }

    /// The names of the checkpoints this migration saves in the target's index.
    enum Checkpoint {
        static let source = "migrate.source"
        static let aggregates = "migrate.aggregates.after"
        static let measures = "migrate.measures.sacks-done"
    }
}

/// Reports how far a step has got: its name, what is done and the total (0 when not known).
public typealias MigrationProgress = @Sendable (MigrationStep) -> Void

/// One report of a migration step's progress.
public struct MigrationStep: Sendable, Equatable {
    public var name: String
    public var done: Int
    public var total: Int

    public init(name: String, done: Int, total: Int) {
        self.name = name
        self.done = done
        self.total = total
    }
}

/// A refusal of `rondone migrate`, in one sentence.
public struct MigrationError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) { self.description = description }
}

/// What a migration moved, or would move.
public struct MigrationCounts: Sendable, Equatable {
    public var archivePolicies = 0
    public var archivePolicyRules = 0
    public var resourceTypes = 0
    public var resources = 0
    /// Every row of the resources: current rows and history rows.
    public var revisions = 0
    public var metrics = 0
    /// Metrics deleted in the source and waiting for their purge: not moved.
    public var deletedMetrics = 0
    public var splits = 0
    public var buffers = 0
    /// Bytes of the splits and buffers.
    public var bytes = 0
    public var waitingMeasures = 0

    public init() {}

    mutating func add(_ change: MetricChanges) {
        splits += change.splits.count
        buffers += change.buffer == nil ? 0 : 1
        bytes += change.byteCount
    }

    /// One line per kind of thing, for the command's output.
    public var lines: [String] {
        [
            "archive policies: \(archivePolicies)",
            "archive policy rules: \(archivePolicyRules)",
            "resource types: \(resourceTypes)",
            "resources: \(resources) (\(revisions) revisions)",
            "metrics: \(metrics)"
                + (deletedMetrics > 0 ? " (\(deletedMetrics) deleted ones left behind)" : ""),
            "aggregates: \(splits) splits and \(buffers) buffers, \(bytes) bytes",
            "waiting measures: \(waitingMeasures)",
        ]
    }
}
