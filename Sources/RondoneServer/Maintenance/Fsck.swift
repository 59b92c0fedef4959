import Foundation
import RondoneIndexer
import RondoneIndexerSQLite
import RondoneStorage
public import RondoneTimeSeries

/// `rondone fsck` on an embedded data directory: every checksum of every file
/// (incoming segments, aggregate log records, live buffers and split packs), every link
/// between the index and the stored data, and the SQLite index's own checks.
///
/// Checking only reads, and is safe on the open stores of a running server (each
/// store's verification takes what is committed under its locks, then reads). Data is
/// taken before the index is read, so a metric created meanwhile is never mistaken for
/// data of no metric. `repair` changes files and needs the directory to itself.
public struct Fsck: Sendable {
    /// What the run does.
    public enum Mode: Sendable {
        /// Check and report.
        case check
        /// Check, then repair what loses no acknowledged data.
        case repair
        /// Check, then say what `repair` would do, changing nothing.
        case dryRun
    }

    /// What a run found.
    public struct Report: Sendable {
        public var problems: [FsckProblem] = []
        /// Repairs done (``Mode/repair``) or that would be done (``Mode/dryRun``).
        public var repairs: [FsckProblem.Repair] = []
        /// Repairs that failed, with why.
        public var failedRepairs: [String] = []
        /// Active metrics with neither aggregates nor waiting measures.
        public var metricsWithoutData: [MetricID] = []

        /// 0 when nothing was found (with ``Mode/repair``: when every problem was
        /// repaired), 1 otherwise.
        public var exitCode: Int32 = 0
    }

    public let directory: DataDirectory
    public let mode: Mode

    public init(directory: DataDirectory, mode: Mode = .check) {
        self.directory = directory
        self.mode = mode
    }

    /// Runs the checks, reporting to `output`, then repairs as `mode` says.
    public func run(output: any MaintenanceOutput) async throws -> Report {
        var report = Report()
        output.line("fsck of \(directory.path)")

        // 1. Checksums of every file, store by store (the data before the index: see above).
        let incoming = try await directory.incoming.verify { done, total in
            output.progress(step: "incoming", done: done, total: total)
        }
        let aggregates = try await directory.aggregates.verify { done, total in
            output.progress(step: "aggregates", done: done, total: total)
        }
        output.line(
            "incoming: \(directory.incoming.sackCount) sacks, \(incoming.segments) segments, \(incoming.bytes) bytes, "
                + "\(incoming.measuresRecords) measures records (\(incoming.measures) measures), "
                + "\(incoming.consumedRecords) consumed records; \(incoming.waitingMetrics.count) metrics with measures waiting"
        )
        output.line(
            "aggregates: \(aggregates.segments) segments, \(aggregates.bytes) bytes, \(aggregates.records) records "
                + "in \(aggregates.commits) commits; \(aggregates.metrics.count) metrics with data: "
                + "\(aggregates.buffers) buffers, \(aggregates.packs) split packs, \(aggregates.splits) splits decoded"
        )
        for finding in incoming.findings + aggregates.findings {
            report.problems.append(Self.problem(finding))
        }
        // Damage the incoming store found when it was opened, in segments removed since
        // (a segment of consumed records only is reclaimed on open).
        for corruption in directory.incoming.corruptionsAtOpen
        where !FileManager.default.fileExists(atPath: corruption.path) {
            report.problems.append(
                FsckProblem(
                    kind: corruption.tornTail ? "torn-tail" : "damaged-record", path: corruption.path,
                    offset: corruption.offset,
                    detail: "found when the store was opened, in a segment since removed"
                        + (corruption.tornTail
                            ? " (crash residue, never acknowledged)" : ": its measures are lost"),
                    advice: corruption.tornTail ? "nothing left to do" : "the measures cannot be recovered"))
        }

        // 2. The index: SQLite's checks, then every metric row against the data.
        output.progress(step: "index", done: 0, total: 1)
        let indexer = directory.indexer
        var integrity: [String]
        var rows: [IndexedMetric] = []
        var policies: [String: ArchivePolicy] = [:]
        do {
            integrity = try await indexer.integrityProblems()
            rows = try await indexer.allMetricRows()
            for policy in try await indexer.archivePolicies() { policies[policy.name] = policy }
        } catch {
            integrity = ["the index cannot be read: \(error)"]
        }
        let active = rows.filter { $0.status == .active }.count
        output.line(
            "index: \(indexer.path): integrity_check "
                + (integrity.isEmpty ? "ok, foreign_key_check ok" : "\(integrity.count) problems")
                + "; \(rows.count) metrics (\(active) active, \(rows.count - active) awaiting deletion)")
        for problem in integrity {
            report.problems.append(
                FsckProblem(
                    kind: "index", path: indexer.path, detail: problem,
                    advice:
                        "restore index.sqlite from a backup (`sqlite3 index.sqlite .recover` may save what is left)"
                ))
        }
        let indexSound = integrity.isEmpty
        var known: [MetricID: IndexedMetric] = [:]
        for row in rows { known[row.id] = row }
        // Without a readable index, every metric would look unknown: no link checks then.
        if rows.isEmpty && !indexSound {
            output.line("links between the index and the data: not checked (the index cannot be read)")
        } else {
            let (aggregateStore, incomingStore) = (directory.aggregates, directory.incoming)
            let links = FsckLinks(
                stored: aggregates.metrics, waiting: incoming.waitingMetrics,
                aggregatesPath: aggregateStore.directory + "/log",
                waitingPath: { incomingStore.sackDirectory(of: $0) },
                stillStored: { aggregateStore.holdsData(of: $0) },
                stillWaiting: { incomingStore.holdsMeasures(of: $0) })
            try await links.check(known: known, policies: policies, indexSound: indexSound, into: &report)
        }
        output.progress(step: "index", done: 1, total: 1)

        try await Self.finish(
            &report, mode: mode, repairNeeds: "stop the server first", output: output, apply: apply)
        return report
    }

