import RondoneTimeSeries

/// Whether a metric is live or waiting for metricd to purge its data.
public enum MetricStatus: String, Hashable, Sendable, CaseIterable {
    /// Visible to the API, accepts measures.
    case active
    /// Deleted by the API: invisible, its data and row go once metricd purges it.
    case delete
}

/// A metric as the index knows it (Gnocchi's `metric` table row).
///
/// The archive policy is held by name; ``Indexer/archivePolicy(named:)`` resolves it
/// from the indexer's in-memory cache, so embedding it in a response costs no query.
public struct Metric: Hashable, Sendable {
    /// Gnocchi's limit on `unit` (its column is `String(31)`, its schema `Length(max=31)`).
    public static let maxUnitLength = 31

    public var id: MetricID
    public var archivePolicyName: String
    /// Who created it: `"user:project"` in Keystone-style modes, the user name in
    /// basic mode. Nil only for rows created without an identity.
    public var creator: String?
    public var name: String?
    public var unit: String?
    public var resourceID: ResourceID?
    public var status: MetricStatus

    public init(
        id: MetricID, archivePolicyName: String, creator: String?, name: String? = nil, unit: String? = nil,
        resourceID: ResourceID? = nil, status: MetricStatus = .active
    ) {
        self.id = id
        self.archivePolicyName = archivePolicyName
        self.creator = creator
        self.name = name
        self.unit = unit
        self.resourceID = resourceID
        self.status = status
    }

    /// `creator` up to its first `:` (the whole creator when there is none), as
    /// Gnocchi's `created_by_user_id`.
    public var createdByUserID: String? {
        creator.map { creator in creator.firstIndex(of: ":").map { String(creator[..<$0]) } ?? creator }
    }

    /// `creator` after its first `:` (`""` when there is none), as Gnocchi's
    /// `created_by_project_id`.
    public var createdByProjectID: String? {
        creator.map { creator in
            creator.firstIndex(of: ":").map { String(creator[creator.index(after: $0)...]) } ?? ""
        }
    }
}

/// What `POST /v1/metric` asks for, before the indexer resolves the archive policy.
public struct MetricCreation: Hashable, Sendable {
    /// The new metric's id (the API draws a random UUID, as Gnocchi's `uuid4()`).
    public var id: MetricID
    public var creator: String?
    /// Nil: the first archive policy rule matching ``name`` decides.
    public var archivePolicyName: String?
    public var name: String?
    public var unit: String?
    public var resourceID: ResourceID?

    public init(
        id: MetricID, creator: String?, archivePolicyName: String? = nil, name: String? = nil,
        unit: String? = nil, resourceID: ResourceID? = nil
    ) {
        self.id = id
        self.creator = creator
        self.archivePolicyName = archivePolicyName
        self.name = name
        self.unit = unit
        self.resourceID = resourceID
    }

    /// Gnocchi's checks on the fields themselves, in its order: `unit` at most 31
    /// characters (schema), then no `/` in the name.
    public func validate() throws(IndexerError) {
        if let unit, unit.unicodeScalars.count > Metric.maxUnitLength {
            throw .invalidInput(
                reason: "length of value must be at most 31 for dictionary value @ data['unit']",
                detail: ["unit"])
        }
        if let name, name.contains("/") { throw .slashInMetricName }
    }
}
