import PostgresNIO
public import RondoneIndexer
public import RondoneTimeSeries

/// What `rondone fsck` found in a PostgreSQL index: PostgreSQL's own structure checks
/// (the `amcheck` extension, when the database has it) and the links between the index's
/// tables that no constraint enforces.
public struct PostgreSQLIndexCheck: Sendable, Equatable {
    /// Whether `amcheck` is installed in the database (it is not by default).
    public var amcheck = false
    /// Set when `amcheck` is installed but this user may not run its functions (they
    /// are revoked from PUBLIC: `GRANT EXECUTE ON FUNCTION bt_index_check(regclass)`…).
    public var amcheckDenied = false
    /// B-tree indexes `bt_index_check` verified, and tables `verify_heapam` verified.
    public var indexesChecked = 0
    public var tablesChecked = 0
    /// One sentence per problem.
    public var problems: [String] = []
}

/// The tables of the deployment's schema for `rondone gc`: their bytes and dead rows.
public struct PostgreSQLSpace: Sendable, Equatable {
    /// Tables in the schema (the index's, and the incoming and pointer tables when they
    /// share its database).
    public var tables = 0
    /// `pg_total_relation_size` summed: heap, indexes and TOAST.
    public var bytes: Int64 = 0
    /// Rows deleted or superseded whose space `VACUUM` makes reusable.
    public var deadRows: Int64 = 0

    public init(tables: Int = 0, bytes: Int64 = 0, deadRows: Int64 = 0) {
        self.tables = tables
        self.bytes = bytes
        self.deadRows = deadRows
    }
}

// Maintenance of a PostgreSQL index (Rondone's `fsck` and `gc` on a deployment): its
// checks, every metric row, old resource history, its tables' space and VACUUM.
extension PostgreSQLIndexer {
    /// Checks the index: every resource of a type with attributes has its attribute row
    /// (current and history; no foreign key can say so), and, when the `amcheck`
    /// extension is installed, every B-tree index of the schema (`bt_index_check`) and
    /// every table (`verify_heapam`, PostgreSQL 14+). Only reads.
    public func integrityCheck() async throws -> PostgreSQLIndexCheck {
        var check = PostgreSQLIndexCheck()
        let tables = try await read { session in
            try await session.rows(
                "SELECT name, tablename FROM resource_type WHERE tablename IS NOT NULL ORDER BY name"
            ).map { (try $0.get("name", as: String.self), try $0.get("tablename", as: String.self)) }
        }
        for (type, table) in tables {
            let quoted = "\"" + table.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            let history = "\"" + (table + "_history").replacingOccurrences(of: "\"", with: "\"\"") + "\""
            let (current, old) = try await read { session in
                let current =
                    try await session.rows(
                        PostgresQuery(
                            unsafeSQL: """
                                SELECT count(*) AS n FROM resource r
                                WHERE r.type = $1 AND NOT EXISTS (SELECT 1 FROM \(quoted) t WHERE t.id = r.id)
                                """, binds: Self.binds(type))
                    ).first?.get("n", as: Int64.self) ?? 0
                let old =
                    try await session.rows(
                        PostgresQuery(
                            unsafeSQL: """
                                SELECT count(*) AS n FROM resource_history h
                                WHERE h.type = $1 AND NOT EXISTS (SELECT 1 FROM \(history) t WHERE t.revision = h.revision)
                                """, binds: Self.binds(type))
                    ).first?.get("n", as: Int64.self) ?? 0
                return (current, old)
            }
            if current > 0 {
                check.problems.append(
                    "\(current) resources of type \(type) have no row in \(table) (their attributes are lost)"
                )
            }
            if old > 0 {
                check.problems.append(
                    "\(old) history revisions of type \(type) have no row in \(table)_history")
            }
        }
        check.amcheck = try await single { session in
            try await session.exists("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'")
        }
        guard check.amcheck else { return check }
        let relations = try await read { session in
            try await session.rows(
                """
                SELECT c.relname AS name, c.relkind::text AS kind, a.amname AS method
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                LEFT JOIN pg_am a ON a.oid = c.relam
                WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i') AND c.relpersistence = 'p'
                ORDER BY c.relname
                """
            ).map {
                (
                    try $0.get("name", as: String.self), try $0.get("kind", as: String.self),
                    try $0.get("method", as: String?.self)
                )
            }
        }
        for (name, kind, method) in relations {
            do {
                if kind == "i" {
                    guard method == "btree" else { continue }
                    check.indexesChecked += 1
                    try await single { session in
                        _ = try await session.rows(
                            PostgresQuery(
                                unsafeSQL: "SELECT bt_index_check(to_regclass(quote_ident($1)))",
                                binds: Self.binds(name)))
                    }
                } else {
                    check.tablesChecked += 1
                    let damage = try await single { session in
                        try await session.rows(
                            PostgresQuery(
                                unsafeSQL: """
                                    SELECT blkno, offnum, msg FROM verify_heapam(to_regclass(quote_ident($1)))
                                    LIMIT 10
                                    """, binds: Self.binds(name))
                        ).map { row in
                            "table \(name), block \((try? row.get("blkno", as: Int64.self)) ?? -1): "
                                + ((try? row.get("msg", as: String.self)) ?? "?")
                        }
                    }
                    check.problems += damage.map { "verify_heapam: \($0)" }
                }
            } catch {
                let summary = PostgreSQLErrors.summary(error)
                if PostgreSQLErrors.sqlState(error) == "42501" {  // insufficient_privilege
                    check.amcheckDenied = true
                    check.indexesChecked = 0
                    check.tablesChecked = 0
                    break
                }
                if kind != "i" && summary.contains("verify_heapam") && summary.contains("does not exist") {
                    check.tablesChecked -= 1  // amcheck before PostgreSQL 14: indexes only
                    continue
                }
                check.problems.append(
                    "\(kind == "i" ? "bt_index_check of index" : "verify_heapam of table") \(name): \(summary)"
                )
            }
        }
        return check
    }

