import RondoneStorage
import RondoneTimeSeries

/// Why a processing or read call failed, with Gnocchi's message where it has one.
public enum ProcessingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The metric's policy keeps no such method at that granularity (Gnocchi 404s).
    case aggregationDoesNotExist(metric: MetricID, method: String, granularity: TimeDelta)
    /// A refresh could not take the metric's sack within the operation timeout
    /// (Gnocchi answers 503).
    case metricLocked(MetricID)

    public var description: String {
        switch self {
        case .aggregationDoesNotExist(let metric, let method, let granularity):
            return "Aggregation method '\(method)' at granularity '\(granularity.seconds)' "
                + "for metric \(metric) does not exist"
        case .metricLocked(let metric):
            return "Unable to refresh metric: \(metric). Metric is locked. Please try again."
        }
    }
}
