import Logging
import PostgresNIO
import RondoneTimeSeries

/// The statements that move pointers, run inside a store's transaction.
enum S3AggregatePointers {
    /// Sends the current objects of `blobs` to the garbage and drops their pointers.
    static func unlink(_ blobs: S3BlobColumns, _ connection: PostgresConnection, _ logger: Logger)
        async throws
    {
        guard !blobs.isEmpty else { return }
        try await connection.query(
            """
            WITH gone AS (
                DELETE FROM rondone_aggregate a
                USING unnest(\(blobs.metrics)::text[]::uuid[], \(blobs.aggregations)::text[],
                             \(blobs.granularities)::int8[], \(blobs.keys)::int8[]) AS d(metric, aggregation, granularity, key)
                WHERE a.metric = d.metric AND a.aggregation = d.aggregation
                  AND a.granularity = d.granularity AND a.key = d.key
                RETURNING a.object, a.metric)
            INSERT INTO rondone_aggregate_garbage (object, metric)
            SELECT object, metric FROM gone
            ON CONFLICT (object) DO NOTHING
            """, logger: logger)
    }

    /// Points `blobs` at their new objects; the objects they named before go to the
    /// garbage.
    static func link(_ blobs: S3BlobColumns, _ connection: PostgresConnection, _ logger: Logger) async throws
    {
        guard !blobs.isEmpty else { return }
        // The old objects first (the rows are locked by the update that follows in
        // this transaction; one writer per sack holds them anyway).
        try await connection.query(
            """
            INSERT INTO rondone_aggregate_garbage (object, metric)
            SELECT a.object, a.metric FROM rondone_aggregate a
            JOIN unnest(\(blobs.metrics)::text[]::uuid[], \(blobs.aggregations)::text[],
                        \(blobs.granularities)::int8[], \(blobs.keys)::int8[]) AS n(metric, aggregation, granularity, key)
              ON a.metric = n.metric AND a.aggregation = n.aggregation
             AND a.granularity = n.granularity AND a.key = n.key
            ON CONFLICT (object) DO NOTHING
            """, logger: logger)
        try await connection.query(
            """
            INSERT INTO rondone_aggregate (metric, aggregation, granularity, key, object)
            SELECT * FROM unnest(\(blobs.metrics)::text[]::uuid[], \(blobs.aggregations)::text[],
                                 \(blobs.granularities)::int8[], \(blobs.keys)::int8[], \(blobs.objects)::text[])
            ON CONFLICT (metric, aggregation, granularity, key) DO UPDATE SET object = excluded.object
            """, logger: logger)
    }
}
