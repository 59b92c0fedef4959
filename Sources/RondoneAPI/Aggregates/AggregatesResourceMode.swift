import Hummingbird
import RondoneIndexer
import RondoneJSON
import RondoneQuery
import RondoneTimeSeries

/// The resource mode of `POST /v1/aggregates` (Gnocchi 4.7): the body names a
/// `resource_type` and a `search` (JSON or the string syntax), the operations name
/// metrics by name patterns (`(metric cpu.* mean)`), and each matching resource
/// contributes its metrics whose names match. Without `groupby` the answer is one
/// query over them all (`{"measures": {"RID": {"cpu": {"mean": …}}}}` or
/// `{"aggregated": …}`); with `groupby` one per group of resources sharing those
/// attributes' values, and with `use_history` too, per revision (``AggregatesHistory``).
struct AggregatesResourceMode {
    /// A resource-mode reference: the pattern and aggregation it came from, the
    /// resource and the metric it matched.
    struct Match {
        var key: ReferenceKey
        var resource: Resource
        var metricName: String
        var metric: MetricID
    }

    /// Thrown when no resource has a metric any pattern matches: Gnocchi's 404
    /// `Metric ['a', 'b'] does not exist` (the patterns, sorted).
    struct NoMetric: Error {}

    let context: ControllerContext
    let operation: Operation
    let arguments: AggregatesArguments
    let details: Bool
    /// The operations' references (pattern, aggregation), without repeats.
    var keys: [ReferenceKey] { operation.references }

    /// The body's `resource_type` (400 when unknown) and `search` (checked with the
    /// schema of resource searches), then the resources, grouped or not.
    static func respond(
        _ members: [(String, JSONValue)], operation: Operation, arguments: AggregatesArguments, details: Bool,
        useHistory: Bool, request: Request, requestContext: RondoneRequestContext,
        context: ControllerContext
    ) async throws -> Response {
        let mode = AggregatesResourceMode(
            context: context, operation: operation, arguments: arguments, details: details)
        guard case .string(let type)? = members.last(where: { $0.0 == "resource_type" })?.1 else {
            throw APIError.invalidInput(
                reason: "expected str for dictionary value @ data['resource_type']", path: ["resource_type"])
        }
        guard try await context.indexer.resourceType(named: type) != nil else {
            throw APIError.badRequest(IndexerError.noSuchResourceType(type).message)
        }
        let search = try await Self.search(
            members.last(where: { $0.0 == "search" })?.1, requestContext, context)
        let policy = try ResourcePolicyFilter.filter(
            "search resource", type: type, requestContext: requestContext, in: context)
        let filter = ResourceFilter.all(policy, try search?.compiled())
        let groupby = Self.groupby(request)
        let sorts = (groupby.isEmpty ? ResourceListing.defaultSorts : groupby).map { text in
            ResourceSort(
                ResourceAttribute(rawValue: text.split(separator: ":").first.map(String.init) ?? text))
        }
        do {
            if groupby.isEmpty {
                let resources = try await context.indexer.resources(
                    ResourceQuery(type: type, filter: filter, sorts: sorts))
                return JSONResponse.make(bytes: try await mode.measures(of: resources, start: nil, stop: nil))
            }
            if useHistory {
                let history = AggregatesHistory(mode: mode, groupby: groupby)
                let groups = try await history.groups(type: type, filter: filter, sorts: sorts)
                guard !groups.isEmpty else { throw NoMetric() }
                return JSONResponse.make(bytes: groups)
            }
            let resources = try await context.indexer.resources(
                ResourceQuery(type: type, filter: filter, sorts: sorts))
            var out: [UInt8] = Array("[".utf8)
            var any = false
            for (key, members) in Self.grouped(resources, by: groupby) {
                let measures: [UInt8]
                do {
                    measures = try await mode.measures(of: members, start: nil, stop: nil)
                } catch is NoMetric {
                    continue
                }
                if any { out += Array(", ".utf8) }
                any = true
                out += Array("{\"group\": ".utf8)
                JSONValue.object(key).write(into: &out)
                out += Array(", \"measures\": ".utf8) + measures + Array("}".utf8)
            }
            guard any else { throw NoMetric() }
            return JSONResponse.make(bytes: out + Array("]".utf8))
        } catch is NoMetric {
            let names = Array(Set(mode.keys.map(\.name))).sorted()
            throw APIError.notFound(
                "Metric [" + names.map { PythonRepr.string($0) }.joined(separator: ", ") + "] does not exist")
        } catch let error as IndexerError {
            throw APIError.badRequest(error.message)
        }
    }

    /// The `groupby` attributes as Gnocchi takes them: repeated arguments, sorted,
    /// each once.
    static func groupby(_ request: Request) -> [String] {
        Array(Set(request.queryPairs.filter { $0.name == "groupby" }.map(\.value))).sorted()
    }

