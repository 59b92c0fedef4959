import RondoneTimeSeries

/// A field a bound filter or a sort names: one of the common columns, or one of the
/// searched type's own attributes.
package struct ResourceField: Hashable, Sendable {
    /// The value type a field's operands are converted to (Gnocchi's column types).
    package enum Kind: Hashable, Sendable {
        case uuid, string, number, integer, bool, datetime
    }

    package var name: String
    package var kind: Kind
    /// One of the type's own attributes (in its table) rather than a common column.
    package var isCustom: Bool

    /// The common columns of a resource, as Gnocchi's `resource` model has them
    /// (`revision` and `revision_end` only exist in history searches).
    package static func common(_ name: String, history: Bool) -> ResourceField? {
        let kind: Kind
        switch name {
        case "id": kind = .uuid
        case "type", "creator", "original_resource_id", "user_id", "project_id": kind = .string
        case "started_at", "ended_at", "revision_start": kind = .datetime
        case "revision" where history: kind = .integer
        case "revision_end" where history: kind = .datetime
        default: return nil
        }
        return ResourceField(name: name, kind: kind, isCustom: false)
    }

    /// `name` resolved against `type` (common fields first, as Gnocchi's mapper).
    package static func resolve(_ name: String, in type: ResourceType, history: Bool) -> ResourceField? {
        if let common = common(name, history: history) { return common }
        guard let attribute = type.attribute(named: name) else { return nil }
        let kind: Kind =
            switch attribute.kind {
            case .string: .string
            case .uuid: .uuid
            case .number: .number
            case .bool: .bool
            case .datetime: .datetime
            }
        return ResourceField(name: name, kind: kind, isCustom: true)
    }
}

/// A ``ResourceFilter`` bound to the searched type: every name resolved to a field and
/// every operand converted to the field's type, so a driver compiles it without any
/// further check. Built by ``ResourceFilter/bound(to:history:now:)``.
package indirect enum BoundResourceFilter: Hashable, Sendable {
    case and([BoundResourceFilter])
    case or([BoundResourceFilter])
    case not(BoundResourceFilter)
    /// The operand is of the field's type, or null (`=` / `!=` test for null; any other
    /// operator with null is SQL's unknown, as in Gnocchi).
    case compare(ResourceField, ResourceFilter.ComparisonOperator, AttributeValue)
    /// Never empty (an empty `in` binds to ``unknown``).
    case `in`(ResourceField, [AttributeValue])
    /// A text field against a LIKE pattern with PostgreSQL's escape (`\`).
    case like(ResourceField, pattern: String, caseInsensitive: Bool)
    /// `ended_at - started_at <op> nanoseconds`; with `!=` an unended resource matches.
    case lifespan(ResourceFilter.ComparisonOperator, nanoseconds: Int64)
    /// `created_by_user_id` / `created_by_project_id` (the part of `creator` before or
    /// after its first `:`): equality, its negation, or a LIKE pattern on that part.
    case createdBy(CreatorPart, CreatorTest)
    case visibleTo(project: String)
    /// SQL's NULL: neither true nor false, and so is its negation (Gnocchi's empty `in`).
    case unknown

    package enum CreatorPart: String, Hashable, Sendable {
        case user = "created_by_user_id"
        case project = "created_by_project_id"
    }

    package enum CreatorTest: Hashable, Sendable {
        case equals(String), differs(String), like(String)
    }
}

extension ResourceFilter {
    /// This filter bound to `type` (``BoundResourceFilter``), with Gnocchi's refusals:
    /// `queryAttributeError` for a name the type does not have, `queryValueError` for an
    /// operand its field's converter refuses. `now` anchors relative times (`-1 hour`).
    package func bound(to type: ResourceType, history: Bool, now: Timestamp) throws(IndexerError)
        -> BoundResourceFilter
    {
        switch self {
        case .and(let terms):
            return .and(
                try terms.map { term throws(IndexerError) in
                    try term.bound(to: type, history: history, now: now)
                })
        case .or(let terms):
            return .or(
                try terms.map { term throws(IndexerError) in
                    try term.bound(to: type, history: history, now: now)
                })
        case .not(let term): return .not(try term.bound(to: type, history: history, now: now))
        case .visibleTo(let project): return .visibleTo(project: project)
        case .lifespan(let op, let seconds):
            return .lifespan(op, nanoseconds: Self.microsecondNanoseconds(seconds))
        case .compare(let name, let op, let value):
            if name == "lifespan" {
                guard let seconds = Self.timespanSeconds(value) else {
                    throw .queryValueError(value: value.pythonStr, field: name)
                }
                return .lifespan(op, nanoseconds: Self.microsecondNanoseconds(seconds))
            }
            if let part = BoundResourceFilter.CreatorPart(rawValue: name) {
                switch op {
                case .eq: return .createdBy(part, .equals(value.pythonStr))
                case .ne: return .createdBy(part, .differs(value.pythonStr))
                default: throw .queryValueError(value: value.pythonStr, field: name)
                }
            }
            let field = try Self.field(name, type, history)
            return .compare(field, op, try Self.convert(value, to: field, now: now))
        case .in(let name, let values):
            if name == "lifespan" || BoundResourceFilter.CreatorPart(rawValue: name) != nil {
                throw .queryValueError(
                    value: "[" + values.map(\.pythonRepr).joined(separator: ", ") + "]", field: name)
            }
            let field = try Self.field(name, type, history)
            var converted: [AttributeValue] = []
            for value in values {
                do {
                    converted.append(try Self.convert(value, to: field, now: now))
                } catch {
                    // Gnocchi prints the whole list when one item fails.
                    throw .queryValueError(
                        value: "[" + values.map(\.pythonRepr).joined(separator: ", ") + "]", field: name)
                }
            }
            return converted.isEmpty ? .unknown : .in(field, converted)
        case .like(let name, let pattern, let caseInsensitive):
            if let part = BoundResourceFilter.CreatorPart(rawValue: name) {
                return .createdBy(part, .like(pattern))
            }
            if name == "lifespan" { throw .queryValueError(value: pattern, field: name) }
            let field = try Self.field(name, type, history)
            // Text columns only: Gnocchi's converters refuse most patterns for the others,
            // and PostgreSQL has no LIKE for what they would accept.
            guard field.kind == .string || (field.kind == .uuid && field.isCustom), Self.isValidLike(pattern)
            else { throw .queryValueError(value: pattern, field: name) }
            return .like(field, pattern: pattern, caseInsensitive: caseInsensitive)
        }
    }

