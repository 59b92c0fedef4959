public import RondoneTimeSeries

/// The measures of one remote write request for one Prometheus target, as Gnocchi
/// stores them: a resource of type `prometheus` whose original id is `job@instance`
/// (each `none` when the label is absent) and one metric per distinct metric name.
public struct PrometheusResourceMeasures: Sendable, Equatable {
    public var job: String
    public var instance: String
    /// Metrics in the order their name was first seen in the request.
    public var metrics: [PrometheusMetricMeasures]

    /// The resource's original id, `job@instance`.
    public var originalResourceID: String { "\(job)@\(instance)" }
}

/// The samples of one metric of a target, ready to become an incoming batch as they are.
/// Equality is bit-exact (``Measures``' own), so NaN (Prometheus' staleness marker)
/// compares as sent.
public struct PrometheusMetricMeasures: Sendable, Equatable {
    public var name: String
    /// The samples, in the order sent.
    public var measures: Measures

    public init(name: String, measures: Measures) {
        self.name = name
        self.measures = measures
    }
}

/// How a series' labels become a metric name.
public enum PrometheusMetricNaming: Sendable {
    /// Gnocchi 4.7: the `__name__` label alone; every label but `job` and `instance`
    /// is dropped, so series that differ only by another label share one metric and
    /// the last one in a request wins.
    case nameOnly
    /// `__name__@label=value,…`, the other labels sorted by name (the form of Gnocchi's
    /// InfluxDB metric names), every `/` replaced by `_` since a metric name cannot
    /// hold one. A series without other labels keeps its bare `__name__`.
    case keepLabels
}

extension RemoteWriteRequest {
    /// The request's series grouped by target and metric name, in first-seen order.
    /// Series without samples are left out, as Gnocchi does; a series without a
    /// `__name__` (or with an empty one, or one holding `/` under `.nameOnly`) makes
    /// the whole request an `IngestError`, before anything is stored.
    public func resources(naming: PrometheusMetricNaming = .nameOnly) throws(IngestError)
        -> [PrometheusResourceMeasures]
    {
        var resources: [PrometheusResourceMeasures] = []
        var resourceIndex: [String: Int] = [:]
        var metricIndex: [[String: Int]] = []
        for series in series {
            guard let base = series.label("__name__"), !base.isEmpty else {
                throw IngestError("a series has no __name__ label")
            }
            let name = Self.metricName(base, series.labels, naming)
            guard !name.contains("/") else { throw IngestError("'/' is not supported in metric name") }
            guard !series.samples.isEmpty else { continue }
            let job = series.label("job") ?? "none"
            let instance = series.label("instance") ?? "none"
            let key = "\(job)@\(instance)"
            let resource: Int
            if let index = resourceIndex[key] {
                resource = index
            } else {
                resource = resources.count
                resourceIndex[key] = resource
                resources.append(PrometheusResourceMeasures(job: job, instance: instance, metrics: []))
                metricIndex.append([:])
            }
            let measures = PrometheusMetricMeasures(
                name: name,
                measures: Measures(
                    timestamps: Array(timestamps[series.samples]), values: Array(values[series.samples])))
            if let index = metricIndex[resource][name] {
                resources[resource].metrics[index] = measures
            } else {
                metricIndex[resource][name] = resources[resource].metrics.count
                resources[resource].metrics.append(measures)
            }
        }
        return resources
    }

    private static func metricName(_ base: String, _ labels: [Label], _ naming: PrometheusMetricNaming)
        -> String
    {
        guard case .keepLabels = naming else { return base }
        var kept: [String: String] = [:]
        for label in labels where !["__name__", "job", "instance"].contains(label.name) {
            kept[label.name] = label.value
        }
        guard !kept.isEmpty else { return base.replacing("/", with: "_") }
        let pairs = kept.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            .map { "\($0.key)=\($0.value)" }
        return (base + "@" + pairs.joined(separator: ",")).replacing("/", with: "_")
    }
}
