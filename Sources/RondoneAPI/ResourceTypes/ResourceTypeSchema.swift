import RondoneIndexer
import RondoneJSON
import RondoneTimeSeries

/// A resource type definition as Gnocchi 4.7 checks it: the body of
/// `POST /v1/resource_type`, or the whole type after a JSON-Patch (`forUpdate`, where
/// each attribute may carry `options.fill`).
///
/// The structure is voluptuous' `{"name": str, "attributes": {str: Any(bool, datetime,
/// number, string, uuid schemas)}}` with every key required; the attribute schemas are
/// tried in that order and the failure reported is the one with the longest path (the
/// first on a tie), as voluptuous' `Any` does. The attributes are then built in body
/// order with Gnocchi's own checks (min ≤ max, then the name, then `fill`), whose
/// failures read `Invalid input: …`.
struct ResourceTypeSchema {
    typealias Check = ArchivePolicySchemaCheck
    typealias Failure = ArchivePolicySchemaFailure

    /// One attribute as the body defines it, with its `options.fill` (update only).
    struct Definition {
        var attribute: ResourceTypeAttribute
        /// The `fill` given, checked against the kind; nil when absent or null.
        var fill: AttributeValue?
    }

    var name: String
    /// Each attribute's definition as given (structure checked), in body order; a
    /// repeated name keeps its first place and its last definition, as a Python dict.
    var attributes: [(name: String, definition: JSONValue)]
    private let forUpdate: Bool

    /// Checks `document`'s structure; `forUpdate` allows (and defaults) each attribute's
    /// `options`. Gnocchi's own checks come with ``build(_:)``.
    init(_ document: JSONValue, forUpdate: Bool) throws(Failure) {
        var name: String?
        var attributes: [(name: String, definition: JSONValue)] = []
        do {
            try Check.mapping(document, at: [], keys: ["name", "attributes"], required: ["name"]) {
                key, value, path throws(Failure) in
                if key == "name" {
                    name = try Check.string(value, at: path)
                    return
                }
                guard case .object(let members) = value else { throw Failure("expected a dictionary", path) }
                for (attributeName, definition) in members {
                    let entryPath = path + [.key(attributeName)]
                    do throws(Failure) {
                        try Self.checkStructure(definition, at: entryPath, forUpdate: forUpdate)
                    } catch {
                        // voluptuous' nested mapping: a value's own failure is "for dictionary value".
                        var failure = error
                        if failure.path.count == entryPath.count { failure.isDictionaryValue = true }
                        throw failure
                    }
                    if let index = attributes.firstIndex(where: { $0.name == attributeName }) {
                        attributes[index].definition = definition
                    } else {
                        attributes.append((attributeName, definition))
                    }
                }
            }
        }
        self.name = name ?? ""
        self.attributes = attributes
        self.forUpdate = forUpdate
    }

    /// Every attribute built, in order (a new type's schema).
    func buildAll() throws(APIError) -> [Definition] {
        var definitions: [Definition] = []
        for (name, definition) in attributes {
            definitions.append(try Self.build(name, definition, forUpdate: forUpdate))
        }
        return definitions
    }

    /// The named attribute built with Gnocchi's checks (min ≤ max, the name, `fill`).
    func build(_ name: String) throws(APIError) -> Definition {
        let definition = attributes.last { $0.name == name }?.definition ?? .null
        return try Self.build(name, definition, forUpdate: forUpdate)
    }

    /// The named attribute as the type would render it, defaults filled in.
    func rendered(_ name: String) -> JSONValue {
        let definition = attributes.last { $0.name == name }?.definition ?? .null
        return Self.rendered(definition)
    }

    // MARK: Structure (voluptuous)

    /// The five attribute schemas in the order Gnocchi's extension manager lists them.
    private static let kinds = ["bool", "datetime", "number", "string", "uuid"]

    /// `Any(*schemas)`: passes when one kind's schema passes. When none does, the
    /// failure reported is the one of the kind the definition names, if it names one —
    /// a departure: voluptuous reports the failure with the longest path, which for a
    /// `string` with a bad `max_length` is `bool`'s "not a valid value" on `type`.
    private static func checkStructure(_ value: JSONValue, at path: Check.Path, forUpdate: Bool)
        throws(Failure)
    {
        var best: Failure?
        for kind in kinds {
            do throws(Failure) {
                try checkKind(kind, value, at: path, forUpdate: forUpdate)
                return
            } catch {
                if typeName(value) == kind {
                    best = error
                    break
                }
                if best == nil || error.path.count > best!.path.count { best = error }
            }
        }
        if let best { throw best }
    }

    /// One kind's mapping: `type` (that literal), `required` (bool), the kind's limits,
    /// and `options` (`{fill: anything}`) for an update. Missing keys have defaults,
    /// except `type`.
    private static func checkKind(_ kind: String, _ value: JSONValue, at path: Check.Path, forUpdate: Bool)
        throws(Failure)
    {
        var keys = ["type", "required"]
        switch kind {
        case "string": keys += ["min_length", "max_length"]
        case "number": keys += ["min", "max"]
        default: break
        }
        if forUpdate { keys.append("options") }
        try Check.mapping(value, at: path, keys: keys, required: ["type"]) {
            key, member, keyPath throws(Failure) in
            switch key {
            case "type":
                guard case .string(let text) = member, text == kind else {
                    throw Failure("not a valid value", keyPath)
                }
            case "required":
                guard case .bool = member else { throw Failure("expected bool", keyPath) }
            case "min_length": _ = try integer(member, in: 0...256, at: keyPath)
            case "max_length": _ = try integer(member, in: 1...256, at: keyPath)
            case "min", "max":
                // `Any(None, numbers.Real)`: both fail at the same path, so the first
                // alternative's message is reported.
                guard number(member) != nil || member == .null else {
                    throw Failure("not a valid value", keyPath)
                }
            default:
                try Check.mapping(member, at: keyPath, keys: ["fill"], required: []) {
                    _, _, _ throws(Failure) in
                }
            }
        }
    }

