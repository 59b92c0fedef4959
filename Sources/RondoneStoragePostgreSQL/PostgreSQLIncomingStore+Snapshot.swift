import NIOCore
import PostgresNIO
import RondoneStorage
import RondoneTimeSeries

// Reading the waiting measures as they were at an exported snapshot (a backup): plain
// SELECTs in a read-only transaction, so no claim is taken and processing goes on.
extension PostgreSQLIncomingStore {
    /// The batches waiting in `sack` at the exported snapshot `snapshot` (now, when
    /// nil), one per metric with its measures in arrival order.
    public func waitingBatches(sack: Int, snapshot: String?) async throws -> [IncomingBatch] {
        try checkSack(sack)
        let logger = database.logger
        return try await database.snapshotRead(
            "reading the waiting measures of sack \(sack)", snapshot: snapshot
        ) { connection in
            let rows = try await connection.query(
                """
                SELECT uuid_send(metric), points, payload FROM rondone_incoming
                WHERE sack = \(Int32(sack)) ORDER BY metric, id
                """, logger: logger)
            var measures: [MetricID: IncomingBatch] = [:]
            for try await (metricBytes, points, payload) in rows.decode((ByteBuffer, Int32, ByteBuffer).self)
            {
                let metric = try Self.metric(metricBytes)
                try IncomingPayload.decode(
                    payload, points: Int(points),
                    into: &measures[
                        metric, default: IncomingBatch(metric: metric, timestamps: [], values: [])])
            }
            return measures.keys.sorted().map { measures[$0]! }
        }
    }

    /// How many measures wait in all at the exported snapshot `snapshot`.
    public func waitingMeasureCount(snapshot: String?) async throws -> Int {
        let logger = database.logger
        return try await database.snapshotRead("counting the waiting measures", snapshot: snapshot) {
            connection in
            let rows = try await connection.query(
                "SELECT coalesce(sum(points), 0)::int8 FROM rondone_incoming", logger: logger)
            for try await count in rows.decode(Int64.self) { return Int(count) }
            return 0
        }
    }
}
