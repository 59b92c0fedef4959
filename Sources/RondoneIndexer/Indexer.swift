import RondoneTimeSeries

/// The index: archive policies, archive policy rules, metrics and resources with their
/// history (custom resource types come later), with Gnocchi 4.7's semantics.
///
/// Guarantees every driver keeps (the shared `IndexerContract` suite checks them):
/// * each method is one transaction: it applies entirely or not at all;
/// * refusals are ``IndexerError`` values carrying Gnocchi's message; any other error
///   is a failure of the database itself;
/// * ``archivePolicy(of:)`` and ``archivePolicy(named:)`` answer from memory when no
///   policy changed since the last call (metricd and every measures request use them).
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
    /// A page of metrics. Throws `invalidPagination` ("Invalid marker: `X'" when the
    /// marker is no active metric's id).
    func metrics(_ query: MetricQuery) async throws -> [Metric]
    /// Marks an active metric deleted (and detaches it from its resource); metricd
    /// purges it later. Throws `noSuchMetric`.
    func deleteMetric(_ id: MetricID) async throws

    // MARK: Resources

    /// Creates the resource and attaches or creates its metrics, in one transaction.
    /// Throws `resourceStartAfterEnd`, `noSuchResourceType`, `resourceAlreadyExists`, then
    /// for the metrics `namedMetricAlreadyExists`, `noSuchMetric`, `noSuchArchivePolicy`.
    func createResource(_ creation: ResourceCreation) async throws -> Resource
    /// The current revision with its metrics; nil when there is none of that type
    /// (`generic` matches every type). Throws `noSuchResourceType`.
    func resource(_ id: ResourceID, type: String) async throws -> Resource?
    /// A page of resources (current rows, or every revision with `history`), each with
    /// its metrics. Throws `noSuchResourceType`, `invalidPagination`.
    func resources(_ query: ResourceQuery) async throws -> [Resource]
    /// Applies a change; when attributes change, the old revision goes to the history
    /// first. Throws `noSuchResourceType`, `noSuchResource`, `resourceStartAfterEnd`,
    /// and the metric refusals of ``createResource(_:)``.
    func updateResource(_ id: ResourceID, type: String, _ update: ResourceUpdate) async throws -> Resource
    /// Deletes the resource and its history and marks its metrics deleted (metricd
    /// purges them). Throws `noSuchResource`.
    func deleteResource(_ id: ResourceID) async throws
    /// The active metric named `name` on the resource; nil when there is none.
    func metric(resource: ResourceID, named name: String) async throws -> Metric?
    /// Every resource type, by name.
    func resourceTypes() async throws -> [ResourceType]

    // MARK: For metricd

    /// The policy of an active metric; nil when the metric is unknown or deleted
    /// (metricd then drops its waiting measures). Answered from memory plus one
    /// primary-key lookup.
    func archivePolicy(of metric: MetricID) async throws -> ArchivePolicy?
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
