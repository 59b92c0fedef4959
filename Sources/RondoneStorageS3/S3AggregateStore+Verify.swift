import PostgresNIO
import RondoneS3
public import RondoneStorage
public import RondoneTimeSeries

/// What ``S3AggregateStore/verify(readContent:progress:)`` found: the bucket's
/// aggregate objects against the pointer tables.
public struct ObjectStoreVerification: Sendable {
    /// An object of the aggregate prefix that no table names.
    public struct Orphan: Sendable, Equatable {
        public var key: String
        public var size: Int64
        /// As the listing gave it (`2026-01-02T03:04:05.000Z`).
        public var lastModified: String?
    }

    /// Objects listed under `aggregates/`, and their bytes.
    public var objects = 0
    public var bytes: Int64 = 0
    /// Current blobs (pointers), and those read back and decoded.
    public var pointers = 0
    public var buffers = 0
    public var splits = 0
    /// Objects read whose ETag is an MD5 and was compared with the bytes.
    public var checksummed = 0
    /// Objects waiting for the janitor: superseded or of deleted metrics, and uploads
    /// whose commit has not come (yet).
    public var garbage = 0
    public var uploads = 0
    /// Every metric with a pointer.
    public var metrics: [MetricID: AggregateVerification.StoredMetric] = [:]
    public var orphans: [Orphan] = []
    /// Missing and damaged objects.
    public var findings: [StoreFinding] = []
}

// Verification (`rondone fsck` on a deployment). Only reads, safe while the deployment
// runs: the bucket is listed first, then the tables are read in one snapshot, so an
// object listed is named in them unless it is an orphan or was deleted meanwhile (which
// a HEAD then tells); a pointer whose object the listing lacks is looked at again the
// same way before it is reported.
extension S3AggregateStore {
    /// The prefix of every aggregate object.
    public static let objectPrefix = "aggregates/"

