import RondoneIndexer
import RondoneStorage
import RondoneTimeSeries

/// The links between an index and the data stored beside it, the same checks on a data
/// directory and on a deployment: data of metrics the index does not know (in the
/// aggregates or waiting), splits without a buffer, splits of a granularity the
/// metric's policy does not have, and active metrics without any data (a note).
struct FsckLinks {
    /// Every metric with aggregates, and what it holds.
    var stored: [MetricID: AggregateVerification.StoredMetric]
    /// Every metric with measures waiting.
    var waiting: Set<MetricID>
    /// Where the aggregates are, and where a metric's measures wait, as reports name them.
    var aggregatesPath: String
    var waitingPath: (MetricID) -> String
    /// Whether the store holds the metric's aggregates (measures) now: a metric whose
    /// data went meanwhile was being deleted, which is no problem.
    var stillStored: (MetricID) async throws -> Bool
    var stillWaiting: (MetricID) async throws -> Bool

    /// Adds the problems found to `report`, and its metrics without data.
    func check(
        known: [MetricID: IndexedMetric], policies: [String: ArchivePolicy], indexSound: Bool,
        into report: inout Fsck.Report
    ) async throws {
        let unsound = "the index failed its own checks, so it may be the index that lost the metric"
        for (metric, held) in stored.sorted(by: { $0.key < $1.key }) {
            guard let row = known[metric] else {
                guard try await stillStored(metric) else { continue }
                report.problems.append(
                    FsckProblem(
                        kind: "data-of-no-metric", path: aggregatesPath, metric: metric,
                        detail: "aggregates of a metric the index does not know",
                        repair: indexSound ? .deleteAggregates(metric) : nil,
                        advice: indexSound
                            ? nil : unsound + "; restore the index, or run fsck --repair once it passes"))
                continue
            }
            if !held.hasBuffer && !held.granularities.isEmpty {
                report.problems.append(
                    FsckProblem(
                        kind: "missing-buffer", path: aggregatesPath, metric: metric,
                        detail:
                            "the metric has splits but no unaggregated buffer (processing always writes both)",
                        advice:
                            "the next processing of the metric starts a new buffer; measures older than it can no longer update the splits"
                    ))
            }
            guard row.status == .active, let policy = policies[row.archivePolicyName] else { continue }
            let kept = Set(policy.definition.map(\.granularity.nanoseconds))
            for granularity in held.granularities.sorted() where !kept.contains(granularity) {
                report.problems.append(
                    FsckProblem(
                        kind: "unknown-granularity", path: aggregatesPath, metric: metric,
                        detail:
                            "splits of granularity \(TimeDelta(nanoseconds: granularity).formatted), which archive policy \(policy.name) does not have",
                        advice:
                            "these splits are never read; restore the metric's policy, or leave them to `rondone gc`"
                    ))
            }
        }
        for metric in waiting.sorted() where known[metric] == nil {
            guard try await stillWaiting(metric) else { continue }
            report.problems.append(
                FsckProblem(
                    kind: "data-of-no-metric", path: waitingPath(metric), metric: metric,
                    detail: "measures wait for a metric the index does not know",
                    repair: indexSound ? .deleteWaitingMeasures(metric) : nil,
                    advice: indexSound ? nil : unsound))
        }
        report.metricsWithoutData = known.values.filter {
            $0.status == .active && stored[$0.id] == nil && !waiting.contains($0.id)
        }.map(\.id).sorted()
    }
}
