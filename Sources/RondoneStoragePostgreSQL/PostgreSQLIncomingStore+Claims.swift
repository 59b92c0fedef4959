import NIOCore
import PostgresNIO
import RondoneStorage
import RondoneTimeSeries

// Claims: reading waiting batches for processing, and deleting exactly those rows.
extension PostgreSQLIncomingStore {
    public func claim(sack: Int) async throws -> IncomingClaim {
        try checkSack(sack)
        return try await claim(sack: sack, metric: nil)
    }

    public func claim(metric: MetricID) async throws -> IncomingClaim {
        try await claim(sack: metric.sack(among: sackCount), metric: metric)
    }

    public func complete(_ claim: IncomingClaim) async throws {
        let ids = try claims.withLock { claims in
            guard let current = claims[claim.sack], current.token == claim.token else {
                throw StorageError.unknownClaim
            }
            return current.ids
        }
        if !ids.isEmpty {
            let logger = database.logger
            try await database.withConnection("removing \(ids.count) processed batches of sack \(claim.sack)")
            {
                connection in
                try await connection.query(
                    "DELETE FROM rondone_incoming WHERE id = ANY(\(ids)::bigint[])", logger: logger)
            }
        }
        dropClaim(sack: claim.sack, token: claim.token)
    }

    public func release(_ claim: IncomingClaim) async {
        dropClaim(sack: claim.sack, token: claim.token)
    }

    public func deleteUnprocessed(metric: MetricID) async throws {
        let sack = Int32(metric.sack(among: sackCount))
        let text = metric.description
        let logger = database.logger
        try await database.withConnection("deleting the waiting measures of metric \(metric)") { connection in
            try await connection.query(
                "DELETE FROM rondone_incoming WHERE sack = \(sack) AND metric = \(text)::uuid", logger: logger
            )
        }
    }

    /// Reserves the sack in this process, then reads its waiting rows (one metric's
    /// when `metric` is given) in one statement: rows committed after it started wait
    /// for the next claim, since `complete` deletes only the ids read here.
    private func claim(sack: Int, metric: MetricID?) async throws -> IncomingClaim {
        let token = makeToken()
        try claims.withLock { claims in
            guard claims[sack] == nil else { throw StorageError.claimOutstanding(sack: sack) }
            claims[sack] = (token, [])
        }
        do {
            let logger = database.logger
            let (ids, measures) = try await database.withConnection("claiming sack \(sack)") { connection in
                let rows: PostgresRowSequence
                if let metric {
                    rows = try await connection.query(
                        """
                        SELECT id, uuid_send(metric), points, payload FROM rondone_incoming
                        WHERE sack = \(Int32(sack)) AND metric = \(metric.description)::uuid ORDER BY id
                        """, logger: logger)
                } else {
                    rows = try await connection.query(
                        """
                        SELECT id, uuid_send(metric), points, payload FROM rondone_incoming
                        WHERE sack = \(Int32(sack)) ORDER BY metric, id
                        """, logger: logger)
                }
                var ids: [Int64] = []
                var measures: [MetricID: IncomingBatch] = [:]
                for try await (id, metricBytes, points, payload) in rows.decode(
                    (Int64, ByteBuffer, Int32, ByteBuffer).self)
                {
                    let metric = try Self.metric(metricBytes)
                    ids.append(id)
                    try IncomingPayload.decode(
                        payload, points: Int(points),
                        into: &measures[
                            metric, default: IncomingBatch(metric: metric, timestamps: [], values: [])])
                }
                return (ids, measures)
            }
            claims.withLock { claims in
                if claims[sack]?.token == token { claims[sack] = (token, ids) }
            }
            return IncomingClaim(sack: sack, metric: metric, measures: measures, token: token)
        } catch {
            dropClaim(sack: sack, token: token)
            throw error
        }
    }

    func dropClaim(sack: Int, token: UInt64) {
        claims.withLock { claims in
            if claims[sack]?.token == token { claims[sack] = nil }
        }
    }
}
