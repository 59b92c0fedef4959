import Foundation
import GRDB
import RondoneIndexer
import RondoneTimeSeries

/// How values of the engine are spelled in SQLite columns.
enum SQLiteColumns {
    /// A UUID as 16 big-endian bytes: compact, and byte order is the order of
    /// PostgreSQL's `uuid` type (and of the hyphenated text), so sorts agree.
    static func blob(_ id: MetricID) -> Data { blob(high: id.high, low: id.low) }

    static func blob(_ id: ResourceID) -> Data { blob(high: id.high, low: id.low) }

    private static func blob(high: UInt64, low: UInt64) -> Data {
        var bytes = Data(count: 16)
        for index in 0..<8 {
            bytes[index] = UInt8(truncatingIfNeeded: high >> UInt64(56 - 8 * index))
            bytes[8 + index] = UInt8(truncatingIfNeeded: low >> UInt64(56 - 8 * index))
        }
        return bytes
    }

    static func metricID(_ blob: Data?) throws(IndexerError) -> MetricID {
        let (high, low) = try halves(blob)
        return MetricID(high: high, low: low)
    }

    static func resourceID(_ blob: Data?) throws(IndexerError) -> ResourceID {
        let (high, low) = try halves(blob)
        return ResourceID(high: high, low: low)
    }

    private static func halves(_ blob: Data?) throws(IndexerError) -> (UInt64, UInt64) {
        guard let blob, blob.count == 16 else { throw .corruptIndex("a UUID column is not 16 bytes") }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in blob.enumerated() {
            if index < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        return (high, low)
    }

    /// One definition item as stored: durations in integer nanoseconds, so nothing
    /// is lost to floating point (Gnocchi stores float seconds).
    private struct StoredItem: Codable {
        var granularity: Int64
        var points: Int?
        var timespan: Int64?
    }

    static func definitionJSON(_ definition: [ArchivePolicyItem]) -> String {
        let items = definition.map {
            StoredItem(
                granularity: $0.granularity.nanoseconds, points: $0.points, timespan: $0.timespan?.nanoseconds
            )
        }
        return json(items)
    }

    static func methodsJSON(_ methods: Set<Aggregation>) -> String {
        json(methods.map(\.name).sorted())
    }

    private static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            preconditionFailure("BUG: encoding plain integers and strings failed: \(error)")
        }
    }

    static func archivePolicy(_ row: Row) throws(IndexerError) -> ArchivePolicy {
        let name: String = row["name"]
        do {
            let decoder = JSONDecoder()
            let stored = try decoder.decode([StoredItem].self, from: Data((row["definition"] as String).utf8))
            let methods = try decoder.decode(
                [String].self, from: Data((row["aggregation_methods"] as String).utf8))
            let definition = try stored.map {
                try ArchivePolicyItem(
                    granularity: TimeDelta(nanoseconds: $0.granularity), points: $0.points,
                    timespan: $0.timespan.map(TimeDelta.init(nanoseconds:)))
            }
            var policy = try ArchivePolicy(name: name, backWindow: row["back_window"], definition: definition)
            // Assigned rather than resolved: an empty stored set must stay empty, not
            // become the defaults as an empty request list would.
            let aggregations = methods.compactMap(Aggregation.init(name:))
            guard aggregations.count == methods.count else {
                throw IndexerError.corruptIndex("methods \(methods)")
            }
            policy.aggregationMethods = Set(aggregations)
            return policy
        } catch {
            throw .corruptIndex("archive policy \(name): \(error)")
        }
    }

    static func metric(_ row: Row) throws(IndexerError) -> Metric {
        let statusText: String = row["status"]
        guard let status = MetricStatus(rawValue: statusText) else {
            throw .corruptIndex("metric status \(statusText)")
        }
        let resource: Data? = row["resource_id"]
        return Metric(
            id: try metricID(row["id"]), archivePolicyName: row["archive_policy_name"],
            creator: row["creator"],
            name: row["name"], unit: row["unit"],
            resourceID: try resource.map { blob throws(IndexerError) in
                try resourceID(blob)
            }, status: status)
    }

    /// A `resource` or `resource_history` row (selected with `revision` and
    /// `revision_end`); metrics are filled in by the caller.
    static func resource(_ row: Row) throws(IndexerError) -> Resource {
        let endedAt: Int64? = row["ended_at"]
        let revisionEnd: Int64? = row["revision_end"]
        return Resource(
            id: try resourceID(row["id"]), type: row["type"], originalResourceID: row["original_resource_id"],
            creator: row["creator"], userID: row["user_id"], projectID: row["project_id"],
            startedAt: Timestamp(nanoseconds: row["started_at"]),
            endedAt: endedAt.map(Timestamp.init(nanoseconds:)),
            revisionStart: Timestamp(nanoseconds: row["revision_start"]), revision: row["revision"],
            revisionEnd: revisionEnd.map(Timestamp.init(nanoseconds:)))
    }

    static func rule(_ row: Row) -> ArchivePolicyRule {
        ArchivePolicyRule(
            name: row["name"], metricPattern: row["metric_pattern"],
            archivePolicyName: row["archive_policy_name"])
    }
}
