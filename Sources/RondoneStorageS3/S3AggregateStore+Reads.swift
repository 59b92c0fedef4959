import PostgresNIO
import RondoneStorage
import RondoneTimeSeries

extension S3AggregateStore {
    public func buffer(of metric: MetricID) async throws -> [UInt8]? {
        try await blobs(of: metric, [.buffer])[0]
    }

    public func split(_ key: SplitAddress, of metric: MetricID) async throws -> [UInt8]? {
        try await blobs(of: metric, [S3BlobAddress(key)])[0]
    }

    public func splits(_ keys: [SplitAddress], of metric: MetricID) async throws -> [[UInt8]?] {
        try await blobs(of: metric, keys.map(S3BlobAddress.init))
    }

    public func splitKeys(of metric: MetricID, aggregation: String, granularity: TimeDelta) async throws
        -> [Timestamp]
    {
        let (logger, id) = (self.logger, metric.description)
        return try await database.withConnection("listing the splits of metric \(metric)") { connection in
            let rows = try await connection.query(
                """
                SELECT key FROM rondone_aggregate
                WHERE metric = \(id)::uuid AND aggregation = \(aggregation)
                  AND granularity = \(granularity.nanoseconds) AND aggregation <> ''
                ORDER BY key
                """, logger: logger)
            var keys: [Timestamp] = []
            for try await key in rows.decode(Int64.self) { keys.append(Timestamp(nanoseconds: key)) }
            return keys
        }
    }

    /// The blobs at `addresses` (nil where there is none): their objects named in one
    /// query, then read `concurrency` at a time.
    ///
    /// An object can vanish between the query and the read only if its pointer moved
    /// and the grace period passed meanwhile; the pointer is then read again, once.
    func blobs(of metric: MetricID, _ addresses: [S3BlobAddress]) async throws -> [[UInt8]?] {
        guard !addresses.isEmpty else { return [] }
        var objects = try await objectKeys(of: metric, addresses)
        var result = try await read(objects)
        let missing = addresses.indices.filter { objects[$0] != nil && result[$0] == nil }
        guard !missing.isEmpty else { return result }
        let again = try await objectKeys(of: metric, missing.map { addresses[$0] })
        for (index, object) in zip(missing, again) {
            guard let object else {
                result[index] = nil
                continue
            }
            guard object != objects[index], let bytes = try await s3.getObject(key: object) else {
                throw StorageError.backend(
                    "aggregate object \(object) of metric \(metric) is missing from the bucket \(s3.url.bucket)"
                )
            }
            objects[index] = object
            result[index] = bytes
        }
        return result
    }

    /// The current object of each address, nil where there is none.
    private func objectKeys(of metric: MetricID, _ addresses: [S3BlobAddress]) async throws -> [String?] {
        var wanted = S3BlobColumns()
        for address in addresses { wanted.append(metric, address) }
        let (logger, id) = (self.logger, metric.description)
        let found = try await database.withConnection("reading the blobs of metric \(metric)") {
            [wanted] connection in
            let rows = try await connection.query(
                """
                SELECT a.aggregation, a.granularity, a.key, a.object FROM rondone_aggregate a
                JOIN unnest(\(wanted.aggregations)::text[], \(wanted.granularities)::int8[], \(wanted.keys)::int8[])
                     AS w(aggregation, granularity, key)
                  ON a.aggregation = w.aggregation AND a.granularity = w.granularity AND a.key = w.key
                WHERE a.metric = \(id)::uuid
                """, logger: logger)
            var found: [S3BlobAddress: String] = [:]
            for try await (aggregation, granularity, key, object) in rows.decode(
                (String, Int64, Int64, String).self)
            {
                found[S3BlobAddress(aggregation: aggregation, granularity: granularity, key: key)] = object
            }
            return found
        }
        return addresses.map { found[$0] }
    }

    /// Each object's bytes (nil for no object, or one that is gone), `concurrency` at a
    /// time.
    func read(_ objects: [String?]) async throws -> [[UInt8]?] {
        let s3 = self.s3
        var result = [[UInt8]?](repeating: nil, count: objects.count)
        let wanted = objects.indices.filter { objects[$0] != nil }
        try await withThrowingTaskGroup(of: (Int, [UInt8]?).self) { group in
            var next = 0
            func addNext() {
                guard next < wanted.count else { return }
                let index = wanted[next]
                let key = objects[index]!
                next += 1
                group.addTask { (index, try await s3.getObject(key: key)) }
            }
            for _ in 0..<concurrency { addNext() }
            while let (index, bytes) = try await group.next() {
                result[index] = bytes
                addNext()
            }
        }
        return result
    }
}