    private static func field(_ name: String, _ type: ResourceType, _ history: Bool) throws(IndexerError)
        -> ResourceField
    {
        guard let field = ResourceField.resolve(name, in: type, history: history) else {
            throw .queryAttributeError(type: type.name, attribute: name)
        }
        return field
    }

    /// Gnocchi's `QueryTransformer` converters: `to_datetime`, `str`, `int`, `float`;
    /// UUIDs as the UUID column type parses them; booleans as SQLAlchemy's `Boolean`
    /// accepts them (True, False, 1, 0).
    package static func convert(
        _ value: AttributeValue, to field: ResourceField, now: Timestamp
    ) throws(IndexerError) -> AttributeValue {
        if value.isNull { return .null }
        let refused = IndexerError.queryValueError(value: value.pythonStr, field: field.name)
        switch (field.kind, value) {
        case (.string, _): return .string(value.pythonStr)
        case (.uuid, .uuid(let text)), (.uuid, .string(let text)):
            guard let id = ResourceID(text) else { throw refused }
            return .uuid(id.description)
        case (.number, .number), (.integer, .number): break
        case (.number, .string(let text)):
            guard let number = Array(text.utf8).withUnsafeBufferPointer(PythonFloatGrammar.parse) else {
                throw refused
            }
            return .number(number)
        case (.integer, .string(let text)):
            guard let number = Int64(Substring(text).trimmingPythonWhitespace()) else { throw refused }
            return .number(Double(number))
        case (.number, .bool(let flag)), (.integer, .bool(let flag)): return .number(flag ? 1 : 0)
        case (.bool, .bool): return value
        case (.bool, .number(let number)) where number == 0 || number == 1: return .bool(number == 1)
        case (.datetime, .datetime(let time)): return .datetime(time.roundedToDatetimePrecision)
        case (.datetime, .number(let seconds)):
            guard let time = try? Timestamp(epochSeconds: seconds) else { throw refused }
            return .datetime(time.roundedToDatetimePrecision)
        case (.datetime, .bool(let flag)):
            return .datetime(Timestamp(nanoseconds: flag ? 1_000_000_000 : 0))
        case (.datetime, .string(let text)):
            guard let time = try? Timestamp.parse(text, now: now) else { throw refused }
            return .datetime(time.roundedToDatetimePrecision)
        default: throw refused
        }
        // Numbers: `int()` truncates toward zero and refuses NaN and infinities.
        guard case .number(let number) = value else { throw refused }
        if field.kind == .integer {
            guard number.isFinite, number.magnitude < 9.2e18 else { throw refused }
            return .number(number.rounded(.towardZero))
        }
        return value
    }

    /// `utils.to_timespan`: seconds as a number, or text Python's `float` or pytimeparse
    /// read; it must be positive.
    private static func timespanSeconds(_ value: AttributeValue) -> Double? {
        let seconds: Double
        switch value {
        case .number(let number): seconds = number
        case .bool(let flag): seconds = flag ? 1 : 0
        case .string(let text):
            guard let delta = try? TimeDelta.parseTimespan(text) else { return nil }
            return Double(delta.nanoseconds) / 1e9
        default: return nil
        }
        return seconds > 0 && seconds.isFinite ? seconds : nil
    }

    /// Seconds as Python's `timedelta` keeps them: whole microseconds.
    private static func microsecondNanoseconds(_ seconds: Double) -> Int64 {
        let microseconds = (seconds * 1e6).rounded(.toNearestOrEven)
        guard microseconds.magnitude < 9e15 else { return microseconds < 0 ? Int64.min / 2 : Int64.max / 2 }
        return Int64(microseconds) * 1000
    }

    /// PostgreSQL refuses a pattern that ends with its escape character.
    private static func isValidLike(_ pattern: String) -> Bool {
        var escaped = false
        for character in pattern {
            escaped = !escaped && character == "\\"
        }
        return !escaped
    }
}

extension AttributeValue {
    /// Python's `str()` of the operand (what `%s` prints and `str()` converts to).
    var pythonStr: String {
        switch self {
        case .string(let text), .uuid(let text): text
        default: pythonRepr
        }
    }

    /// Python's `repr()` of the operand, as a list prints its items.
    var pythonRepr: String {
        switch self {
        case .null: "None"
        case .string(let text): pythonStringRepr(text)
        case .uuid(let text): pythonStringRepr(text)
        case .bool(let flag): flag ? "True" : "False"
        case .number(let number):
            if number.isNaN {
                "nan"
            } else if number.isInfinite {
                number < 0 ? "-inf" : "inf"
            } else {
                number.description
            }
        case .datetime(let time): time.formatted(.datetime)
        }
    }
}
