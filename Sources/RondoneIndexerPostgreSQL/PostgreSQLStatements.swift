import PostgresNIO
import RondoneIndexer
import RondoneTimeSeries

/// The statements of the hot paths (every measures request and every metricd batch),
/// prepared once per pooled connection and then only bound and executed: no parsing
/// or planning per call. Each takes its ids as one `uuid[]`, so a statement serves
/// any number of metrics.
enum PostgreSQLStatements {
    /// The catalog generation: the one-row read that keeps cached policies current.
    struct Generation: PostgresPreparedStatement {
        static let name = "rondone_catalog_generation"
        static let sql = "SELECT generation FROM catalog_version WHERE id = 1"
        typealias Row = Int64

        func makeBindings() -> PostgresBindings { PostgresBindings() }
        func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
    }

    /// The active metrics among some ids.
    struct Metrics: PostgresPreparedStatement {
        static let name = "rondone_active_metrics"
        static let sql =
            "SELECT \(PostgreSQLColumns.metricColumns) FROM metric WHERE id = ANY($1) AND status = 'active'"
        typealias Row = Metric

        var ids: [PostgreSQLUUID]

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(ids)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Metric {
            try PostgreSQLColumns.metric(PostgresRandomAccessRow(row))
        }
    }

    /// One active metric by id (the single-id form of ``Metrics``, planned for one row).
    struct Metric1: PostgresPreparedStatement {
        static let name = "rondone_active_metric"
        static let sql =
            "SELECT \(PostgreSQLColumns.metricColumns) FROM metric WHERE id = $1 AND status = 'active'"
        typealias Row = Metric

        var id: PostgreSQLUUID

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(id)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Metric {
            try PostgreSQLColumns.metric(PostgresRandomAccessRow(row))
        }
    }

    /// The policy names of the active metrics among some ids, with the catalog
    /// generation read in the same statement (so on the same snapshot): a generation
    /// row always comes back, with null metric columns when no id matched.
    struct PolicyNames: PostgresPreparedStatement {
        static let name = "rondone_metric_policy_names"
        static let sql = """
            SELECT c.generation, m.id, m.archive_policy_name
            FROM catalog_version AS c
            LEFT JOIN metric AS m ON m.id = ANY($1) AND m.status = 'active'
            WHERE c.id = 1
            """
        typealias Row = (Int64, PostgreSQLUUID?, String?)

        var ids: [PostgreSQLUUID]

        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(ids)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            try row.decode((Int64, PostgreSQLUUID?, String?).self)
        }
    }
}