    /// Lists the bucket's aggregate objects and checks them against the pointers:
    /// every pointer's object exists, no object is unnamed, and with `readContent`,
    /// every current object is read back, compared with its ETag when that is an MD5,
    /// and decoded by its codec (buffer or split).
    ///
    /// - Parameter progress: told `(objects done, objects)` as it reads.
    public func verify(
        readContent: Bool = true, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> ObjectStoreVerification {
        var result = ObjectStoreVerification()
        let listing = try await s3.listAllObjects(prefix: Self.objectPrefix)
        var listed: [String: S3Client.ObjectList.Object] = [:]
        for object in listing {
            listed[object.key] = object
            result.bytes += object.size
        }
        result.objects = listing.count
        let tables = try await pointerTables()
        result.pointers = tables.pointers.count
        result.garbage = tables.garbage.count
        result.uploads = tables.uploads.count
        for pointer in tables.pointers {
            if pointer.address == .buffer {
                result.metrics[pointer.metric, default: .init()].hasBuffer = true
            } else {
                result.metrics[pointer.metric, default: .init()].granularities.insert(
                    pointer.address.granularity)
            }
        }

        // Pointers whose object the listing lacks: gone, unless the pointer moved since.
        var present: [Pointer] = []
        for pointer in tables.pointers {
            if listed[pointer.object] != nil {
                present.append(pointer)
            } else if try await s3.headObject(key: pointer.object) == nil,
                try await currentObject(of: pointer) == pointer.object
            {
                result.findings.append(
                    StoreFinding(
                        kind: .missingObject, path: url(of: pointer.object), metric: pointer.metric,
                        detail:
                            "the \(pointer.address.description) of the metric names an object the bucket does not hold"
                    ))
            }
        }
        result.orphans = try await orphans(listing, tables)
        guard readContent else { return result }

        let total = present.count
        let s3 = self.s3
        let bucket = s3.url.bucket
        try await withThrowingTaskGroup(of: (Pointer, ContentCheck).self) { group in
            var next = 0
            var done = 0
            func addNext() {
                guard next < present.count else { return }
                let pointer = present[next]
                let eTag = listed[pointer.object]?.eTag
                next += 1
                group.addTask {
                    guard let bytes = try await s3.getObject(key: pointer.object) else {
                        return (pointer, .vanished)
                    }
                    return (pointer, Self.check(bytes, of: pointer, eTag: eTag))
                }
            }
            for _ in 0..<concurrency { addNext() }
            while let (pointer, check) = try await group.next() {
                done += 1
                if done % 100 == 0 { progress(done, total) }
                addNext()
                switch check {
                case .vanished:
                    continue  // superseded and collected meanwhile
                case .sound(let checksummed):
                    if checksummed { result.checksummed += 1 }
                case .damaged(let kind, let detail, let checksummed):
                    if checksummed { result.checksummed += 1 }
                    result.findings.append(
                        StoreFinding(
                            kind: kind, path: "s3://\(bucket)/\(pointer.object)", metric: pointer.metric,
                            detail: detail))
                }
                if pointer.address == .buffer { result.buffers += 1 } else { result.splits += 1 }
            }
        }
        progress(total, total)
        result.findings.sort {
            ($0.metric ?? MetricID(high: 0, low: 0), $0.path) < (
                $1.metric ?? MetricID(high: 0, low: 0), $1.path
            )
        }
        return result
    }

    /// Deletes an orphan object (fsck `--repair`), after checking again that no table
    /// names it. Returns false when something names it now.
    public func deleteOrphan(_ key: String) async throws -> Bool {
        guard key.hasPrefix(Self.objectPrefix), try await !isNamed(key) else { return false }
        try await s3.deleteObject(key: key)
        return true
    }

    /// Whether a pointer of `metric` exists now.
    public func holdsData(of metric: MetricID) async throws -> Bool {
        let (logger, id) = (self.logger, metric.description)
        return try await database.withConnection("looking for aggregates of metric \(metric)") { connection in
            let rows = try await connection.query(
                "SELECT 1 FROM rondone_aggregate WHERE metric = \(id)::uuid LIMIT 1", logger: logger)
            for try await _ in rows { return true }
            return false
        }
    }

    /// The object's address as a report shows it.
    public func url(of key: String) -> String { "s3://\(s3.url.bucket)/\(key)" }

    // MARK: The tables

    /// One row of `rondone_aggregate`.
    struct Pointer: Sendable {
        var metric: MetricID
        var address: S3BlobAddress
        var object: String
    }

    struct Tables: Sendable {
        var pointers: [Pointer] = []
        /// Objects waiting for deletion, with the seconds since they were superseded.
        var garbage: [String: Double] = [:]
        /// Uploads not committed, with the seconds since they were recorded.
        var uploads: [String: Double] = [:]
    }

    /// The three tables in one snapshot.
    func pointerTables() async throws -> Tables {
        let logger = self.logger
        return try await database.withConnection("reading the aggregate pointers") { connection in
            try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
            var tables = Tables()
            do {
                let rows = try await connection.query(
                    "SELECT metric::text, aggregation, granularity, key, object FROM rondone_aggregate",
                    logger: logger)
                for try await (metric, aggregation, granularity, key, object) in rows.decode(
                    (String, String, Int64, Int64, String).self)
                {
                    guard let id = MetricID(metric) else { continue }
                    tables.pointers.append(
                        Pointer(
                            metric: id,
                            address: S3BlobAddress(
                                aggregation: aggregation, granularity: granularity, key: key),
                            object: object))
                }
                for try await (object, age) in try await connection.query(
                    """
                    SELECT object, extract(epoch FROM clock_timestamp() - since)::float8
                    FROM rondone_aggregate_garbage
                    """, logger: logger
                ).decode((String, Double).self) {
                    tables.garbage[object] = age
                }
                for try await (object, age) in try await connection.query(
                    """
                    SELECT object, extract(epoch FROM clock_timestamp() - since)::float8
                    FROM rondone_aggregate_upload
                    """, logger: logger
                ).decode((String, Double).self) {
                    tables.uploads[object] = age
                }
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
            try await connection.query("COMMIT", logger: logger)
            return tables
        }
    }

    /// The objects of `listing` no table names: orphans, unless deleted meanwhile.
    func orphans(_ listing: [S3Client.ObjectList.Object], _ tables: Tables) async throws
        -> [ObjectStoreVerification.Orphan]
    {
        var named = Set(tables.garbage.keys).union(tables.uploads.keys)
        for pointer in tables.pointers { named.insert(pointer.object) }
        var orphans: [ObjectStoreVerification.Orphan] = []
        for object in listing where !named.contains(object.key) {
            guard try await s3.headObject(key: object.key) != nil, try await !isNamed(object.key) else {
                continue
            }
            orphans.append(.init(key: object.key, size: object.size, lastModified: object.lastModified))
        }
        return orphans
    }

    /// The object `pointer`'s address names now (nil: none).
    private func currentObject(of pointer: Pointer) async throws -> String? {
        let (logger, id, address) = (self.logger, pointer.metric.description, pointer.address)
        return try await database.withConnection("reading a pointer of metric \(pointer.metric)") {
            connection in
            let rows = try await connection.query(
                """
                SELECT object FROM rondone_aggregate WHERE metric = \(id)::uuid
                  AND aggregation = \(address.aggregation) AND granularity = \(address.granularity)
                  AND key = \(address.key)
                """, logger: logger)
            for try await object in rows.decode(String.self) { return object }
            return nil
        }
    }

    /// Whether a pointer, the garbage or the uploads name `key` now.
    func isNamed(_ key: String) async throws -> Bool {
        let logger = self.logger
        return try await database.withConnection("looking up object \(key)") { connection in
            let rows = try await connection.query(
                """
                SELECT 1 WHERE EXISTS (SELECT 1 FROM rondone_aggregate WHERE object = \(key))
                    OR EXISTS (SELECT 1 FROM rondone_aggregate_garbage WHERE object = \(key))
                    OR EXISTS (SELECT 1 FROM rondone_aggregate_upload WHERE object = \(key))
                """, logger: logger)
            for try await _ in rows { return true }
            return false
        }
    }

    // MARK: Content

    private enum ContentCheck: Sendable {
        case vanished
        case sound(checksummed: Bool)
        case damaged(StoreFinding.Kind, String, checksummed: Bool)
    }

    /// The object's bytes against its ETag, then through its codec.
    private static func check(_ bytes: [UInt8], of pointer: Pointer, eTag: String?) -> ContentCheck {
        let matches = S3ETag.matches(eTag, bytes: bytes)
        let checksummed = matches != nil
        if matches == false {
            return .damaged(
                .damagedObject,
                "the \(pointer.address.description)'s \(bytes.count) bytes do not have the MD5 of its ETag \(eTag ?? "")",
                checksummed: checksummed)
        }
        if pointer.address == .buffer {
            do throws(CodecError) {
                _ = try RawSeriesCodec.decode(bytes)
            } catch {
                return .damaged(
                    .damagedBuffer, "the unaggregated buffer fails to decode: \(error)",
                    checksummed: checksummed)
            }
            return .sound(checksummed: checksummed)
        }
        let split = SplitAddress(
            aggregation: pointer.address.aggregation,
            granularity: TimeDelta(nanoseconds: pointer.address.granularity),
            key: Timestamp(nanoseconds: pointer.address.key))
        do throws(CorruptSplit) {
            _ = try split.decode(bytes, of: pointer.metric)
        } catch {
            return .damaged(
                .damagedSplit, "the \(pointer.address.description) fails to decode: \(error.error)",
                checksummed: checksummed)
        }
        return .sound(checksummed: checksummed)
    }
}

extension S3BlobAddress {
    /// `buffer`, or `split mean 60s 2026-01-01T00:00:00+00:00`.
    var description: String {
        guard self != .buffer else { return "unaggregated buffer" }
        return
            "split `\(aggregation)' of granularity \(TimeDelta(nanoseconds: granularity).formatted), key \(Timestamp(nanoseconds: key).formatted())"
    }
}
