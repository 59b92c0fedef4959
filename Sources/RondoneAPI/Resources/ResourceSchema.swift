import RondoneIndexer
import RondoneJSON
import RondoneTimeSeries

/// The body of a resource `POST` or `PATCH`, checked as Gnocchi's `ResourceSchema`:
/// `id` (POST only, required), `started_at`, `ended_at` (`utils.to_datetime`),
/// `user_id`, `project_id` (null or a string), `metrics` (name → an existing metric's
/// UUID, or a metric definition as `POST /v1/metric` takes), and the attributes of the
/// resource's type (its required ones required on POST).
///
/// Structure is checked first, in body order, with voluptuous' messages; the metric
/// definitions are resolved afterwards (``resolveMetrics(_:in:)``), since that needs the index.
struct ResourceSchema {
    typealias Check = ArchivePolicySchemaCheck
    typealias Failure = ArchivePolicySchemaFailure

    /// A metric of the body before its archive policy is resolved.
    enum MetricEntry {
        case existing(MetricID)
        case definition(MetricCreationSchema)
    }

    /// The `id` as given (POST only).
    var id: String?
    var update = ResourceUpdate()
    var metricEntries: [(name: String, entry: MetricEntry)]?
    /// Whether the body has any key at all (an empty PATCH is an existence check).
    var isEmpty = true

    /// A required key that was missing. voluptuous reports it only after checking every
    /// present key, and Gnocchi's metric definitions answer their own errors during that
    /// check (`abort` inside `MetricSchema`), so ``parse(_:creating:now:in:)`` resolves
    /// the metrics before reporting it.
    private var missingRequiredKey: APIError?

    /// Reads and checks `document`, metrics included, in Gnocchi's order; `creating`
    /// is POST (with its required `id`).
    static func parse(
        _ document: JSONValue, type: ResourceType, creating: Bool, now: Timestamp,
        in context: ControllerContext
    )
        async throws -> (schema: ResourceSchema, metrics: [(name: String, spec: ResourceMetricSpec)]?)
    {
        let schema = try ResourceSchema(document, type: type, creating: creating, now: now)
        var metrics: [(name: String, spec: ResourceMetricSpec)]?
        if let entries = schema.metricEntries { metrics = try await resolveMetrics(entries, in: context) }
        if let missing = schema.missingRequiredKey { throw missing }
        return (schema, metrics)
    }

    /// Checks the structure of `document` (not the metrics' policies) against the
    /// common fields and `type`'s own attributes (required ones only when `creating`).
    init(_ document: JSONValue, type: ResourceType, creating: Bool, now: Timestamp) throws(APIError) {
        let keys =
            ["started_at", "ended_at", "user_id", "project_id", "metrics"] + (creating ? ["id"] : [])
            + type.attributes.map(\.name)
        var parsed = self
        do throws(Failure) {
            try Check.mapping(document, at: [], keys: keys, required: []) {
                key, value, path throws(Failure) in
                parsed.isEmpty = false
                if let attribute = type.attribute(named: key) {
                    do throws(AttributeValueSchema.Failure) {
                        parsed.update.attributes[key] = try AttributeValueSchema.value(
                            value, of: attribute.kind)
                    } catch {
                        throw Failure(error.message, path)
                    }
                    return
                }
                switch key {
                case "id": parsed.id = try Self.resourceID(value, at: path)
                case "started_at":
                    parsed.update.startedAt = .set(try Self.datetime(value, at: path, now: now))
                case "ended_at": parsed.update.endedAt = .set(try Self.datetime(value, at: path, now: now))
                case "user_id":
                    parsed.update.userID = .set(
                        try Self.optionalString(value, at: path, max: IndexLimits.identifier))
                case "project_id":
                    parsed.update.projectID = .set(
                        try Self.optionalString(value, at: path, max: IndexLimits.identifier))
                default: parsed.metricEntries = try Self.metrics(value, at: path)
                }
            }
        } catch {
            throw error.apiError
        }
        let missing =
            creating
            ? ((parsed.id == nil ? ["id"] : [])
                + type.attributes.filter { $0.required && parsed.update.attributes[$0.name] == nil }.map(
                    \.name))
            : []
        if let first = missing.first {
            parsed.missingRequiredKey = Failure("required key not provided", [.key(first)]).apiError
        }
        self = parsed
    }

