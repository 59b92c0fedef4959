import RondoneJSON
import RondoneTimeSeries

/// One `definition` item as the schema leaves it: any of granularity, points and
/// timespan, not yet checked against each other.
struct ArchivePolicyItemFields {
    var granularity: TimeDelta?
    var points: Int?
    var timespan: TimeDelta?

    /// Gnocchi's `ArchivePolicyDefinitionSchema`: a non-empty list of mappings with
    /// optional `granularity` and `timespan` (timespans) and `points` (an int ≥ 1).
    static func definition(_ value: JSONValue, at path: ArchivePolicySchemaCheck.Path)
        throws(ArchivePolicySchemaFailure) -> [ArchivePolicyItemFields]
    {
        let items = try ArchivePolicySchemaCheck.list(value, at: path) {
            (item, itemPath) throws(ArchivePolicySchemaFailure) in
            var fields = ArchivePolicyItemFields()
            try ArchivePolicySchemaCheck.mapping(
                item, at: itemPath, keys: ["granularity", "points", "timespan"], required: []
            ) { (key, member, keyPath) throws(ArchivePolicySchemaFailure) in
                switch key {
                case "granularity":
                    fields.granularity = try ArchivePolicySchemaCheck.timespan(member, at: keyPath)
                case "timespan": fields.timespan = try ArchivePolicySchemaCheck.timespan(member, at: keyPath)
                default: fields.points = try ArchivePolicySchemaCheck.integer(member, atLeast: 1, at: keyPath)
                }
            }
            return fields
        }
        guard !items.isEmpty else {
            throw ArchivePolicySchemaFailure("length of value must be at least 1", path)
        }
        return items
    }

    /// The engine's item (Gnocchi's `ArchivePolicyItem`), or its 400 with a plain message.
    func item() throws(APIError) -> ArchivePolicyItem {
        do throws(ArchivePolicyError) {
            return try ArchivePolicyItem(granularity: granularity, points: points, timespan: timespan)
        } catch {
            throw error.apiError
        }
    }
}

/// The body of `POST /v1/archive_policy`, checked as Gnocchi's `ArchivePolicySchema`:
/// `name` (str) and `definition` required, `back_window` an int ≥ 0 (default 0),
/// `aggregation_methods` a list of valid method entries (default: the defaults).
struct ArchivePolicyCreationSchema {
    var name = ""
    var backWindow = 0
    var aggregationMethods: [String]?
    var definition: [ArchivePolicyItemFields] = []

    init(_ document: JSONValue) throws(APIError) {
        do throws(ArchivePolicySchemaFailure) {
            try ArchivePolicySchemaCheck.mapping(
                document, at: [], keys: ["name", "back_window", "aggregation_methods", "definition"],
                required: ["name", "definition"]
            ) { (key, member, path) throws(ArchivePolicySchemaFailure) in
                switch key {
                case "name":
                    name = try ArchivePolicySchemaCheck.string(member, at: path, maxLength: IndexLimits.name)
                case "back_window":
                    backWindow = try ArchivePolicySchemaCheck.integer(member, atLeast: 0, at: path)
                case "aggregation_methods": aggregationMethods = try Self.aggregationMethods(member, at: path)
                default: definition = try ArchivePolicyItemFields.definition(member, at: path)
                }
            }
        } catch {
            throw error.apiError
        }
    }

    /// A list whose every element is one of Gnocchi's `VALID_AGGREGATION_METHODS_VALUES`:
    /// a method, `*`, `+method` or `-method` ("not a valid value" at the first other one).
    static func aggregationMethods(_ value: JSONValue, at path: ArchivePolicySchemaCheck.Path)
        throws(ArchivePolicySchemaFailure) -> [String]
    {
        try ArchivePolicySchemaCheck.list(value, at: path) {
            (item, itemPath) throws(ArchivePolicySchemaFailure) in
            guard case .string(let entry) = item, isValidMethodEntry(entry) else {
                throw ArchivePolicySchemaFailure("not a valid value", itemPath)
            }
            return entry
        }
    }

    static func isValidMethodEntry(_ entry: String) -> Bool {
        if entry == "*" || Aggregation(name: entry) != nil { return true }
        guard entry.hasPrefix("+") || entry.hasPrefix("-") else { return false }
        return Aggregation(name: String(entry.dropFirst())) != nil
    }

    /// The policy Gnocchi's `ArchivePolicy.from_dict` builds: items first (in order),
    /// then duplicate granularities, then the methods; each refusal a 400.
    func policy() throws(APIError) -> ArchivePolicy {
        var items: [ArchivePolicyItem] = []
        for fields in definition { items.append(try fields.item()) }
        do throws(ArchivePolicyError) {
            return try ArchivePolicy(
                name: name, backWindow: backWindow, definition: items, aggregationMethods: aggregationMethods)
        } catch {
            throw error.apiError
        }
    }
}

/// The body of `PATCH /v1/archive_policy/<name>`: `definition` required, `back_window`
/// optional (an int ≥ 0), nothing else.
struct ArchivePolicyUpdateSchema {
    var definition: [ArchivePolicyItem] = []
    var backWindow: Int?

    init(_ document: JSONValue) throws(APIError) {
        var fields: [ArchivePolicyItemFields] = []
        do throws(ArchivePolicySchemaFailure) {
            try ArchivePolicySchemaCheck.mapping(
                document, at: [], keys: ["definition", "back_window"], required: ["definition"]
            ) { (key, member, path) throws(ArchivePolicySchemaFailure) in
                if key == "definition" {
                    fields = try ArchivePolicyItemFields.definition(member, at: path)
                } else {
                    backWindow = try ArchivePolicySchemaCheck.integer(member, atLeast: 0, at: path)
                }
            }
        } catch {
            throw error.apiError
        }
        for field in fields { definition.append(try field.item()) }
    }
}

extension ArchivePolicyError {
    /// Gnocchi's 400 for the refusal: a schema failure as `Invalid input`, any other as
    /// its plain message.
    var apiError: APIError {
        if case .invalidInput(let reason, let detail) = self {
            return .invalidInput(reason: reason, path: detail)
        }
        return .badRequest(message)
    }
}
