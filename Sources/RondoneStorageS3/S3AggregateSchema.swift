/// The pointer tables of ``S3AggregateStore``, in the coordination database.
enum S3AggregateSchema {
    static let statements = [
        // The current object of every blob: a buffer is (metric, '', 0, 0), a split
        // (metric, aggregation, granularity ns, key ns).
        """
        CREATE TABLE IF NOT EXISTS rondone_aggregate (
            metric uuid NOT NULL,
            aggregation text NOT NULL,
            granularity int8 NOT NULL,
            key int8 NOT NULL,
            object text NOT NULL,
            PRIMARY KEY (metric, aggregation, granularity, key))
        """,
        // Objects no pointer names any more, deleted from the bucket after a grace period.
        """
        CREATE TABLE IF NOT EXISTS rondone_aggregate_garbage (
            object text PRIMARY KEY,
            metric uuid NOT NULL,
            deleted_metric bool NOT NULL DEFAULT false,
            since timestamptz NOT NULL DEFAULT clock_timestamp())
        """,
        "CREATE INDEX IF NOT EXISTS ix_rondone_aggregate_garbage_since ON rondone_aggregate_garbage (since)",
        // Uploads whose commit has not come (yet): orphans once old enough.
        """
        CREATE TABLE IF NOT EXISTS rondone_aggregate_upload (
            object text PRIMARY KEY,
            since timestamptz NOT NULL DEFAULT clock_timestamp())
        """,
        "CREATE INDEX IF NOT EXISTS ix_rondone_aggregate_upload_since ON rondone_aggregate_upload (since)",
    ]
}
