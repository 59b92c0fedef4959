import RondoneTimeSeries

/// A resource as the index knows it: Gnocchi's `resource` row (the current revision)
/// or one of its `resource_history` rows (an earlier one), with the active metrics
/// attached to it now.
///
/// Times are held at Gnocchi's `datetime` precision (whole microseconds), so what is
/// stored is exactly what is rendered and compared.
public struct Resource: Hashable, Sendable {
    /// Gnocchi's limit on `original_resource_id` (its column is `String(289)`).
    public static let maxOriginalIDLength = 289
    /// The revision number of the current row; history rows carry their own (≥ 1).
    public static let currentRevision: Int64 = -1

    public var id: ResourceID
    /// The resource type's name (`generic`).
    public var type: String
    /// The id as the client gave it (a UUID's text, or any other string it was derived from).
    public var originalResourceID: String
    /// Who created it (``Metric/creator``'s format).
    public var creator: String?
    public var userID: String?
    public var projectID: String?
    public var startedAt: Timestamp
    public var endedAt: Timestamp?
    /// When this revision began.
    public var revisionStart: Timestamp
    /// ``currentRevision`` for the current row, the history row's number otherwise.
    public var revision: Int64
    /// When this revision was replaced; nil for the current row.
    public var revisionEnd: Timestamp?
    /// Name → id of every active metric attached to the resource now (history rows
    /// show the current metrics too, as Gnocchi does).
    public var metrics: [String: MetricID]
    /// The values of the type's own attributes (every attribute of a custom type, null
    /// ones as ``AttributeValue/null``; empty for `generic`, and for resources listed
    /// through `generic` without `details`).
    public var attributes: [String: AttributeValue]

    public init(
        id: ResourceID, type: String, originalResourceID: String, creator: String?, userID: String? = nil,
        projectID: String? = nil, startedAt: Timestamp, endedAt: Timestamp? = nil, revisionStart: Timestamp,
        revision: Int64 = Resource.currentRevision, revisionEnd: Timestamp? = nil,
        metrics: [String: MetricID] = [:], attributes: [String: AttributeValue] = [:]
    ) {
        self.id = id
        self.type = type
        self.originalResourceID = originalResourceID
        self.creator = creator
        self.userID = userID
        self.projectID = projectID
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.revisionStart = revisionStart
        self.revision = revision
        self.revisionEnd = revisionEnd
        self.metrics = metrics
        self.attributes = attributes
    }

    /// ``Metric/createdByUserID``'s rule applied to this resource's creator.
    public var createdByUserID: String? {
        creator.map { creator in creator.firstIndex(of: ":").map { String(creator[..<$0]) } ?? creator }
    }

    /// ``Metric/createdByProjectID``'s rule applied to this resource's creator.
    public var createdByProjectID: String? {
        creator.map { creator in
            creator.firstIndex(of: ":").map { String(creator[creator.index(after: $0)...]) } ?? ""
        }
    }
}

/// A metric to attach to a resource, as a resource body's `metrics` names it.
public enum ResourceMetricSpec: Hashable, Sendable {
    /// An existing active metric with the resource's creator (Gnocchi attaches it and
    /// renames it; any other metric is `Metric <id> does not exist`).
    case existing(MetricID)
    /// A new metric; `archivePolicyName` is already resolved (given, or by rule).
    case new(id: MetricID, archivePolicyName: String, unit: String?)
}

/// The attributes a resource is created with.
public struct ResourceCreation: Sendable {
    public var id: ResourceID
    public var type: String
    public var originalResourceID: String
    public var creator: String?
    public var userID: String?
    public var projectID: String?
    /// Nil: the time of creation, as Gnocchi's column default.
    public var startedAt: Timestamp?
    public var endedAt: Timestamp?
    /// Name → metric, attached in one transaction with the resource.
    public var metrics: [(name: String, spec: ResourceMetricSpec)]
    /// The type's own attributes as the API validated them; those not given are null.
    public var attributes: [String: AttributeValue]

    public init(
        id: ResourceID, type: String = "generic", originalResourceID: String, creator: String?,
        userID: String? = nil, projectID: String? = nil, startedAt: Timestamp? = nil,
        endedAt: Timestamp? = nil,
        metrics: [(name: String, spec: ResourceMetricSpec)] = [], attributes: [String: AttributeValue] = [:]
    ) {
        self.id = id
        self.type = type
        self.originalResourceID = originalResourceID
        self.creator = creator
        self.userID = userID
        self.projectID = projectID
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.metrics = metrics
        self.attributes = attributes
    }
}