    /// Every metric row, active or awaiting deletion.
    public func allMetricRows() async throws -> [IndexedMetric] {
        try await read { session in
            try await session.rows("SELECT id, archive_policy_name, status FROM metric").map { row in
                IndexedMetric(
                    id: try row.get("id", as: PostgreSQLUUID.self).metricID,
                    archivePolicyName: try row.get("archive_policy_name"),
                    status: MetricStatus(rawValue: try row.get("status")) ?? .active)
            }
        }
    }

    /// History revisions of ended resources whose revision ended before `cutoff`: how
    /// many, or with `delete`, removes them (their attribute rows follow by cascade) in
    /// one transaction and returns how many were removed.
    public func oldResourceHistory(endedBefore cutoff: Timestamp, delete: Bool) async throws -> Int {
        let bound = cutoff.nanoseconds
        guard delete else {
            return try await read { session in
                try await session.rows(
                    """
                    SELECT count(*) AS n FROM resource_history
                    WHERE revision_end < \(bound) AND id IN (SELECT id FROM resource WHERE ended_at IS NOT NULL)
                    """
                ).first.map { Int(try $0.get("n", as: Int64.self)) } ?? 0
            }
        }
        return try await write { session in
            try await session.count(
                """
                DELETE FROM resource_history
                WHERE revision_end < \(bound) AND id IN (SELECT id FROM resource WHERE ended_at IS NOT NULL)
                RETURNING 1
                """)
        }
    }

    /// The bytes and dead rows of the tables in the index's schema.
    public func space() async throws -> PostgreSQLSpace {
        try await read { session in
            guard
                let row = try await session.rows(
                    """
                    SELECT count(*)::int8 AS tables,
                           coalesce(sum(pg_total_relation_size(s.relid)), 0)::int8 AS bytes,
                           coalesce(sum(s.n_dead_tup), 0)::int8 AS dead
                    FROM pg_stat_user_tables s WHERE s.schemaname = current_schema()
                    """
                ).first
            else { return PostgreSQLSpace() }
            return PostgreSQLSpace(
                tables: Int(try row.get("tables", as: Int64.self)), bytes: try row.get("bytes"),
                deadRows: try row.get("dead"))
        }
    }

    /// `VACUUM (ANALYZE)` of every table in the index's schema, one at a time: dead
    /// rows' space becomes reusable and empty pages at a table's end go back to the file
    /// system. Takes no lock that stops reads or writes (unlike `VACUUM FULL`, which
    /// this never runs). Calls `progress(done, total)` per table.
    public func vacuum(progress: @Sendable (Int, Int) -> Void = { _, _ in }) async throws {
        let tables = try await read { session in
            try await session.rows(
                "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema() ORDER BY relname"
            ).map { try $0.get("relname", as: String.self) }
        }
        for (done, table) in tables.enumerated() {
            progress(done, tables.count)
            let quoted = "\"" + table.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            try await single { session in
                try await session.execute(PostgresQuery(unsafeSQL: "VACUUM (ANALYZE) \(quoted)"))
            }
        }
        progress(tables.count, tables.count)
    }

    private static func binds(_ text: String) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(text)
        return binds
    }
}
