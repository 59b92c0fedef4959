import PostgresNIO
import RondoneIndexer
import RondoneTimeSeries

/// How rows of the schema become the index's values.
enum PostgreSQLColumns {
    /// The columns a metric is read from, in the order ``metric(_:)-(PostgresRow)`` decodes.
    static let metricColumns = "id, archive_policy_name, creator, resource_id, name, unit, status"

    /// A row selected with ``metricColumns`` (or all of them).
    static func metric(_ row: PostgresRandomAccessRow) throws -> Metric {
        let status: String = try row.get("status")
        guard let status = MetricStatus(rawValue: status) else {
            throw IndexerError.corruptIndex("metric status")
        }
        let resource: PostgreSQLUUID? = try row.get("resource_id")
        return Metric(
            id: try row.get("id", as: PostgreSQLUUID.self).metricID,
            archivePolicyName: try row.get("archive_policy_name"),
            creator: try row.get("creator"), name: try row.get("name"), unit: try row.get("unit"),
            resourceID: resource?.resourceID, status: status)
    }

    /// The columns of a resource or history row the lists and lookups select, each
    /// qualified by `alias`; current rows get revision -1 and no `revision_end`.
    static func resourceColumns(_ alias: String, history: Bool) -> String {
        var columns = [
            "id", "type", "creator", "original_resource_id", "user_id", "project_id", "started_at",
            "ended_at",
            "revision_start",
        ].map { "\(alias).\($0)" }
        columns +=
            history
            ? ["\(alias).revision", "\(alias).revision_end"]
            : ["-1::bigint AS revision", "NULL::bigint AS revision_end"]
        return columns.joined(separator: ", ")
    }

    /// A row selected with ``resourceColumns(_:history:)``; metrics and attributes are
    /// filled in by the caller.
    static func resource(_ row: PostgresRandomAccessRow) throws -> Resource {
        let endedAt: Int64? = try row.get("ended_at")
        let revisionEnd: Int64? = try row.get("revision_end")
        return Resource(
            id: try row.get("id", as: PostgreSQLUUID.self).resourceID, type: try row.get("type"),
            originalResourceID: try row.get("original_resource_id"), creator: try row.get("creator"),
            userID: try row.get("user_id"), projectID: try row.get("project_id"),
            startedAt: Timestamp(nanoseconds: try row.get("started_at")),
            endedAt: endedAt.map(Timestamp.init(nanoseconds:)),
            revisionStart: Timestamp(nanoseconds: try row.get("revision_start")),
            revision: try row.get("revision"), revisionEnd: revisionEnd.map(Timestamp.init(nanoseconds:)))
    }
}

/// Reading and writing archive policies: a row of `archive_policy` and its definition
/// in `archive_policy_item`, one row per granularity in the caller's order.
enum PostgreSQLPolicies {
    /// Every policy, oldest first.
    static func all(_ session: PostgreSQLSession) async throws -> [ArchivePolicy] {
        try await load(session, named: nil)
    }

    /// The named policy, its row locked against concurrent changes (and against
    /// metrics and rules starting to use it) until the transaction ends.
    static func lockedForUpdate(_ name: String, _ session: PostgreSQLSession) async throws -> ArchivePolicy? {
        guard try await session.exists("SELECT 1 FROM archive_policy WHERE name = \(name) FOR UPDATE") else {
            return nil
        }
        return try await load(session, named: name).first
    }

    private static func load(_ session: PostgreSQLSession, named name: String?) async throws
        -> [ArchivePolicy]
    {
        var statement = PostgreSQLStatement()
        let condition = name.map { "WHERE p.name = \(statement.bind(.text($0)))" } ?? ""
        statement.sql = """
            SELECT p.name, p.back_window, p.aggregation_methods,
                array_agg(i.granularity ORDER BY i.position) AS granularities,
                array_agg(coalesce(i.points, -1) ORDER BY i.position) AS points,
                array_agg(coalesce(i.timespan, -1) ORDER BY i.position) AS timespans
            FROM archive_policy AS p JOIN archive_policy_item AS i ON i.archive_policy_name = p.name
            \(condition)
            GROUP BY p.name, p.position ORDER BY p.position
            """
        return try await session.rows(statement).map(policy)
    }

    private static func policy(_ row: PostgresRandomAccessRow) throws -> ArchivePolicy {
        let name: String = try row.get("name")
        let granularities: [Int64] = try row.get("granularities")
        let points: [Int64] = try row.get("points")
        let timespans: [Int64] = try row.get("timespans")
        let methods: [String] = try row.get("aggregation_methods")
        do {
            guard granularities.count == points.count, points.count == timespans.count else {
                throw IndexerError.corruptIndex("definition arrays differ in length")
            }
            let definition = try granularities.indices.map { index in
                try ArchivePolicyItem(
                    granularity: TimeDelta(nanoseconds: granularities[index]),
                    points: points[index] < 0 ? nil : Int(points[index]),
                    timespan: timespans[index] < 0 ? nil : TimeDelta(nanoseconds: timespans[index]))
            }
            var policy = try ArchivePolicy(
                name: name, backWindow: try row.get("back_window"), definition: definition)
            // Assigned rather than resolved: an empty stored set must stay empty, not
            // become the defaults as an empty request list would.
            let aggregations = methods.compactMap(Aggregation.init(name:))
            guard aggregations.count == methods.count else {
                throw IndexerError.corruptIndex("methods \(methods)")
            }
            policy.aggregationMethods = Set(aggregations)
            return policy
        } catch {
            throw IndexerError.corruptIndex("archive policy \(name): \(error)")
        }
    }

    /// Inserts a policy with its definition unless one of that name exists; false then.
    static func insert(_ policy: ArchivePolicy, _ session: PostgreSQLSession) async throws -> Bool {
        var statement = PostgreSQLStatement()
        let name = statement.bind(.text(policy.name))
        statement.sql = """
            INSERT INTO archive_policy (name, back_window, aggregation_methods)
            VALUES (\(name), \(statement.bind(.int8(Int64(policy.backWindow)))), \
            \(statement.bind(policy.aggregationMethods.map(\.name).sorted())))
            ON CONFLICT (name) DO NOTHING RETURNING 1
            """
        guard try await session.count(statement) == 1 else { return false }
        try await insertDefinition(policy.name, policy.definition, session)
        return true
    }

    /// Writes `definition` as the policy's items, replacing any it had.
    static func insertDefinition(
        _ name: String, _ definition: [ArchivePolicyItem], _ session: PostgreSQLSession
    )
        async throws
    {
        try await session.execute("DELETE FROM archive_policy_item WHERE archive_policy_name = \(name)")
        let granularities = definition.map(\.granularity.nanoseconds)
        let points = definition.map { $0.points.map(Int64.init) ?? -1 }
        let timespans = definition.map { $0.timespan?.nanoseconds ?? -1 }
        try await session.execute(
            """
            INSERT INTO archive_policy_item (archive_policy_name, position, granularity, points, timespan)
            SELECT \(name), item.position - 1, item.granularity, nullif(item.points, -1),
                nullif(item.timespan, -1)
            FROM unnest(\(granularities)::bigint[], \(points)::bigint[], \(timespans)::bigint[])
                WITH ORDINALITY AS item (granularity, points, timespan, position)
            """)
    }
}