    /// The end of a run, the same for every kind of storage: one line per problem, the
    /// note on metrics without data, the repairs `mode` asks for (each through `apply`),
    /// the summary and the exit code. `repairNeeds` says what `--repair` asks of the
    /// operator (in the summary of a check).
    static func finish(
        _ report: inout Report, mode: Mode, repairNeeds: String, output: any MaintenanceOutput,
        apply: (FsckProblem.Repair) async throws -> Void
    ) async throws {
        for problem in report.problems { output.line(problem.line) }
        if !report.metricsWithoutData.isEmpty {
            let shown = report.metricsWithoutData.prefix(20).map(\.description).joined(separator: " ")
            output.line(
                "note: \(report.metricsWithoutData.count) active metrics hold no data (no aggregates, no measures "
                    + "waiting): \(shown)\(report.metricsWithoutData.count > 20 ? " …" : ""). A metric created but never "
                    + "fed looks the same (the index does not record that measures were processed), so these are "
                    + "not counted as problems.")
        }

        let repairs = report.problems.compactMap(\.repair)
        switch mode {
        case .check: break
        case .dryRun:
            report.repairs = repairs
            for repair in repairs { output.line("would \(repair.description)") }
        case .repair:
            for repair in repairs {
                do {
                    try await apply(repair)
                    report.repairs.append(repair)
                    output.line("repaired: \(repair.description)")
                } catch {
                    report.failedRepairs.append("\(repair.description): \(error)")
                    output.line("repair failed: \(repair.description): \(error)")
                }
            }
        }

        let unrepaired =
            mode == .repair ? report.problems.count - report.repairs.count : report.problems.count
        report.exitCode = unrepaired == 0 ? 0 : 1

        var kinds: [String: Int] = [:]
        for problem in report.problems { kinds[problem.kind, default: 0] += 1 }
        let byKind = kinds.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        let repairable = repairs.count
        if report.problems.isEmpty {
            output.line("summary: no problems found")
        } else {
            var summary = "summary: \(report.problems.count) problems (\(byKind)); "
            switch mode {
            case .check: summary += "\(repairable) repairable with --repair (\(repairNeeds))"
            case .dryRun: summary += "\(repairable) would be repaired by --repair"
            case .repair:
                summary += "\(report.repairs.count) repaired, \(report.failedRepairs.count) repairs failed"
            }
            summary += ", \(report.problems.count - repairable) not repairable by fsck"
            output.line(summary)
        }
    }

    /// A store's finding as a problem, with what to do about it.
    static func problem(_ finding: StoreFinding) -> FsckProblem {
        var problem = FsckProblem(
            kind: finding.kind.rawValue, path: finding.path, offset: finding.offset, metric: finding.metric,
            detail: finding.detail)
        switch finding.kind {
        case .tornTail:
            problem.repair = .truncate(path: finding.path, to: finding.offset ?? 0)
        case .damagedRecord:
            problem.advice = "its data cannot be recovered; restore from a backup if it matters"
        case .truncatedFile, .missingSegment:
            problem.advice = "restore the data directory from a backup"
        case .unreadableFile:
            problem.advice = "check the disk and the file's permissions"
        case .damagedBuffer:
            problem.advice =
                "the next processing of the metric starts a new buffer; restore from a backup to keep it"
        case .damagedPack, .damagedSplit:
            problem.advice =
                "reads of these splits answer an error; new measures rewrite the split, or restore from a backup"
        case .missingObject:
            problem.advice =
                "reads of it answer an error; restore the object from the bucket's versioning or a backup"
        case .damagedObject:
            problem.advice =
                "the object store changed its bytes; restore the object from the bucket's versioning or a backup"
        case .orphanObject:
            problem.advice = "nothing reads it; `rondone gc` deletes it"
        }
        return problem
    }

    private func apply(_ repair: FsckProblem.Repair) async throws {
        switch repair {
        case .truncate(let path, let size):
            try saveTail(path: path, from: size)
            guard truncate(path, off_t(size)) == 0 else {
                throw FsckFailure("cannot truncate \(path): \(String(cString: strerror(errno)))")
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.synchronize()
            try handle.close()
        case .deleteAggregates(let metric):
            try await directory.aggregates.deleteMetric(metric)
        case .deleteWaitingMeasures(let metric):
            try await directory.incoming.deleteUnprocessed(metric: metric)
        case .deleteOrphanObject, .moveToOwnSack:
            throw FsckFailure("\(repair.description): not a repair of a data directory")
        }
    }

    /// Copies the bytes a truncation cuts off to `lost+found/` in the data directory.
    private func saveTail(path: String, from offset: Int64) throws {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        let bytes = try handle.readToEnd() ?? Data()
        let saved = directory.path + "/lost+found"
        try FileManager.default.createDirectory(atPath: saved, withIntermediateDirectories: true)
        let name = path.replacingOccurrences(of: directory.path + "/", with: "")
            .replacingOccurrences(of: "/", with: "_")
        let target = saved + "/\(name).\(offset)"
        guard FileManager.default.createFile(atPath: target, contents: bytes) else {
            throw FsckFailure("cannot write \(target)")
        }
    }
}

/// A maintenance step that could not be done, in one sentence.
public struct FsckFailure: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
