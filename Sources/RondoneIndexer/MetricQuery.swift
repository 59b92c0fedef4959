/// A metric column a list can be sorted (and paginated) on: every column of
/// Gnocchi's `metric` table, under the names `sort=` uses.
public enum MetricAttribute: String, Hashable, Sendable, CaseIterable {
    case id
    case archivePolicyName = "archive_policy_name"
    case creator
    case resourceID = "resource_id"
    case name
    case unit
    case status
    case needsRawDataTruncation = "needs_raw_data_truncation"
    case lastMeasureTimestamp = "last_measure_timestamp"
}

/// One key of a `sort=` list (`name:asc`, `unit:desc-nullsfirst`) over the columns
/// `Attribute` names (``MetricAttribute`` for metrics, ``ResourceAttribute`` for resources).
///
/// Text compares byte-wise (UTF-8); absent values (null) come last ascending and first
/// descending unless the direction says otherwise, as on Gnocchi's PostgreSQL.
public struct ListSort<Attribute>: Hashable, Sendable
where Attribute: RawRepresentable & Hashable & Sendable, Attribute.RawValue == String {
    /// Ascending or descending.
    public enum Direction: String, Hashable, Sendable {
        case ascending = "asc"
        case descending = "desc"
    }

    /// Where nulls go when the direction names it (`-nullsfirst`, `-nullslast`).
    public enum NullPlacement: String, Hashable, Sendable {
        case first = "nullsfirst"
        case last = "nullslast"
    }

    public var attribute: Attribute
    public var direction: Direction
    public var nulls: NullPlacement?

    public init(_ attribute: Attribute, _ direction: Direction = .ascending, nulls: NullPlacement? = nil) {
        self.attribute = attribute
        self.direction = direction
        self.nulls = nulls
    }

    /// Parses one `key[:direction]` as Gnocchi does: the key is trimmed, the direction
    /// (`asc`, `desc`, optionally `-nullsfirst`/`-nullslast`) defaults to `asc`.
    public init(parsing text: String) throws(IndexerError) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let key = parts[0].trimmingPythonWhitespace()
        guard let attribute = Attribute(rawValue: key) else {
            throw .invalidPagination("Sort key supplied is invalid: \(key)")
        }
        let spelled = parts.count > 1 ? String(parts[1]) : ""
        let directionText = spelled.isEmpty ? "asc" : spelled
        let main = directionText.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        let direction = Direction(rawValue: String(main[0]))
        let nullsText = main.count > 1 ? String(main[1]) : ""
        let nulls = NullPlacement(rawValue: nullsText)
        guard let direction, nullsText.isEmpty || nulls != nil else {
            throw .invalidPagination(
                "Unknown sort direction, must be one of: asc-nullsfirst, asc-nullslast, desc-nullsfirst, "
                    + "desc-nullslast")
        }
        self.init(attribute, direction, nulls: nulls)
    }

    /// Parses a whole `sort=` list and appends each of `uniqueKeys` (ascending) that is
    /// not already a key, so the order is total and a marker is unambiguous (Gnocchi's
    /// `_build_sort_keys`).
    public static func parseList(_ texts: [String], uniqueKeys: [Attribute]) throws(IndexerError) -> [Self] {
        var sorts: [Self] = []
        for text in texts { sorts.append(try Self(parsing: text)) }
        return completed(sorts, uniqueKeys: uniqueKeys)
    }

    /// `sorts` with each of `uniqueKeys` appended (ascending) unless already a key.
    public static func completed(_ sorts: [Self], uniqueKeys: [Attribute]) -> [Self] {
        var result = sorts
        for key in uniqueKeys where !sorts.contains(where: { $0.attribute == key }) {
            result.append(Self(key))
        }
        return result
    }
}

/// A sort key of a metric list.
public typealias MetricSort = ListSort<MetricAttribute>

extension ListSort where Attribute == MetricAttribute {
    /// Parses a `sort=` list of a metric list; `id:asc` completes it (an empty list
    /// gives Gnocchi's default, `id:asc`).
    public static func parseList(_ texts: [String]) throws(IndexerError) -> [Self] {
        try parseList(texts, uniqueKeys: [.id])
    }

    /// `sorts` with `id:asc` appended unless `id` is already a key.
    public static func completed(_ sorts: [Self]) -> [Self] {
        completed(sorts, uniqueKeys: [.id])
    }
}

/// An equality filter of `GET /v1/metric` (`?name=cpu&unit=ns`).
public struct MetricFilter: Hashable, Sendable {
    /// The columns Gnocchi 4.7's metric list filters on.
    public enum Attribute: String, Hashable, Sendable, CaseIterable {
        case id
        case creator
        case name
        case unit
        case archivePolicyName = "archive_policy_name"
        case status
        case resourceID = "resource_id"
    }

    public var attribute: Attribute
    /// Compared exactly; for `id` and `resource_id` a value that is not a UUID matches nothing.
    public var value: String

    public init(_ attribute: Attribute, equals value: String) {
        self.attribute = attribute
        self.value = value
    }
}

/// What a metric list asks for: Gnocchi 4.7's `list_metrics` arguments.
public struct MetricQuery: Hashable, Sendable {
    /// Which metrics are listed at all. Gnocchi lists `active` ones; a `status`
    /// filter is applied on top of this (so `?status=delete` lists nothing, as there).
    public var status: MetricStatus
    /// All must hold.
    public var filters: [MetricFilter]
    /// RBAC in Keystone-style modes: only metrics whose creator ends in
    /// `":" + project` (Gnocchi's `creator LIKE '%:<project>'`, without its wildcards).
    public var createdByProjectID: String?
    /// `--strict-isolation`: only the metrics this caller may see (nil: no such filter).
    public var visibleTo: MetricVisibility?
    /// Keys in order; ``MetricSort/completed(_:)`` is applied by the indexer.
    public var sorts: [MetricSort]
    /// At most this many metrics; nil for all.
    public var limit: Int?
    /// The id (text, as sent) of the last metric of the previous page.
    public var marker: String?

    public init(
        status: MetricStatus = .active, filters: [MetricFilter] = [], createdByProjectID: String? = nil,
        visibleTo: MetricVisibility? = nil, sorts: [MetricSort] = [], limit: Int? = nil, marker: String? = nil
    ) {
        self.status = status
        self.filters = filters
        self.createdByProjectID = createdByProjectID
        self.visibleTo = visibleTo
        self.sorts = sorts
        self.limit = limit
        self.marker = marker
    }
}

/// Whom a metric list is for under `--strict-isolation`: a metric is listed when the
/// caller created it (`creator`), when the caller's project created it (its creator ends
/// in `:project`), or when it is attached to a resource the caller's project owns
/// (`project_id`) — Gnocchi's `get metric` rule, row by row. A nil project matches nothing.
public struct MetricVisibility: Hashable, Sendable {
    public var creator: String
    public var project: String?

    public init(creator: String, project: String?) {
        self.creator = creator
        self.project = project
    }
}

extension MetricQuery {
    /// The active metrics attached to a resource.
    public static func attached(to resource: ResourceID) -> MetricQuery {
        MetricQuery(filters: [MetricFilter(.resourceID, equals: resource.description)])
    }
}

extension Substring {
    /// Python's `str.strip()` for the ASCII whitespace a query string can carry.
    func trimmingPythonWhitespace() -> String {
        let isSpace: (Character) -> Bool = { " \t\n\r\u{0B}\u{0C}".contains($0) }
        var slice = self[...]
        while let first = slice.first, isSpace(first) { slice = slice.dropFirst() }
        while let last = slice.last, isSpace(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
