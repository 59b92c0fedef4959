import RondoneIndexer
import RondoneTimeSeries

/// Compiles a `BoundResourceFilter` into the `WHERE` text of one `SELECT` over
/// `resource` (or `resource_history`) aliased `common`, joined with its type's table
/// aliased `attributes`. Identifiers come only from the schema (quoted); every operand
/// is bound, typed as its column.
///
/// Three-valued logic is SQL's, as on Gnocchi's PostgreSQL: a comparison with a null
/// column is unknown, and so is its `not`. `like` is PostgreSQL's own (`\` escapes),
/// case-sensitive; `ilike` folds ASCII case only, as the columns are `COLLATE "C"`.
struct PostgreSQLFilterCompiler {
    /// Alias of the `resource` / `resource_history` table.
    var common: String
    /// Alias of the type's own table and its attributes' columns.
    var attributes: String
    var tables: PostgreSQLTypeTables?
    /// Whether the branch reads `resource_history` (else `revision` is -1 and
    /// `revision_end` null, as Gnocchi's union gives the current rows).
    var history: Bool

    init(common: String, attributes: String = "t", tables: PostgreSQLTypeTables?, history: Bool) {
        self.common = common
        self.attributes = attributes
        self.tables = tables
        self.history = history
    }

    func compile(_ filter: BoundResourceFilter, _ statement: inout PostgreSQLStatement) -> String {
        switch filter {
        case .and(let terms):
            return terms.isEmpty
                ? "TRUE" : "(" + terms.map { compile($0, &statement) }.joined(separator: " AND ") + ")"
        case .or(let terms):
            return terms.isEmpty
                ? "TRUE" : "(" + terms.map { compile($0, &statement) }.joined(separator: " OR ") + ")"
        case .not(let term): return "(NOT " + compile(term, &statement) + ")"
        case .unknown: return "NULL::boolean"
        case .compare(let field, let op, let value):
            let column = self.column(field)
            switch (op, value.isNull) {
            case (.eq, true): return "(\(column) IS NULL)"
            case (.ne, true): return "(\(column) IS NOT NULL)"
            case (_, true): return "NULL::boolean"
            case (.ne, false):
                // Gnocchi: `attr IS NULL OR attr != value`.
                return "(\(column) IS NULL OR \(column) <> \(statement.bind(Self.value(value, field))))"
            default:
                return "(\(column) \(Self.sql(op)) \(statement.bind(Self.value(value, field))))"
            }
        case .in(let field, let values):
            let list = values.map { statement.bind(Self.value($0, field)) }.joined(separator: ", ")
            return "(\(column(field)) IN (\(list)))"
        case .like(let field, let pattern, let caseInsensitive):
            return
                "(\(column(field)) \(caseInsensitive ? "ILIKE" : "LIKE") \(statement.bind(.text(pattern))))"
        case .lifespan(let op, let nanoseconds):
            // numeric: the difference of two far-apart times overflows bigint.
            let span = "(\(common).ended_at::numeric - \(common).started_at)"
            let bound = statement.bind(.int8(nanoseconds))
            return op == .ne
                ? "(\(span) IS NULL OR \(span) <> \(bound))" : "(\(span) \(Self.sql(op)) \(bound))"
        case .createdBy(let part, let test):
            let derived = "\(common).\(part.rawValue)"
            switch test {
            case .equals(let value): return "(\(derived) = \(statement.bind(.text(value))))"
            case .differs(let value):
                // Gnocchi: NOT (creator LIKE 'value:%'): a creator without `:` differs.
                return
                    "(\(common).creator IS NOT NULL AND \(derived) IS DISTINCT FROM "
                    + "\(statement.bind(.text(value))))"
            case .like(let pattern):
                let full = part == .user ? pattern + ":%" : "%:" + pattern
                return "(\(common).creator LIKE \(statement.bind(.text(full))))"
            }
        case .visibleTo(let project):
            // Gnocchi's policy filter: project_id = P OR creator LIKE '%:P'; both sides
            // are index lookups (a BitmapOr).
            let bound = statement.bind(.text(project))
            return "(\(common).project_id = \(bound) OR \(common).created_by_project_id = \(bound))"
        }
    }

    /// The SQL expression of a field in this branch.
    func column(_ field: ResourceField) -> String {
        if field.isCustom {
            let name = tables?.column(of: field.name) ?? field.name
            return "\(attributes).\(PostgreSQLTypeTables.quote(name))"
        }
        if !history {
            switch field.name {
            case "revision": return "(-1)::bigint"
            case "revision_end": return "NULL::bigint"
            default: break
            }
        }
        return "\(common).\(PostgreSQLTypeTables.quote(field.name))"
    }

    static func sql(_ op: ResourceFilter.ComparisonOperator) -> String {
        switch op {
        case .eq: "="
        case .ne: "<>"
        case .lt: "<"
        case .le: "<="
        case .gt: ">"
        case .ge: ">="
        }
    }

    /// An operand as its column stores it (`id` is a `uuid`; attribute UUIDs are text).
    static func value(_ value: AttributeValue, _ field: ResourceField) -> PostgreSQLValue {
        switch value {
        case .uuid(let text) where field.name == "id" && !field.isCustom:
            guard let id = ResourceID(text) else { return .null }
            return .uuid(PostgreSQLUUID(id))
        case .number(let number) where field.kind == .integer: return .int8(Int64(number))
        default: return PostgreSQLValue(value)
        }
    }
}