    /// The `search` member: a filter as `POST /v1/search/resource` takes it (a mapping
    /// or the string syntax); nil for none or `{}`.
    static func search(
        _ value: JSONValue?, _ requestContext: RondoneRequestContext, _ context: ControllerContext
    ) async throws
        -> ResourceSearchFilter?
    {
        guard let value else {
            throw APIError.invalidInput(
                reason: "required key not provided @ data['search']", path: ["search"])
        }
        let document: SearchValue
        switch value {
        case .string(let text) where text.isEmpty: return nil
        case .string(let text): document = try SearchFilterString.parse(text)
        default:
            if SearchValue.exceedsLimits(value) { throw SearchValue.tooLarge }
            document = SearchValue(value)
        }
        return try ResourceSearchRequest.validated(document, requestContext, in: context)
    }

    /// Consecutive resources with the same values of `attributes` (they are sorted on
    /// them), as Python's `itertools.groupby`; each key as the resources render it.
    static func grouped(_ resources: [Resource], by attributes: [String]) -> [(
        [(String, JSONValue)], [Resource]
    )] {
        var groups: [([(String, JSONValue)], [Resource])] = []
        for resource in resources {
            let key = groupKey(resource, attributes)
            if let last = groups.last, JSONValue.object(last.0) == JSONValue.object(key) {
                groups[groups.count - 1].1.append(resource)
            } else {
                groups.append((key, [resource]))
            }
        }
        return groups
    }

    static func groupKey(_ resource: Resource, _ attributes: [String]) -> [(String, JSONValue)] {
        guard case .object(let members) = ResourceJSON.render(resource) else { return [] }
        return attributes.map { name in (name, members.first { $0.0 == name }?.1 ?? .null) }
    }

    /// Each resource's metrics that a pattern matches, in resource order, then pattern
    /// order, then metric name.
    func matches(_ resources: [Resource]) -> [Match] {
        let patterns = keys.map { ($0, FnmatchPattern($0.name)) }
        var matches: [Match] = []
        for resource in resources {
            let metrics = resource.metrics.sorted { $0.key < $1.key }
            for (key, pattern) in patterns {
                for (name, id) in metrics where pattern.matches(name) {
                    matches.append(Match(key: key, resource: resource, metricName: name, metric: id))
                }
            }
        }
        return matches
    }

    /// Gnocchi's `_get_measures_by_name`: `{"measures": …, "references": [resources]}`
    /// over the matching metrics of `resources`, read between `start` and `stop` (the
    /// query's own when nil). Throws ``NoMetric`` when nothing matches.
    func measures(of resources: [Resource], start: Timestamp?, stop: Timestamp?) async throws -> [UInt8] {
        let result = try await query(resources, start: start, stop: stop)
        var out: [UInt8] = Array(#"{"measures": "#.utf8)
        AggregatesSupport.render(result.result, into: &out)
        if details {
            out += #", "references": "#.utf8
            JSONValue.array(result.resources.map { ResourceJSON.render($0) }).write(into: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The query over the matching metrics, and the resources that had one.
    func query(_ resources: [Resource], start: Timestamp?, stop: Timestamp?) async throws
        -> (result: QueryResult, resources: [Resource])
    {
        let matches = matches(resources)
        guard !matches.isEmpty else { throw NoMetric() }
        let metrics = try await context.indexer.metrics(ids: Array(Set(matches.map(\.metric))))
        var byID: [MetricID: Metric] = [:]
        for metric in metrics { byID[metric.id] = metric }
        let policies = try await MetricLookup.policies(of: metrics, in: context)
        var references: [ResolvedReference] = []
        var used: [Resource] = []
        var seen = Set<ResourceID>()
        for match in matches {
            guard let metric = byID[match.metric] else { continue }
            references.append(
                ResolvedReference(
                    key: match.key, metric: metric.id,
                    policy: policies[metric.archivePolicyName]!,
                    resource: ResourceOutput(
                        resourceID: match.resource.id.description, metricName: match.metricName)))
            if seen.insert(match.resource.id).inserted { used.append(match.resource) }
        }
        guard !references.isEmpty else { throw NoMetric() }
        let cross = CrossMetricQuery(
            references: references, operation: operation, start: start ?? arguments.start,
            stop: stop ?? arguments.stop, granularities: arguments.granularity.map { [$0] },
            neededOverlap: arguments.neededOverlap ?? 100, fill: arguments.fill)
        do {
            return (try await cross.run(reading: AggregatesSupport.reader(context)), used)
        } catch let error as QueryError {
            throw AggregatesSupport.apiError(error, textForUnknownAggregation: false)
        }
    }
}
