import RondoneTimeSeries

/// The index: archive policies, archive policy rules, metrics, resource types, and
/// resources with their history and search, with Gnocchi 4.7's semantics.
///
/// Guarantees every driver keeps (the shared `IndexerContract` suite checks them):
/// * each method is one transaction: it applies entirely or not at all;
/// * refusals are ``IndexerError`` values carrying Gnocchi's message; any other error
///   is a failure of the database itself;
/// * ``archivePolicies(of:)`` and ``archivePolicy(named:)`` answer policies from memory
///   when no policy changed since the last call (metricd and every measures request use
///   them).
///
/// Getters return nil for a missing object; the API turns that into Gnocchi's 404.
public protocol Indexer: Sendable {
    /// Creates or migrates the schema (`rondone upgrade`, and every start). With
    /// `createDefaultPolicies`, an index with no policy and no rule gets Gnocchi's
    /// defaults (`bool`, `low`, `medium`, `high`) and the `default` rule (`*` → `low`),
    /// as `gnocchi-upgrade` does; an index that has any policy or rule is left alone.
    func upgrade(createDefaultPolicies: Bool) async throws

    // MARK: Archive policies

    /// Stores a policy the engine has validated. Throws `archivePolicyAlreadyExists`.
    @discardableResult
    func createArchivePolicy(_ policy: ArchivePolicy) async throws -> ArchivePolicy
    func archivePolicy(named name: String) async throws -> ArchivePolicy?
    /// Every policy, oldest first.
    func archivePolicies() async throws -> [ArchivePolicy]
    /// `PATCH`: new points/timespans for the same granularities, and optionally a new
    /// back window (``ArchivePolicy/updating(definition:backWindow:)``). A shrinking back
    /// window marks the policy's metrics as needing raw-data truncation.
    /// Throws `noSuchArchivePolicy`, `invalidArchivePolicy`.
    func updateArchivePolicy(named name: String, definition: [ArchivePolicyItem], backWindow: Int?)
        async throws -> ArchivePolicy
    /// Throws `noSuchArchivePolicy`, or `archivePolicyInUse` while a metric (even one
    /// waiting to be purged) or a rule names it.
    func deleteArchivePolicy(named name: String) async throws

    // MARK: Archive policy rules

    /// Throws `archivePolicyRuleAlreadyExists`, then `noSuchArchivePolicy`.
    @discardableResult
    func createArchivePolicyRule(_ rule: ArchivePolicyRule) async throws -> ArchivePolicyRule
    func archivePolicyRule(named name: String) async throws -> ArchivePolicyRule?
    /// Every rule in matching order (``ArchivePolicyRule/precedes(_:)``).
    func archivePolicyRules() async throws -> [ArchivePolicyRule]
    /// Throws `noSuchArchivePolicyRule`, `archivePolicyRuleRenameConflict`. Renaming to
    /// the current name succeeds.
    func renameArchivePolicyRule(named name: String, to newName: String) async throws -> ArchivePolicyRule
    /// Throws `noSuchArchivePolicyRule`.
    func deleteArchivePolicyRule(named name: String) async throws
    /// The first rule in matching order whose pattern matches `metricName` (nil is
    /// matched as `""`), Gnocchi's `get_archive_policy_for_metric`.
    func archivePolicyRule(forMetricName metricName: String?) async throws -> ArchivePolicyRule?

    // MARK: Metrics

    /// Validates (``MetricCreation/validate()``), resolves the policy (given, or by rule)
    /// and stores the metric. Throws `invalidInput`, `slashInMetricName`,
    /// `noArchivePolicyRuleMatch`, `noSuchArchivePolicy`, `noSuchResource` (a
    /// `resourceID` naming no resource), `namedMetricAlreadyExists`.
    @discardableResult
    func createMetric(_ creation: MetricCreation) async throws -> Metric
    /// The active metric with this id; nil when unknown or deleted.
    func metric(_ id: MetricID) async throws -> Metric?
    /// The active metrics among `ids`, in any order (unknown and deleted ones left out),
    /// in a few indexed queries whatever their number.
    func metrics(ids: [MetricID]) async throws -> [Metric]
    /// A page of metrics. Throws `invalidPagination` ("Invalid marker: `X'" when the
    /// marker is no active metric's id).
    func metrics(_ query: MetricQuery) async throws -> [Metric]
    /// Marks an active metric deleted (and detaches it from its resource); metricd
    /// purges it later. Throws `noSuchMetric`.
    func deleteMetric(_ id: MetricID) async throws

