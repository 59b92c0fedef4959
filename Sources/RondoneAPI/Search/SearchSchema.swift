import RondoneJSON

/// A schema in the style of voluptuous, the validation library Gnocchi checks search
/// filters with, evaluated with its rules so that a refused filter gets the same
/// `reason` and `detail` as from Gnocchi: which alternative's error an `Any` reports
/// (the deepest, else the first), when an error says `for dictionary value` (raised at
/// a mapping's value itself), which item of a list is blamed (the first, unless a later
/// one fails deeper), and that a mapping key no schema key accepts reports the key
/// check's own error.
///
/// Only the validators the two search schemas use are here (``ResourceSearchSchema``,
/// ``MetricSearchSchema``). Validation recurses along the value, so callers check
/// ``SearchValue/exceedsLimits(_:)`` first.
indirect enum SearchSchema: Sendable {
    /// Python's `isinstance` check: `expected str` (an `int` accepts booleans, as in Python).
    case type(PythonType)
    /// Equality with a constant: `not a valid value`.
    case literal(SearchValue)
    /// The first alternative that accepts the value.
    case any([SearchSchema])
    /// Every schema in turn, each on the previous one's output.
    case all([SearchSchema])
    /// `len(value)` within bounds; a value without a length is `invalid value or type`.
    case length(min: Int?, max: Int?)
    /// A mapping whose keys are each accepted by one key schema; literal keys are tried
    /// first, then the others in order.
    case mapping([(key: SearchSchema, value: SearchSchema)])
    /// A list whose items are each accepted by one of the schemas.
    case sequence([SearchSchema])
    /// `value must not be one of [...]`.
    case notIn([String])
    /// A conversion (Gnocchi's `ResourceUUID`): the converted value, or the error's message.
    case function(@Sendable (SearchValue) -> Result<SearchValue, SearchSchemaError>)
    /// A schema built when used, for recursion.
    case lazy(@Sendable () -> SearchSchema)

    /// The Python types the schemas test for.
    enum PythonType: String, Sendable {
        case str, float, int, bool
    }

    /// The value as validated (converted where a ``function(_:)`` converts), or the
    /// first error voluptuous would report.
    func validate(_ value: SearchValue) throws(SearchSchemaError) -> SearchValue {
        try validate(value, at: [])
    }

    private func validate(_ value: SearchValue, at path: [SearchValue]) throws(SearchSchemaError)
        -> SearchValue
    {
        switch self {
        case .type(let type):
            guard Self.isInstance(value, of: type) else {
                throw SearchSchemaError("expected \(type.rawValue)", path)
            }
            return value
        case .literal(let constant):
            guard value == constant else { throw SearchSchemaError("not a valid value", path) }
            return value
        case .any(let alternatives):
            var best: SearchSchemaError?
            for alternative in alternatives {
                do throws(SearchSchemaError) {
                    return try alternative.validate(value, at: path)
                } catch {
                    if best == nil || error.path.count > best!.path.count { best = error }
                }
            }
            throw best ?? SearchSchemaError("no valid value", path)
        case .all(let schemas):
            var current = value
            for schema in schemas { current = try schema.validate(current, at: path) }
            return current
        case .length(let min, let max):
            guard let count = Self.length(value) else {
                throw SearchSchemaError("invalid value or type", path)
            }
            if let min, count < min {
                throw SearchSchemaError("length of value must be at least \(min)", path)
            }
            if let max, count > max {
                throw SearchSchemaError("length of value must be at most \(max)", path)
            }
            return value
        case .mapping(let entries):
            return try Self.validateMapping(value, entries, at: path)
        case .sequence(let alternatives):
            return try Self.validateSequence(value, alternatives, at: path)
        case .notIn(let excluded):
            if case .string(let text) = value, excluded.contains(text) {
                let listed = excluded.sorted().map(PythonRepr.string).joined(separator: ", ")
                throw SearchSchemaError("value must not be one of [\(listed)]", path)
            }
            return value
        case .function(let convert):
            switch convert(value) {
            case .success(let converted): return converted
            case .failure(var error):
                error.path = path + error.path
                throw error
            }
        case .lazy(let make):
            return try make().validate(value, at: path)
        }
    }

    /// voluptuous's `validate_mapping`: every key is checked (the first error is reported).
    private static func validateMapping(
        _ value: SearchValue, _ entries: [(key: SearchSchema, value: SearchSchema)], at path: [SearchValue]
    ) throws(SearchSchemaError) -> SearchValue {
        guard case .object(let members) = value else {
            throw SearchSchemaError("expected a dictionary", path)
        }
        let literals = entries.filter { if case .literal = $0.key { true } else { false } }
        let others = entries.filter { if case .literal = $0.key { false } else { true } }
        var errors: [SearchSchemaError] = []
        var output: [SearchValue.Member] = []
        for member in members {
            let keyPath = path + [member.key]
            let candidates =
                literals.filter {
                    if case .literal(let constant) = $0.key { constant == member.key } else { false }
                }
                + others
            var keyError: SearchSchemaError?
            var matched = false
            for candidate in candidates {
                let key: SearchValue
                do throws(SearchSchemaError) {
                    key = try candidate.key.validate(member.key, at: keyPath)
                } catch {
                    if error.path.count > keyPath.count { throw error }
                    if keyError == nil || error.path.count > keyError!.path.count { keyError = error }
                    continue
                }
                matched = true
                do throws(SearchSchemaError) {
                    output.append(
                        .init(key: key, value: try candidate.value.validate(member.value, at: keyPath)))
                } catch {
                    var error = error
                    if error.path.count <= keyPath.count { error.errorType = "dictionary value" }
                    errors.append(error)
                }
                break
            }
            if !matched { errors.append(keyError ?? SearchSchemaError("extra keys not allowed", keyPath)) }
        }
        if let first = errors.first { throw first }
        return .object(output)
    }

    /// voluptuous's `validate_sequence`: the first failing item is reported, unless a
    /// later item fails deeper than itself, which is reported at once.
    private static func validateSequence(
        _ value: SearchValue, _ alternatives: [SearchSchema], at path: [SearchValue]
    ) throws(SearchSchemaError) -> SearchValue {
        guard case .list(let items) = value else { throw SearchSchemaError("expected a list", path) }
        var firstError: SearchSchemaError?
        var output: [SearchValue] = []
        for (index, item) in items.enumerated() {
            let indexPath = path + [.int(Int64(index))]
            var itemError: SearchSchemaError?
            var accepted = false
            for alternative in alternatives {
                do throws(SearchSchemaError) {
                    output.append(try alternative.validate(item, at: indexPath))
                    accepted = true
                    break
                } catch {
                    if error.path.count > indexPath.count { throw error }
                    itemError = error
                }
            }
            if !accepted, firstError == nil { firstError = itemError }
        }
        if let firstError { throw firstError }
        return .list(output)
    }

    private static func isInstance(_ value: SearchValue, of type: PythonType) -> Bool {
        switch (type, value) {
        case (.str, .string), (.float, .double), (.int, .int), (.int, .bool), (.bool, .bool): true
        default: false
        }
    }

    /// Python's `len()`, nil for a value that has none.
    private static func length(_ value: SearchValue) -> Int? {
        switch value {
        case .string(let text): text.unicodeScalars.count
        case .list(let items): items.count
        case .object(let members): members.count
        default: nil
        }
    }
}

/// A filter refused by a ``SearchSchema``: voluptuous's `Invalid`, printed as Gnocchi
/// puts it in `reason` (`expected a list for dictionary value @ data['and']`), with the
/// path as `detail`.
struct SearchSchemaError: Error, Equatable, Sendable {
    var message: String
    var path: [SearchValue]
    /// `dictionary value` when the error was raised at a mapping's value itself.
    var errorType: String?

    init(_ message: String, _ path: [SearchValue] = []) {
        self.message = message
        self.path = path
    }

    /// voluptuous's `str(Invalid)`.
    var reason: String {
        var text = message
        if let errorType { text += " for " + errorType }
        if !path.isEmpty { text += " @ data[" + path.map(\.pythonRepr).joined(separator: "][") + "]" }
        return text
    }

    /// Gnocchi's 400: `{"cause": "Invalid input", "reason": ..., "detail": [path...]}`.
    var apiError: APIError { .invalidInput(reason: reason, path: path.map(\.pythonString)) }
}
