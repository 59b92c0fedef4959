import NIOCore
import PostgresNIO
import RondoneStorage
public import RondoneTimeSeries

/// What ``PostgreSQLIncomingStore/verify(progress:)`` found in the waiting measures.
public struct IncomingRowsVerification: Sendable {
    /// A waiting batch that cannot be processed as it is.
    public struct BadRow: Sendable, Equatable {
        public var id: Int64
        public var sack: Int
        public var metric: MetricID
        /// Set when the row sits in another sack than its metric's (`sack` is where it is).
        public var expectedSack: Int?
        /// Set when the payload's length does not match the row's point count.
        public var payloadBytes: Int?
        public var points: Int
    }

    /// Rows (batches), their points and payload bytes.
    public var rows = 0
    public var measures = 0
    public var bytes: Int64 = 0
    /// Every metric with measures waiting.
    public var waitingMetrics: Set<MetricID> = []
    public var badRows: [BadRow] = []
}

// Verification (`rondone fsck` on a deployment): every waiting batch's payload length
// against its point count (a mismatch makes the claim of its whole sack fail), and its
// sack against its metric's. Reads lengths, never payloads.
extension PostgreSQLIncomingStore {
    /// Checks every row, sack by sack; `progress(done, sacks)` as it goes.
    public func verify(progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws
        -> IncomingRowsVerification
    {
        var result = IncomingRowsVerification()
        let (logger, sackCount) = (database.logger, sackCount)
        let sacks = try await database.withConnection("listing the sacks with measures") { connection in
            var sacks: [Int32] = []
            let rows = try await connection.query(
                "SELECT DISTINCT sack FROM rondone_incoming ORDER BY sack", logger: logger)
            for try await sack in rows.decode(Int32.self) { sacks.append(sack) }
            return sacks
        }
        for (done, sack) in sacks.enumerated() {
            progress(done, sacks.count)
            let rows = try await database.withConnection("checking the measures of sack \(sack)") {
                connection in
                var found: [(Int64, MetricID, Int, Int)] = []
                let rows = try await connection.query(
                    """
                    SELECT id, uuid_send(metric), points, octet_length(payload) FROM rondone_incoming
                    WHERE sack = \(sack) ORDER BY id
                    """, logger: logger)
                for try await (id, metric, points, bytes) in rows.decode(
                    (Int64, ByteBuffer, Int32, Int32).self)
                {
                    found.append((id, try Self.metric(metric), Int(points), Int(bytes)))
                }
                return found
            }
            for (id, metric, points, bytes) in rows {
                result.rows += 1
                result.measures += points
                result.bytes += Int64(bytes)
                result.waitingMetrics.insert(metric)
                let expected = metric.sack(among: sackCount)
                let lengthOK = bytes == points * 16
                guard !lengthOK || expected != Int(sack) else { continue }
                result.badRows.append(
                    .init(
                        id: id, sack: Int(sack), metric: metric,
                        expectedSack: expected == Int(sack) ? nil : expected,
                        payloadBytes: lengthOK ? nil : bytes, points: points))
            }
        }
        progress(sacks.count, sacks.count)
        return result
    }

    /// Moves a waiting batch that sits in the wrong sack to its metric's sack (fsck
    /// `--repair`): no measure changes, the right sack's worker processes it.
    public func moveToOwnSack(row id: Int64, metric: MetricID) async throws {
        let (logger, sack) = (database.logger, Int32(metric.sack(among: sackCount)))
        try await database.withConnection("moving waiting batch \(id) to sack \(sack)") { connection in
            try await connection.query(
                "UPDATE rondone_incoming SET sack = \(sack) WHERE id = \(id)", logger: logger)
        }
    }

    /// Whether measures of `metric` wait (any sack).
    public func holdsMeasures(of metric: MetricID) async throws -> Bool {
        let (logger, id) = (database.logger, metric.description)
        return try await database.withConnection("looking for measures of metric \(metric)") { connection in
            let rows = try await connection.query(
                "SELECT 1 FROM rondone_incoming WHERE metric = \(id)::uuid LIMIT 1", logger: logger)
            for try await _ in rows { return true }
            return false
        }
    }
}
