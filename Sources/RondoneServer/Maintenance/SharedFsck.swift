import RondoneIndexer
import RondoneStorage
import RondoneStoragePostgreSQL
import RondoneStorageS3
import RondoneTimeSeries

/// `rondone fsck` on a PostgreSQL + S3 deployment: every aggregate object of the bucket
/// against the pointers (missing objects, orphans, each current object's bytes against
/// its ETag's MD5 and through its codec), every waiting batch (payload length, sack),
/// the index (its links, and PostgreSQL's `amcheck` when installed), and the links
/// between the index and the data, as on a data directory.
///
/// Checking only reads, and runs while API nodes and metricd run: the data is read
/// before the index, so a metric created meanwhile is never mistaken for data of no
/// metric. `--repair` also runs while they run: what it does (delete orphan objects,
/// data of metrics the index does not know, move a batch to its sack) touches nothing a
/// process uses, and each repair checks again just before it acts.
public struct SharedFsck: Sendable {
    public let deployment: MaintainedDeployment
    public let mode: Fsck.Mode
    /// Whether every current object is read back (false: existence and links only).
    public let readContent: Bool

    public init(deployment: MaintainedDeployment, mode: Fsck.Mode = .check, readContent: Bool = true) {
        self.deployment = deployment
        self.mode = mode
        self.readContent = readContent
    }

    /// Runs the checks, reporting to `output`, then repairs as `mode` says.
    public func run(output: any MaintenanceOutput) async throws -> Fsck.Report {
        var report = Fsck.Report()
        output.line("fsck of \(deployment.location)")

        // 1. The data: waiting batches, then the bucket against the pointers.
        let incoming = try await deployment.incoming.verify { done, total in
            output.progress(step: "incoming", done: done, total: total)
        }
        output.line(
            "incoming: \(deployment.incoming.sackCount) sacks, \(incoming.rows) waiting batches "
                + "(\(incoming.measures) measures, \(incoming.bytes) bytes); "
                + "\(incoming.waitingMetrics.count) metrics with measures waiting")
        let objects = try await deployment.aggregates.verify(readContent: readContent) { done, total in
            output.progress(step: "objects", done: done, total: total)
        }
        output.line(
            "aggregates: \(objects.objects) objects (\(objects.bytes) bytes) in \(deployment.settings.storage), "
                + "\(objects.pointers) current for \(objects.metrics.count) metrics"
                + (readContent
                    ? "; \(objects.buffers) buffers and \(objects.splits) splits read back and decoded, "
                        + "\(objects.checksummed) compared with their ETag's MD5"
                    : "; contents not read (--skip-content)")
                + "; \(objects.garbage) superseded and \(objects.uploads) uploading objects left to the janitor"
        )
        for finding in objects.findings { report.problems.append(Fsck.problem(finding)) }
        for orphan in objects.orphans {
            report.problems.append(
                FsckProblem(
                    kind: StoreFinding.Kind.orphanObject.rawValue,
                    path: deployment.aggregates.url(of: orphan.key),
                    detail:
                        "\(orphan.size) bytes (last modified \(orphan.lastModified ?? "?")) that no pointer, garbage or upload row names",
                    repair: .deleteOrphanObject(orphan.key)))
        }
        for row in incoming.badRows { report.problems.append(problem(row)) }

        // 2. The index.
        output.progress(step: "index", done: 0, total: 1)
        let indexer = deployment.indexer
        var integrity: [String]
        var amcheck = ""
        var rows: [IndexedMetric] = []
        var policies: [String: ArchivePolicy] = [:]
        do {
            let check = try await indexer.integrityCheck()
            integrity = check.problems
            amcheck =
                !check.amcheck
                ? "amcheck not installed (CREATE EXTENSION amcheck to check its indexes and tables)"
                : check.amcheckDenied
                    ? "amcheck installed, but this user may not run bt_index_check and verify_heapam (GRANT EXECUTE)"
                    : "amcheck: \(check.indexesChecked) indexes and \(check.tablesChecked) tables verified"
            rows = try await indexer.allMetricRows()
            for policy in try await indexer.archivePolicies() { policies[policy.name] = policy }
        } catch {
            integrity = ["the index cannot be read: \(error)"]
        }
        let active = rows.filter { $0.status == .active }.count
        output.line(
            "index: \(deployment.settings.indexer): "
                + (integrity.isEmpty ? "links ok" : "\(integrity.count) problems") + ", \(amcheck)"
                + "; \(rows.count) metrics (\(active) active, \(rows.count - active) awaiting deletion)")
        for problem in integrity {
            report.problems.append(
                FsckProblem(
                    kind: "index", path: "\(deployment.settings.indexer)", detail: problem,
                    advice: "restore the database from a backup (pg_amcheck says more)"))
        }
        let indexSound = integrity.isEmpty
        var known: [MetricID: IndexedMetric] = [:]
        for row in rows { known[row.id] = row }
        if rows.isEmpty && !indexSound {
            output.line("links between the index and the data: not checked (the index cannot be read)")
        } else {
            let (aggregates, waiting) = (deployment.aggregates, deployment.incoming)
            let incomingPath = "\(deployment.settings.incoming)"
            let links = FsckLinks(
                stored: objects.metrics, waiting: incoming.waitingMetrics,
                aggregatesPath: "s3://\(deployment.settings.storage.bucket)",
                waitingPath: { _ in incomingPath },
                stillStored: { try await aggregates.holdsData(of: $0) },
                stillWaiting: { try await waiting.holdsMeasures(of: $0) })
            try await links.check(known: known, policies: policies, indexSound: indexSound, into: &report)
        }
        output.progress(step: "index", done: 1, total: 1)

        try await Fsck.finish(
            &report, mode: mode, repairNeeds: "safe while the deployment runs", output: output, apply: apply)
        return report
    }

