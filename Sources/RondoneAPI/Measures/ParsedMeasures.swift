/// Measures read from a request body, in body order, duplicates kept (metricd decides
/// which of several measures at one time stamp wins; see `MeasureBatch`).
public struct ParsedMeasures: Sendable, Equatable {
    /// Nanoseconds since the epoch, one per value.
    public var timestamps: [Int64]
    public var values: [Double]

    public init(timestamps: [Int64] = [], values: [Double] = []) {
        self.timestamps = timestamps
        self.values = values
    }

    public var count: Int { timestamps.count }

    /// Bit-exact equality, so NaN values compare as written.
    public static func == (lhs: ParsedMeasures, rhs: ParsedMeasures) -> Bool {
        lhs.timestamps == rhs.timestamps && lhs.values.map(\.bitPattern) == rhs.values.map(\.bitPattern)
    }
}

/// One metric of a `POST /v1/batch/resources/metrics/measures` body.
public struct BatchMetricMeasures: Sendable, Equatable {
    public var name: String
    /// `archive_policy_name` of the extended form (used with `create_metrics`).
    public var archivePolicyName: String?
    /// `unit` of the extended form.
    public var unit: String?
    public var measures: ParsedMeasures
}

/// One resource of a `POST /v1/batch/resources/metrics/measures` body.
public struct BatchResourceMeasures: Sendable, Equatable {
    /// The resource id as written in the body (the controller maps it to a UUID).
    public var resourceID: String
    public var metrics: [BatchMetricMeasures]
}