    /// `All(int, Range(min, max))`; Python's `int` includes `bool`.
    private static func integer(_ value: JSONValue, in range: ClosedRange<Int>, at path: Check.Path)
        throws(Failure) -> Int
    {
        let integer: Int
        switch value {
        case .int(let number) where number >= Int64(Int.min) && number <= Int64(Int.max):
            integer = Int(number)
        case .bool(let flag): integer = flag ? 1 : 0
        default: throw Failure("expected int", path)
        }
        guard integer >= range.lowerBound else {
            throw Failure("value must be at least \(range.lowerBound)", path)
        }
        guard integer <= range.upperBound else {
            throw Failure("value must be at most \(range.upperBound)", path)
        }
        return integer
    }

    /// A JSON number as `numbers.Real` sees it (booleans are integers in Python).
    static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .int(let integer): Double(integer)
        case .double(let real): real
        case .bool(let flag): flag ? 1 : 0
        default: nil
        }
    }

    // MARK: Building (Gnocchi's attribute classes)

    private static func member(_ definition: JSONValue, _ key: String) -> JSONValue? {
        guard case .object(let members) = definition else { return nil }
        return members.last { $0.0 == key }?.1
    }

    /// Builds one checked definition, with Gnocchi's `InvalidResourceAttribute` checks.
    private static func build(_ name: String, _ definition: JSONValue, forUpdate: Bool) throws(APIError)
        -> Definition
    {
        let typeName = Self.typeName(definition)
        let required = Self.required(definition)
        let kind: AttributeKind
        switch typeName {
        case "string":
            let minLength = member(definition, "min_length").flatMap(integerValue) ?? 0
            let maxLength = member(definition, "max_length").flatMap(integerValue) ?? 256
            guard minLength <= maxLength else { throw invalidBounds(String(minLength), String(maxLength)) }
            kind = .string(minLength: minLength, maxLength: maxLength)
        case "number":
            let minimum = member(definition, "min") ?? .null
            let maximum = member(definition, "max") ?? .null
            let low = number(minimum)
            let high = number(maximum)
            if let low, let high, low > high {
                throw invalidBounds(PythonRepr.repr(minimum), PythonRepr.repr(maximum))
            }
            kind = .number(min: low, max: high)
        case "uuid": kind = .uuid
        case "datetime": kind = .datetime
        default: kind = .bool
        }
        guard ResourceTypeAttribute.isValidName(name) else {
            throw APIError.badRequest("Invalid input: Resource attribute name \(name) is invalid")
        }
        var fill: AttributeValue?
        if forUpdate {
            let given = member(definition, "options").flatMap { member($0, "fill") }
            if let given, given != .null {
                do throws(AttributeValueSchema.Failure) {
                    fill = try AttributeValueSchema.value(given, of: kind)
                } catch {
                    throw invalidOption(name, error.message)
                }
            } else if required {
                throw invalidOption(name, "must not be empty if required=True")
            }
        }
        return Definition(
            attribute: ResourceTypeAttribute(name: name, kind: kind, required: required), fill: fill)
    }

    private static func typeName(_ definition: JSONValue) -> String {
        if case .string(let name)? = member(definition, "type") { return name }
        return ""
    }

    private static func required(_ definition: JSONValue) -> Bool {
        if case .bool(let flag)? = member(definition, "required") { return flag }
        return true
    }

    /// A checked definition as `jsonify` renders it: type, required, then the limits
    /// with their defaults.
    private static func rendered(_ definition: JSONValue) -> JSONValue {
        let typeName = typeName(definition)
        var members: [(String, JSONValue)] = [
            ("type", .string(typeName)), ("required", .bool(required(definition))),
        ]
        switch typeName {
        case "string":
            members.append(
                ("max_length", .int(Int64(member(definition, "max_length").flatMap(integerValue) ?? 256))))
            members.append(
                ("min_length", .int(Int64(member(definition, "min_length").flatMap(integerValue) ?? 0))))
        case "number":
            members.append(("min", renderedBound(member(definition, "min") ?? .null)))
            members.append(("max", renderedBound(member(definition, "max") ?? .null)))
        default: break
        }
        return .object(members)
    }

    private static func integerValue(_ value: JSONValue) -> Int? {
        switch value {
        case .int(let integer): Int(integer)
        case .bool(let flag): flag ? 1 : 0
        default: nil
        }
    }

    /// A number bound as given (an integer stays an integer), null when absent.
    private static func renderedBound(_ value: JSONValue) -> JSONValue {
        if case .bool(let flag) = value { return .int(flag ? 1 : 0) }
        return value
    }

    private static func invalidBounds(_ minimum: String, _ maximum: String) -> APIError {
        // Gnocchi's message has the two spaces before "than".
        .badRequest(
            "Invalid input: Resource attribute value min (or min_length) \(minimum) must be less  than or "
                + "equal to max (or max_length) \(maximum)!")
    }

    private static func invalidOption(_ name: String, _ reason: String) -> APIError {
        .badRequest("Invalid input: Option 'fill' of resource attribute \(name) is invalid: \(reason)")
    }
}
