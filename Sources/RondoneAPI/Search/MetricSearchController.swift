import Hummingbird
import RondoneIndexer
import RondoneJSON
import RondoneQuery
import RondoneTimeSeries

/// `POST /v1/search/metric?metric_id=…`: the aggregated values of metrics that satisfy a
/// condition (``MeasurePredicate``), as Gnocchi 4.7 still serves it, answering
/// `{"<metric id>": [[timestamp, granularity, value], …]}`.
///
/// Gnocchi's order: the metrics named (unknown ids are skipped), `search metric` on
/// each, the body (400 without one), the schema, `start`, `stop`, the operators, then
/// for each metric the aggregation `aggregation` (default `mean`) at each `granularity`
/// (default: the first metric's policy granularities, kept for the others as Gnocchi
/// keeps them; 400 `Aggregation does not exist` when the policy has none), read between
/// `start` (rounded down to the granularity) and `stop`, coarsest first. A metric never
/// processed answers an empty list (Gnocchi: 400 `Metric does not exist`).
struct MetricSearchController {
    let context: ControllerContext

    func register(on routes: RouteTable) {
        let context = self.context
        routes.add(.post, "/v1/search/metric") { request, requestContext in
            return try await Self.search(request, requestContext, in: context)
        }
    }

    static func search(
        _ request: Request, _ requestContext: RondoneRequestContext, in context: ControllerContext
    )
        async throws -> Response
    {
        let query = request.queryPairs
        func last(_ name: String) -> String? { query.last { $0.name == name }?.value }
        var metrics: [Metric] = []
        for text in query where text.name == "metric_id" {
            guard let id = MetricLookup.parseUUID(text.value), !metrics.contains(where: { $0.id == id }),
                let metric = try await context.indexer.metric(id)
            else { continue }
            metrics.append(metric)
        }
        if !metrics.isEmpty {
            let identity = try requestContext.identity()
            for metric in metrics {
                try await MetricLookup.enforce("search metric", identity: identity, metric, in: context)
            }
        }
        let predicate = try await Self.predicate(request, in: context)
        let now = Timestamp.now()
        let start = try last("start").map { text throws(APIError) in try timestamp(text, "start", now: now) }
        let stop = try last("stop").map { text throws(APIError) in try timestamp(text, "stop", now: now) }
        let condition: MeasurePredicate
        do throws(MeasurePredicate.InvalidQuery) {
            condition = try MeasurePredicate.build(predicate)
        } catch {
            throw APIError.badRequest(error.message)
        }
        var granularities: [TimeDelta]?
        let given = query.filter { $0.name == "granularity" }.map(\.value)
        if !given.isEmpty {
            granularities = try given.map { text throws(APIError) in
                do throws(TimespanError) {
                    return try TimeDelta.parseTimespan(text)
                } catch {
                    throw APIError.badRequest("Invalid value for granularity")
                }
            }.sorted(by: >)
        }
        let method = last("aggregation") ?? "mean"
        var reads: [(Metric, ArchivePolicy, Aggregation, [TimeDelta])] = []
        for metric in metrics {
            let policy = try await MetricLookup.policy(of: metric, in: context)
            let chosen = granularities ?? policy.definition.map(\.granularity).sorted(by: >)
            granularities = chosen
            let aggregation = Aggregation(name: method)
            for granularity in chosen {
                guard let aggregation,
                    policy.aggregations.contains(where: {
                        $0.aggregation == aggregation && $0.granularity == granularity
                    })
                else { throw aggregationDoesNotExist(method, granularity) }
            }
            reads.append((metric, policy, aggregation!, chosen))
        }
        let requests = reads.flatMap { metric, policy, aggregation, chosen in
            chosen.map {
                SeriesRequest(
                    metric: metric.id, policy: policy, aggregation: aggregation, granularity: $0, from: start,
                    to: stop)
            }
        }
        var allSeries = try await read(requests, in: context).makeIterator()
        var members: [(String, JSONValue)] = []
        for (metric, _, _, chosen) in reads {
            var points: [JSONValue] = []
            for granularity in chosen {
                let series = allSeries.next()!
                for index in 0..<series.count where condition.matches(series.values[index]) {
                    points.append(
                        .array([
                            .string(Timestamp(nanoseconds: series.timestamps[index]).formatted(.measure)),
                            .double(granularity.seconds), .double(series.values[index]),
                        ]))
                }
            }
            members.append((metric.id.description, .array(points)))
        }
        return JSONResponse.make(.object(members))
    }

    /// The body's query, checked against Gnocchi's `MetricSearchSchema`.
    private static func predicate(_ request: Request, in context: ControllerContext) async throws
        -> SearchValue
    {
        guard let json = try await ResourceSearchRequest.body(request, in: context) else {
            throw APIError.badRequest("No query specified in body")
        }
        do throws(SearchSchemaError) {
            return try MeasurePredicate.schema.validate(SearchValue(json))
        } catch {
            throw error.apiError
        }
    }

    /// The series, read concurrently, in order.
    private static func read(_ requests: [SeriesRequest], in context: ControllerContext) async throws
        -> [Series]
    {
        do {
            return try await context.reader.read(requests)
        } catch QueryError.aggregationDoesNotExist(let metric, let method, let granularity) {
            throw APIError.badRequest(
                AggregatesSupport.aggregationDoesNotExistMessage(
                    metric: metric, method: method, granularity: granularity))
        }
    }

    private static func timestamp(_ text: String, _ name: String, now: Timestamp) throws(APIError)
        -> Timestamp
    {
        do throws(TimestampError) {
            return try Timestamp.parse(text, now: now)
        } catch {
            throw APIError.badRequest("Invalid value for \(name)")
        }
    }

    /// Gnocchi's `AggregationDoesNotExist` as this endpoint answers it (400).
    private static func aggregationDoesNotExist(_ method: String, _ granularity: TimeDelta) -> APIError {
        APIError(
            .badRequest,
            .json(
                .object([
                    ("cause", .string("Aggregation does not exist")),
                    (
                        "detail",
                        .object([
                            ("granularity", .double(granularity.seconds)),
                            ("aggregation_method", .string(method)),
                        ])
                    ),
                ])))
    }
}