    private func problem(_ row: IncomingRowsVerification.BadRow) -> FsckProblem {
        let path = "\(deployment.settings.incoming) rondone_incoming id \(row.id)"
        if let bytes = row.payloadBytes {
            return FsckProblem(
                kind: "damaged-record", path: path, metric: row.metric,
                detail:
                    "a waiting batch of \(row.points) points has \(bytes) payload bytes (\(row.points * 16) expected); "
                    + "every claim of sack \(row.sack) fails on it, so the sack is not processed",
                advice:
                    "its measures cannot be read; delete the row (DELETE FROM rondone_incoming WHERE id = \(row.id)) to let sack \(row.sack) be processed"
            )
        }
        return FsckProblem(
            kind: "wrong-sack", path: path, metric: row.metric,
            detail:
                "a waiting batch in sack \(row.sack), its metric's sack being \(row.expectedSack ?? row.sack): "
                + "it would be processed under another sack's lease",
            repair: .moveToOwnSack(row: row.id, metric: row.metric))
    }

    private func apply(_ repair: FsckProblem.Repair) async throws {
        switch repair {
        case .deleteAggregates(let metric):
            guard try await deployment.indexer.metric(metric) == nil else {
                throw FsckFailure("metric \(metric) exists now; left alone")
            }
            try await deployment.aggregates.deleteMetric(metric)
        case .deleteWaitingMeasures(let metric):
            guard try await deployment.indexer.metric(metric) == nil else {
                throw FsckFailure("metric \(metric) exists now; left alone")
            }
            try await deployment.incoming.deleteUnprocessed(metric: metric)
        case .deleteOrphanObject(let key):
            guard try await deployment.aggregates.deleteOrphan(key) else {
                throw FsckFailure("object \(key) is named now; left alone")
            }
        case .moveToOwnSack(let row, let metric):
            try await deployment.incoming.moveToOwnSack(row: row, metric: metric)
        case .truncate:
            throw FsckFailure("\(repair.description): not a repair of a deployment")
        }
    }
}
