public import RondoneTimeSeries

/// One metric of a `POST /v1/batch/resources/metrics/measures` body.
public struct BatchMetricMeasures: Sendable, Equatable {
    public var name: String
    /// `archive_policy_name` of the extended form (used with `create_metrics`).
    public var archivePolicyName: String?
    /// `unit` of the extended form.
    public var unit: String?
    /// The measures, in body order, duplicates kept.
    public var measures: Measures
}

/// One resource of a `POST /v1/batch/resources/metrics/measures` body.
public struct BatchResourceMeasures: Sendable, Equatable {
    /// The resource id as written in the body (the controller maps it to a UUID).
    public var resourceID: String
    public var metrics: [BatchMetricMeasures]
}