    // MARK: Resources

    /// Creates the resource with its type's attributes (those absent are null) and
    /// attaches or creates its metrics, in one transaction. Throws
    /// `resourceStartAfterEnd`, `noSuchResourceType`, `resourceAlreadyExists`, then for
    /// the metrics `namedMetricAlreadyExists`, `noSuchMetric`, `noSuchArchivePolicy`.
    func createResource(_ creation: ResourceCreation) async throws -> Resource
    /// The current revision with its metrics; nil when there is none of that type
    /// (`generic` matches every type). Throws `noSuchResourceType`.
    func resource(_ id: ResourceID, type: String) async throws -> Resource?
    /// A page of resources matching the query's filter (current rows, or every revision
    /// with `history`), each with its metrics and its type's attributes. The filter is
    /// compiled to one indexed query. Throws `noSuchResourceType`, `invalidPagination`,
    /// and the filter refusals (`queryAttributeError`, `queryValueError`).
    func resources(_ query: ResourceQuery) async throws -> [Resource]
    /// Deletes every current resource of `type` matching `filter` (nil: all of them) as
    /// ``deleteResource(_:)`` does, in one transaction; returns how many. Throws what
    /// ``resources(_:)`` throws for the filter.
    func deleteResources(type: String, matching filter: ResourceFilter?) async throws -> Int
    /// Applies a change; when attributes change, the old revision goes to the history
    /// first. Throws `noSuchResourceType`, `noSuchResource`, `resourceStartAfterEnd`,
    /// and the metric refusals of ``createResource(_:)``.
    func updateResource(_ id: ResourceID, type: String, _ update: ResourceUpdate) async throws -> Resource
    /// Deletes the resource and its history and marks its metrics deleted (metricd
    /// purges them). Throws `noSuchResource`.
    func deleteResource(_ id: ResourceID) async throws
    /// The active metric named `name` on the resource; nil when there is none.
    func metric(resource: ResourceID, named name: String) async throws -> Metric?

    // MARK: Resource types

    /// Every resource type, by name (`generic` first among equals: names sort byte-wise).
    func resourceTypes() async throws -> [ResourceType]
    /// The named type; nil when there is none.
    func resourceType(named name: String) async throws -> ResourceType?
    /// Creates a custom type (its tables, one index per attribute) in state `active`.
    /// Throws `resourceTypeAlreadyExists`.
    @discardableResult
    func createResourceType(_ type: ResourceType) async throws -> ResourceType
    /// Adds, redefines and removes attributes of a type that may already have
    /// resources: additions fill existing rows (current and history) with their `fill`,
    /// updates fill the nulls. Throws `noSuchResourceType`.
    func updateResourceType(named name: String, _ change: ResourceTypeChange) async throws -> ResourceType
    /// Deletes a type with no resources. Throws `noSuchResourceType`,
    /// `resourceTypeInUse` (it has resources, or it is `generic`).
    func deleteResourceType(named name: String) async throws

    // MARK: For metricd

    /// The policies of the active metrics among `metrics`, in one read; unknown and
    /// deleted metrics are left out (metricd then drops their waiting measures).
    func archivePolicies(of metrics: [MetricID]) async throws -> [MetricID: ArchivePolicy]
    /// Deleted metrics whose data metricd must remove, at most `limit`.
    func metricsPendingDeletion(limit: Int) async throws -> [MetricID]
    /// Removes a deleted metric's row for good (after its data is gone). Throws
    /// `noSuchMetric` when there is no such row.
    func purgeMetric(_ id: MetricID) async throws
    /// Metrics whose policy's back window shrank, whose raw buffer metricd must trim.
    func metricsNeedingRawDataTruncation(limit: Int) async throws -> [MetricID]
    /// Records that metricd trimmed the metric's raw buffer.
    func clearRawDataTruncation(_ id: MetricID) async throws
}
