import RondoneStorage
import RondoneTimeSeries

/// Why a processing call failed, with Gnocchi's message where it has one.
public enum ProcessingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A refresh could not take the metric's sack within the operation timeout
    /// (Gnocchi answers 503).
    case metricLocked(MetricID)

    public var description: String {
        switch self {
        case .metricLocked(let metric):
            return "Unable to refresh metric: \(metric). Metric is locked. Please try again."
        }
    }
}