/// A change to a resource (`PATCH`), each field nil when the body leaves it alone.
public struct ResourceUpdate: Sendable {
    /// A field the body sets, possibly to null.
    public enum Change<Value: Sendable & Equatable>: Sendable, Equatable {
        case unchanged
        case set(Value)
    }

    public var userID: Change<String?> = .unchanged
    public var projectID: Change<String?> = .unchanged
    public var startedAt: Change<Timestamp> = .unchanged
    public var endedAt: Change<Timestamp?> = .unchanged
    /// Nil leaves the metrics alone. Otherwise, with ``appendMetrics`` false (PATCH), the
    /// resource's metrics become exactly these (the others are detached, not deleted);
    /// with it true (`POST …/metric`), these are added.
    public var metrics: [(name: String, spec: ResourceMetricSpec)]?
    public var appendMetrics = false
    /// The type's own attributes the body sets (to a value, or to null).
    public var attributes: [String: AttributeValue] = [:]

    public init() {}

    /// Whether the attributes differ from `resource`'s, so that the change makes a new
    /// revision (Gnocchi's `is_resource_revision_needed`; metrics never do).
    public func changesAttributes(of resource: Resource) -> Bool {
        if case .set(let value) = userID, value != resource.userID { return true }
        if case .set(let value) = projectID, value != resource.projectID { return true }
        if case .set(let value) = startedAt, value != resource.startedAt { return true }
        if case .set(let value) = endedAt, value != resource.endedAt { return true }
        return attributes.contains { name, value in resource.attributes[name, default: .null] != value }
    }
}

/// A field of a resource a list can be sorted or filtered on: one of the common
/// fields every resource has (the named constants, under the names `sort=` and the
/// filter language use), or an attribute of the listed type. Any name can be spelled;
/// the indexer refuses one the type does not have.
public struct ResourceAttribute: RawRepresentable, Hashable, Sendable {
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public static let id = Self(rawValue: "id")
    public static let type = Self(rawValue: "type")
    public static let creator = Self(rawValue: "creator")
    public static let originalResourceID = Self(rawValue: "original_resource_id")
    public static let userID = Self(rawValue: "user_id")
    public static let projectID = Self(rawValue: "project_id")
    public static let startedAt = Self(rawValue: "started_at")
    public static let endedAt = Self(rawValue: "ended_at")
    public static let revisionStart = Self(rawValue: "revision_start")
    public static let revisionEnd = Self(rawValue: "revision_end")
    public static let revision = Self(rawValue: "revision")

    /// The columns every resource has, whatever its type.
    public static let common: [ResourceAttribute] = [
        .id, .type, .creator, .originalResourceID, .userID, .projectID, .startedAt, .endedAt, .revisionStart,
        .revisionEnd, .revision,
    ]

    public var isCommon: Bool { Self.common.contains(self) }
}

/// A sort key of a resource list.
public typealias ResourceSort = ListSort<ResourceAttribute>

/// What a resource list or search asks for: Gnocchi 4.7's `list_resources` arguments.
public struct ResourceQuery: Hashable, Sendable {
    /// The type listed; `generic` lists resources of every type.
    public var type: String
    /// Every revision (history rows and current rows) instead of current rows only.
    public var history: Bool
    /// The search condition, unbound (the indexer binds it to ``type``); nil: all.
    /// Restricting to one resource (its `/history`) or to what a project may see are
    /// conditions too.
    public var filter: ResourceFilter?
    /// With `generic`, each resource also carries the attributes of its own type
    /// (Gnocchi's `details=true`); other types always carry theirs.
    public var details: Bool
    /// Keys in order; the indexer completes them with `id` (and `revision` for history).
    public var sorts: [ResourceSort]
    public var limit: Int?
    /// The last row of the previous page: an id, or `<id>@<revision>` with history.
    public var marker: String?

    public init(
        type: String = "generic", history: Bool = false, filter: ResourceFilter? = nil, details: Bool = false,
        sorts: [ResourceSort] = [], limit: Int? = nil, marker: String? = nil
    ) {
        self.type = type
        self.history = history
        self.filter = filter
        self.details = details
        self.sorts = sorts
        self.limit = limit
        self.marker = marker
    }

    /// The keys that make the order total: `id`, and `revision` for history.
    public var uniqueKeys: [ResourceAttribute] { history ? [.id, .revision] : [.id] }
}
