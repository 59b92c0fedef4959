public import RondoneTimeSeries

/// One metric row as `rondone fsck` and `rondone gc` compare it with the stored data,
/// whatever its status.
public struct IndexedMetric: Sendable, Equatable {
    public var id: MetricID
    public var archivePolicyName: String
    public var status: MetricStatus

    public init(id: MetricID, archivePolicyName: String, status: MetricStatus) {
        self.id = id
        self.archivePolicyName = archivePolicyName
        self.status = status
    }
}
