public import RondoneTimeSeries

/// One problem `rondone fsck` found, with what `--repair` does about it.
public struct FsckProblem: Sendable, Equatable {
    /// What `--repair` does for a problem: only what loses no acknowledged data.
    public enum Repair: Sendable, Hashable {
        /// Cut a segment's torn tail off (the bytes are first saved under `lost+found/`).
        case truncate(path: String, to: Int64)
        /// Delete the aggregates of a metric the index does not know.
        case deleteAggregates(MetricID)
        /// Delete the waiting measures of a metric the index does not know.
        case deleteWaitingMeasures(MetricID)
        /// Delete an object of the bucket that nothing names (a deployment).
        case deleteOrphanObject(String)
        /// Move a waiting batch to its metric's sack (a deployment's incoming row).
        case moveToOwnSack(row: Int64, metric: MetricID)

        /// What the repair does, as the report says it.
        public var description: String {
            switch self {
            case .truncate(let path, let size): "truncate \(path) to \(size) bytes"
            case .deleteAggregates(let metric): "delete the aggregates of metric \(metric)"
            case .deleteWaitingMeasures(let metric): "delete the waiting measures of metric \(metric)"
            case .deleteOrphanObject(let key): "delete orphan object \(key)"
            case .moveToOwnSack(let row, let metric):
                "move waiting batch \(row) to the sack of metric \(metric)"
            }
        }
    }

    /// A short name of the problem (`damaged-record`, `torn-tail`, `data-of-no-metric`, …).
    public var kind: String
    /// The file (or directory) concerned.
    public var path: String
    public var offset: Int64?
    public var metric: MetricID?
    /// What was found.
    public var detail: String
    /// What `--repair` would do; nil: not repairable by fsck (`advice` says what to do).
    public var repair: Repair?
    /// What the operator can do when fsck cannot repair it.
    public var advice: String?

    public init(
        kind: String, path: String, offset: Int64? = nil, metric: MetricID? = nil, detail: String,
        repair: Repair? = nil, advice: String? = nil
    ) {
        self.kind = kind
        self.path = path
        self.offset = offset
        self.metric = metric
        self.detail = detail
        self.repair = repair
        self.advice = advice
    }

    /// The report's line: kind, path, offset and metric when known, then the detail.
    public var line: String {
        var text = "\(kind) \(path)"
        if let offset { text += " offset \(offset)" }
        if let metric { text += " metric \(metric)" }
        text += ": \(detail)"
        if let repair {
            text += " [--repair: \(repair.description)]"
        } else if let advice {
            text += " [not repairable by fsck: \(advice)]"
        }
        return text
    }
}
