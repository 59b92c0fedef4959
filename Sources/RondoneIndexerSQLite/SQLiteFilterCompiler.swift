import GRDB
import RondoneIndexer
import RondoneTimeSeries

/// Compiles a ``BoundResourceFilter`` into the `WHERE` text of one `SELECT` over
/// `resource` (or `resource_history`) aliased `common`, joined with its type's table
/// aliased `attributes`. Identifiers come only from the schema (quoted); every operand
/// is a bound argument.
///
/// Three-valued logic is SQL's, as on Gnocchi's PostgreSQL: a comparison with a null
/// column is unknown, and so is its `not`.
struct SQLiteFilterCompiler {
    /// Alias of the `resource` / `resource_history` table.
    var common: String
    /// Alias of the type's own table (nil when the search reads `generic` columns only).
    var attributes: String?
    /// Whether the branch reads `resource_history` (else `revision` is -1 and
    /// `revision_end` null, as Gnocchi's union gives the current rows).
    var history: Bool
    var arguments: [DatabaseValue] = []

    init(common: String, attributes: String?, history: Bool) {
        self.common = common
        self.attributes = attributes
        self.history = history
    }

    mutating func compile(_ filter: BoundResourceFilter) -> String {
        switch filter {
        case .and(let terms):
            return terms.isEmpty ? "1" : "(" + terms.map { compile($0) }.joined(separator: " AND ") + ")"
        case .or(let terms):
            return terms.isEmpty ? "1" : "(" + terms.map { compile($0) }.joined(separator: " OR ") + ")"
        case .not(let term): return "NOT " + compile(term)
        case .unknown: return "NULL"
        case .compare(let field, let op, let value):
            let column = self.column(field)
            switch (op, value.isNull) {
            case (.eq, true): return "\(column) IS NULL"
            case (.ne, true): return "\(column) IS NOT NULL"
            case (_, true): return "NULL"
            case (.ne, false):
                // Gnocchi: `attr IS NULL OR attr != value`.
                arguments.append(Self.databaseValue(value, field))
                return "(\(column) IS NULL OR \(column) <> ?)"
            default:
                arguments.append(Self.databaseValue(value, field))
                return "\(column) \(Self.sql(op)) ?"
            }
        case .in(let field, let values):
            arguments += values.map { Self.databaseValue($0, field) }
            return "\(column(field)) IN (\(SQLiteTypeTables.placeholders(values.count)))"
        case .like(let field, let pattern, let caseInsensitive):
            return like(column(field), pattern, caseInsensitive: caseInsensitive)
        case .lifespan(let op, let nanoseconds):
            let span = "(\(common).ended_at - \(common).started_at)"
            arguments.append(nanoseconds.databaseValue)
            return op == .ne ? "(\(span) IS NULL OR \(span) <> ?)" : "\(span) \(Self.sql(op)) ?"
        case .createdBy(let part, let test):
            let derived = "\(common).\(part.rawValue)"
            switch test {
            case .equals(let value):
                arguments.append(value.databaseValue)
                return "\(derived) = ?"
            case .differs(let value):
                // Gnocchi: NOT (creator LIKE 'value:%'): a creator without `:` differs.
                arguments.append(value.databaseValue)
                return "(\(common).creator IS NOT NULL AND \(derived) IS NOT ?)"
            case .like(let pattern):
                return like(
                    "\(common).creator", part == .user ? pattern + ":%" : "%:" + pattern,
                    caseInsensitive: false)
            }
        case .visibleTo(let project):
            // Gnocchi's policy filter: project_id = P OR creator LIKE '%:P'; both sides
            // are index lookups (MULTI-INDEX OR).
            arguments += [project.databaseValue, project.databaseValue]
            return "(\(common).project_id = ? OR \(common).created_by_project_id = ?)"
        }
    }

    /// The SQL expression of a field in this branch.
    func column(_ field: ResourceField) -> String {
        if field.isCustom { return "\(attributes ?? "t").\(SQLiteTypeTables.quote(field.name))" }
        if !history {
            switch field.name {
            case "revision": return "-1"
            case "revision_end": return "NULL"
            default: break
            }
        }
        return "\(common).\(SQLiteTypeTables.quote(field.name))"
    }

    /// PostgreSQL's `LIKE` is case-sensitive and SQLite's is not: `like` becomes `GLOB`
    /// (case-sensitive, and served by an index on a constant prefix); `ilike` stays
    /// SQLite's `LIKE` (case-insensitive for ASCII), with the escapes made explicit.
    private mutating func like(_ column: String, _ pattern: String, caseInsensitive: Bool) -> String {
        if caseInsensitive {
            arguments.append(SQLiteLikePattern.like(pattern).databaseValue)
            return "\(column) LIKE ? ESCAPE '\\'"
        }
        arguments.append(SQLiteLikePattern.glob(pattern).databaseValue)
        return "\(column) GLOB ?"
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

    /// An operand as its column stores it (`id` is a 16-byte blob; attribute UUIDs text).
    static func databaseValue(_ value: AttributeValue, _ field: ResourceField) -> DatabaseValue {
        switch value {
        case .uuid(let text) where field.name == "id" && !field.isCustom:
            guard let id = ResourceID(text) else { return .null }
            return SQLiteColumns.blob(id).databaseValue
        case .number(let number) where field.kind == .integer: return Int64(number).databaseValue
        default: return SQLiteTypeTables.databaseValue(value)
        }
    }
}

/// PostgreSQL `LIKE` patterns (`%`, `_`, and `\` escaping the next character) in the
/// two spellings SQLite understands.
enum SQLiteLikePattern {
    /// The same match as a case-sensitive `GLOB` pattern: `*`, `?` for the wildcards;
    /// GLOB's own metacharacters (`*`, `?`, `[`) as one-character classes.
    static func glob(_ pattern: String) -> String {
        var result = ""
        var escaped = false
        for character in pattern {
            if escaped {
                result += literal(character)
                escaped = false
                continue
            }
            switch character {
            case "\\": escaped = true
            case "%": result += "*"
            case "_": result += "?"
            default: result += literal(character)
            }
        }
        // A trailing escape (PostgreSQL refuses it; the binder too) matches itself.
        if escaped { result += "\\" }
        return result
    }

    private static func literal(_ character: Character) -> String {
        switch character {
        case "*": "[*]"
        case "?": "[?]"
        case "[": "[[]"
        default: String(character)
        }
    }

    /// The pattern for SQLite's `LIKE … ESCAPE '\'`, where only `\%`, `\_` and `\\`
    /// are escapes: any other escaped character is written plain.
    static func like(_ pattern: String) -> String {
        var result = ""
        var escaped = false
        for character in pattern {
            if escaped {
                result += "%_\\".contains(character) ? "\\\(character)" : String(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        if escaped { result += "\\\\" }
        return result
    }
}
