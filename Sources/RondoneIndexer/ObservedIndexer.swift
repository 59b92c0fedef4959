public import RondoneTimeSeries

/// An ``Indexer`` that records into an ``IndexChangeFeed`` what each of its writes may
/// have changed, and otherwise does exactly what the indexer it wraps does.
///
/// A change is recorded once the write has returned, whether it succeeded or threw (a
/// write that threw changed nothing, and a reader then merely reads a few objects again).
public struct ObservedIndexer: Indexer {
    /// The indexer every call goes to.
    public let base: any Indexer
    /// Where the writes are recorded.
    public let changes: IndexChangeFeed

    public init(_ base: any Indexer, changes: IndexChangeFeed = IndexChangeFeed()) {
        self.base = base
        self.changes = changes
    }

    public func upgrade(createDefaultPolicies: Bool) async throws {
        defer { changes.record(.everything) }
        try await base.upgrade(createDefaultPolicies: createDefaultPolicies)
    }

    // MARK: Archive policies

    @discardableResult
    public func createArchivePolicy(_ policy: ArchivePolicy) async throws -> ArchivePolicy {
        // No metric uses a new policy yet.
        try await base.createArchivePolicy(policy)
    }

    public func archivePolicy(named name: String) async throws -> ArchivePolicy? {
        try await base.archivePolicy(named: name)
    }

    public func archivePolicies() async throws -> [ArchivePolicy] {
        try await base.archivePolicies()
    }

    public func updateArchivePolicy(named name: String, definition: [ArchivePolicyItem], backWindow: Int?)
        async throws -> ArchivePolicy
    {
        defer { changes.record(.everything) }
        return try await base.updateArchivePolicy(named: name, definition: definition, backWindow: backWindow)
    }

    public func deleteArchivePolicy(named name: String) async throws {
        // Only a policy no metric uses can be deleted.
        try await base.deleteArchivePolicy(named: name)
    }

    // MARK: Archive policy rules (no metric changes with them)

    @discardableResult
    public func createArchivePolicyRule(_ rule: ArchivePolicyRule) async throws -> ArchivePolicyRule {
        try await base.createArchivePolicyRule(rule)
    }

    public func archivePolicyRule(named name: String) async throws -> ArchivePolicyRule? {
        try await base.archivePolicyRule(named: name)
    }

    public func archivePolicyRules() async throws -> [ArchivePolicyRule] {
        try await base.archivePolicyRules()
    }

    public func renameArchivePolicyRule(named name: String, to newName: String) async throws
        -> ArchivePolicyRule
    {
        try await base.renameArchivePolicyRule(named: name, to: newName)
    }

    public func deleteArchivePolicyRule(named name: String) async throws {
        try await base.deleteArchivePolicyRule(named: name)
    }

    public func archivePolicyRule(forMetricName metricName: String?) async throws -> ArchivePolicyRule? {
        try await base.archivePolicyRule(forMetricName: metricName)
    }

    // MARK: Metrics

    @discardableResult
    public func createMetric(_ creation: MetricCreation) async throws -> Metric {
        defer {
            changes.record(.metrics([creation.id]))
            if let resource = creation.resourceID { changes.record(.resources([resource])) }
        }
        return try await base.createMetric(creation)
    }

    public func metric(_ id: MetricID) async throws -> Metric? {
        try await base.metric(id)
    }

    public func metrics(ids: [MetricID]) async throws -> [Metric] {
        try await base.metrics(ids: ids)
    }

    public func metrics(_ query: MetricQuery) async throws -> [Metric] {
        try await base.metrics(query)
    }

    public func deleteMetric(_ id: MetricID) async throws {
        defer { changes.record(.metrics([id])) }
        try await base.deleteMetric(id)
    }

    // MARK: Resources

    public func createResource(_ creation: ResourceCreation) async throws -> Resource {
        defer { changes.record(.resources([creation.id])) }
        return try await base.createResource(creation)
    }

    public func resource(_ id: ResourceID, type: String) async throws -> Resource? {
        try await base.resource(id, type: type)
    }

    public func resources(_ query: ResourceQuery) async throws -> [Resource] {
        try await base.resources(query)
    }

    public func deleteResources(type: String, matching filter: ResourceFilter?) async throws -> Int {
        defer { changes.record(.everything) }
        return try await base.deleteResources(type: type, matching: filter)
    }

    public func updateResource(_ id: ResourceID, type: String, _ update: ResourceUpdate) async throws
        -> Resource
    {
        defer { changes.record(.resources([id])) }
        return try await base.updateResource(id, type: type, update)
    }

    public func deleteResource(_ id: ResourceID) async throws {
        defer { changes.record(.resources([id])) }
        try await base.deleteResource(id)
    }

    public func metric(resource: ResourceID, named name: String) async throws -> Metric? {
        try await base.metric(resource: resource, named: name)
    }

    // MARK: Resource types

    public func resourceTypes() async throws -> [ResourceType] {
        try await base.resourceTypes()
    }

    public func resourceType(named name: String) async throws -> ResourceType? {
        try await base.resourceType(named: name)
    }

    @discardableResult
    public func createResourceType(_ type: ResourceType) async throws -> ResourceType {
        // A new type has no resources yet.
        try await base.createResourceType(type)
    }

    public func updateResourceType(named name: String, _ change: ResourceTypeChange) async throws
        -> ResourceType
    {
        defer { changes.record(.everything) }
        return try await base.updateResourceType(named: name, change)
    }

    public func deleteResourceType(named name: String) async throws {
        // Only a type without resources can be deleted.
        try await base.deleteResourceType(named: name)
    }

    // MARK: For metricd (deleted metrics only: nothing a reader lists changes)

    public func archivePolicies(of metrics: [MetricID]) async throws -> [MetricID: ArchivePolicy] {
        try await base.archivePolicies(of: metrics)
    }

    public func metricsPendingDeletion(limit: Int) async throws -> [MetricID] {
        try await base.metricsPendingDeletion(limit: limit)
    }

    public func purgeMetric(_ id: MetricID) async throws {
        try await base.purgeMetric(id)
    }

    public func metricsNeedingRawDataTruncation(limit: Int) async throws -> [MetricID] {
        try await base.metricsNeedingRawDataTruncation(limit: limit)
    }

    public func clearRawDataTruncation(_ id: MetricID) async throws {
        try await base.clearRawDataTruncation(id)
    }
}
