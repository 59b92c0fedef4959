import Hummingbird
import RondoneJSON
import RondoneTimeSeries

/// The small part of voluptuous that the archive policy and rule schemas use, with its
/// messages: a mapping reports its keys in the order the body gives them (unknown key:
/// "extra keys not allowed"), then its missing required keys; a value's own failure gets
/// " for dictionary value", a nested one keeps its deeper path. Gnocchi shows only the
/// first failure, so checking stops there.
struct ArchivePolicySchemaFailure: Error {
    /// One step of the path to the failing value: a mapping key or a list index.
    enum Step {
        case key(String)
        case index(Int)

        /// As voluptuous prints the step inside `data[...]` (Python's `repr`).
        var repr: String {
            switch self {
            case .key(let key): PythonRepr.string(key)
            case .index(let index): String(index)
            }
        }

        /// As Gnocchi lists the step in `detail` (Python's `str`).
        var text: String {
            switch self {
            case .key(let key): key
            case .index(let index): String(index)
            }
        }
    }

    var message: String
    var path: [Step]
    var isDictionaryValue = false

    init(_ message: String, _ path: [Step]) {
        self.message = message
        self.path = path
    }

    /// `str(voluptuous.Invalid)`.
    var reason: String {
        var text = message
        if isDictionaryValue { text += " for dictionary value" }
        if !path.isEmpty { text += " @ data[" + path.map(\.repr).joined(separator: "][") + "]" }
        return text
    }

    /// Gnocchi's 400: `{"cause": "Invalid input", "reason": ..., "detail": [...]}`.
    var apiError: APIError { .invalidInput(reason: reason, path: path.map(\.text)) }
}

/// The voluptuous checks themselves, each throwing Gnocchi's message at `path`.
enum ArchivePolicySchemaCheck {
    typealias Failure = ArchivePolicySchemaFailure
    typealias Path = [ArchivePolicySchemaFailure.Step]

    /// A mapping with exactly `keys` (`required` among them); `check` sees each present
    /// key in body order with its value and path.
    static func mapping(
        _ value: JSONValue, at path: Path, keys: [String], required: [String],
        _ check: (String, JSONValue, Path) throws(Failure) -> Void
    ) throws(Failure) {
        guard case .object(let members) = value else { throw Failure("expected a dictionary", path) }
        for (key, member) in members {
            let keyPath = path + [.key(key)]
            guard keys.contains(key) else { throw Failure("extra keys not allowed", keyPath) }
            do {
                try check(key, member, keyPath)
            } catch {
                var failure = error
                if failure.path.count == keyPath.count { failure.isDictionaryValue = true }
                throw failure
            }
        }
        for key in required where !members.contains(where: { $0.0 == key }) {
            throw Failure("required key not provided", path + [.key(key)])
        }
    }

    /// `str`: a JSON string.
    static func string(_ value: JSONValue, at path: Path) throws(Failure) -> String {
        guard case .string(let text) = value else { throw Failure("expected str", path) }
        return text
    }

    /// A string of at most `maxLength` characters: a name the index stores (its limits
    /// are in ``IndexLimits``), refused in voluptuous' `Length` words when longer.
    static func string(_ value: JSONValue, at path: Path, maxLength: Int) throws(Failure) -> String {
        let text = try string(value, at: path)
        guard text.unicodeScalars.count <= maxLength else {
            throw Failure("length of value must be at most \(maxLength)", path)
        }
        return text
    }

    /// `All(Coerce(int), Range(min=minimum))`: Python's `int()` of a number, a boolean or
    /// a decimal string, then the bound.
    static func integer(_ value: JSONValue, atLeast minimum: Int, at path: Path) throws(Failure) -> Int {
        let number: Int?
        switch value {
        case .int(let integer): number = Int(integer)
        case .bool(let flag): number = flag ? 1 : 0
        case .double(let real):
            // int(nan) is a ValueError ("expected int"); int(inf) an OverflowError that
            // Gnocchi lets through as a 500: refused the same way here.
            let truncated = real.rounded(.towardZero)
            number =
                truncated.isFinite && truncated > -9.2e18 && truncated < 9.2e18 ? Int(truncated) : nil
        case .string(let text): number = PaginationOptions.pythonInt(text)
        default: number = nil
        }
        guard let number else { throw Failure("expected int", path) }
        guard number >= minimum else { throw Failure("value must be at least \(minimum)", path) }
        return number
    }

    /// Gnocchi's `Timespan` validator (`utils.to_timespan`): a number of seconds, or a
    /// string holding one or a pytimeparse duration; must be positive.
    static func timespan(_ value: JSONValue, at path: Path) throws(Failure) -> TimeDelta {
        if case .null = value { throw Failure("Invalid timespan", path) }
        do throws(TimespanError) {
            return try span(value)
        } catch {
            throw Failure(error.message, path)
        }
    }

    private static func span(_ value: JSONValue) throws(TimespanError) -> TimeDelta {
        switch value {
        case .int(let integer): try TimeDelta(timespanSeconds: Double(integer))
        case .double(let real): try TimeDelta(timespanSeconds: real)
        case .bool(let flag): try TimeDelta(timespanSeconds: flag ? 1 : 0)
        case .string(let text): try TimeDelta.parseTimespan(text)
        // Gnocchi fails with a 500 on a list or an object; refused as unparsable here.
        case .null, .array, .object: throw .unableToParse
        }
    }

    /// `[validator]`: a JSON array, each element checked by `element`.
    static func list<Element>(
        _ value: JSONValue, at path: Path, _ element: (JSONValue, Path) throws(Failure) -> Element
    ) throws(Failure) -> [Element] {
        guard case .array(let items) = value else { throw Failure("expected a list", path) }
        var result: [Element] = []
        result.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            result.append(try element(item, path + [.index(index)]))
        }
        return result
    }
}