    /// `metrics`: a mapping of name → UUID or definition (`MetricsSchema`).
    static func metrics(_ value: JSONValue, at path: Check.Path) throws(Failure) -> [(String, MetricEntry)] {
        guard case .object(let members) = value else { throw Failure("expected a dictionary", path) }
        var entries: [(String, MetricEntry)] = []
        for (name, definition) in members {
            let entryPath = path + [.key(name)]
            if name.unicodeScalars.count > IndexLimits.name {
                throw Failure("length of metric name must be at most \(IndexLimits.name)", entryPath)
            }
            if case .string(let text) = definition, let id = MetricLookup.parseUUID(text) {
                entries.append((name, .existing(id)))
                continue
            }
            guard case .object(let members) = definition else {
                var failure = Failure("not a valid value", entryPath)
                failure.isDictionaryValue = true
                throw failure
            }
            // `MetricSchema`, with the name Gnocchi copies in from the key; its failures
            // keep their path under the metric (`data['metrics']['cpu']['unit']`).
            var fields: [String: String] = [:]
            let given = JSONValue.object(members.filter { $0.0 != "name" })
            try Check.mapping(given, at: entryPath, keys: MetricCreationSchema.keys, required: []) {
                key, value, path throws(Failure) in
                let text = try Check.string(value, at: path, maxLength: IndexLimits.name)
                if key == "unit", text.unicodeScalars.count > Metric.maxUnitLength {
                    throw Failure("length of value must be at most \(Metric.maxUnitLength)", path)
                }
                fields[key] = text
            }
            let schema = MetricCreationSchema(
                archivePolicyName: fields["archive_policy_name"], name: name, unit: fields["unit"],
                resourceID: fields["resource_id"])
            entries.append((name, .definition(schema)))
        }
        // JSON objects may repeat a key; as Python's dict, the last one wins.
        var seen = Set<String>()
        return entries.reversed().filter { seen.insert($0.0).inserted }.reversed()
    }

    /// Resolves each metric: existing ones as they are; definitions checked as
    /// `MetricSchema` does after its schema (no `/` in the name, a policy given or found
    /// by rule), each getting a new random id.
    static func resolveMetrics(_ entries: [(name: String, entry: MetricEntry)], in context: ControllerContext)
        async throws -> [(name: String, spec: ResourceMetricSpec)]
    {
        var specs: [(name: String, spec: ResourceMetricSpec)] = []
        for (name, entry) in entries {
            switch entry {
            case .existing(let id): specs.append((name, .existing(id)))
            case .definition(let schema):
                let policy = try await schema.resolve(in: context).archivePolicyName
                specs.append(
                    (name, .new(id: MetricLookup.randomUUID(), archivePolicyName: policy, unit: schema.unit)))
            }
        }
        return specs
    }

    /// `id`: a string, checked later against the creator (`ResourceIdentifier`).
    /// Gnocchi answers other JSON types with a 500; they are refused here.
    private static func resourceID(_ value: JSONValue, at path: Check.Path) throws(Failure) -> String {
        guard case .string(let text) = value else { throw Failure("not a valid value", path) }
        return text
    }

    /// `utils.to_datetime`: what a measure timestamp may be (ISO 8601, epoch seconds, a
    /// relative time), kept at `datetime` precision.
    static func datetime(_ value: JSONValue, at path: Check.Path, now: Timestamp) throws(Failure) -> Timestamp
    {
        do throws(TimestampError) {
            let timestamp: Timestamp
            switch value {
            case .string(let text): timestamp = try Timestamp.parse(text, now: now)
            case .int(let integer): timestamp = try Timestamp(epochSeconds: Double(integer))
            case .double(let real): timestamp = try Timestamp(epochSeconds: real)
            default: throw TimestampError.unableToConvert
            }
            return timestamp.roundedToDatetimePrecision
        } catch {
            throw Failure("not a valid value", path)
        }
    }

    /// `Any(None, str)`, at most `max` characters (the index's limit; Gnocchi's column
    /// is as wide but an overflow there is a 500).
    private static func optionalString(_ value: JSONValue, at path: Check.Path, max: Int) throws(Failure)
        -> String?
    {
        switch value {
        case .null: return nil
        case .string(let text):
            guard text.unicodeScalars.count <= max else {
                throw Failure("length of value must be at most \(max)", path)
            }
            return text
        default: throw Failure("not a valid value", path)
        }
    }
}
