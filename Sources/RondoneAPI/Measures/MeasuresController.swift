import Hummingbird
import RondoneIndexer
import RondoneProcessing
import RondoneQuery
import RondoneStorage
import RondoneTimeSeries

/// `/v1/metric/{id}/measures`: POST stores measures durably in the incoming store and
/// answers 202 (metricd aggregates them later; measures older than the back window are
/// accepted and dropped then, as Gnocchi does); GET reads the stored aggregates, after
/// processing the waiting measures first with `refresh=true`.
struct MeasuresController {
    let context: ControllerContext

    func register(on routes: RouteTable) {
        let context = self.context
        routes.add(.post, "/v1/metric/{id}/measures") { request, requestContext in
            let metric = try await MetricLookup.metric(requestContext.pathParameter("id"), in: context)
            return try await Self.post(request, requestContext, metric, in: context)
        }
        routes.add(.get, "/v1/metric/{id}/measures") { request, requestContext in
            let metric = try await MetricLookup.metric(requestContext.pathParameter("id"), in: context)
            return try await Self.get(request, requestContext, metric, in: context)
        }
    }

    /// `POST …/measures` once the metric is found (by id, or by name on a resource).
    static func post(
        _ request: Request, _ requestContext: RondoneRequestContext, _ metric: Metric,
        in context: ControllerContext
    ) async throws -> Response {
        let identity = try requestContext.identity()
        try await MetricLookup.enforce("post measures", identity: identity, metric, in: context)
        try request.requireJSONContentType()
        let body = try await request.collectBody(upTo: context.configuration.maxBodySize)
        let measures = try MeasuresParser.measures(body.readableBytesView, now: .now())
        try await store([(metric.id, measures)], in: context)
        return JSONResponse.empty(.accepted)
    }

    /// `GET …/measures` once the metric is found.
    static func get(
        _ request: Request, _ requestContext: RondoneRequestContext, _ metric: Metric,
        in context: ControllerContext
    ) async throws -> Response {
        let identity = try requestContext.identity()
        try await MetricLookup.enforce("get measures", identity: identity, metric, in: context)
        let policy = try await MetricLookup.policy(of: metric, in: context)
        let query = try MeasuresQuery(
            query: request.queryPairs, metric: metric.id, policy: policy, now: .now())
        return JSONResponse.make(bytes: try await read(metric.id, policy: policy, query, in: context))
    }

    /// Makes the measures durable (the 202 comes only after this returns), then wakes
    /// metricd. Empty lists store nothing, as in Gnocchi.
    static func store(_ batches: [(MetricID, Measures)], in context: ControllerContext) async throws {
        let nonEmpty = batches.filter { !$0.1.isEmpty }.map { IncomingBatch(metric: $0.0, measures: $0.1) }
        guard !nonEmpty.isEmpty else { return }
        try await context.incoming.add(nonEmpty)
        context.wake()
    }

    /// Processes the metric's waiting measures now (`refresh=true`), or Gnocchi's 503
    /// when another worker holds its sack for longer than the refresh timeout.
    static func refresh(_ metric: MetricID, in context: ControllerContext) async throws {
        do {
            try await context.refresh.refresh(metric)
        } catch ProcessingError.metricLocked {
            throw APIError(
                .serviceUnavailable,
                "Unable to refresh metric: \(metric). Metric is locked. Please try again.")
        }
    }

    /// The aggregates asked for, rendered.
    static func read(
        _ metric: MetricID, policy: ArchivePolicy, _ query: MeasuresQuery, in context: ControllerContext
    )
        async throws -> [UInt8]
    {
        if query.refresh { try await refresh(metric, in: context) }
        var results: [(granularity: Sampling, points: Series)] = []
        for granularity in query.granularities {
            let (from, to) = query.readRange(at: granularity)
            let series: Series
            do {
                series = try await context.reader.read(
                    metric: metric, policy: policy, aggregation: query.aggregation, granularity: granularity,
                    from: from, to: to)
            } catch QueryError.aggregationDoesNotExist(let metric, let method, let granularity) {
                throw APIError.notFound(
                    AggregatesSupport.aggregationDoesNotExistMessage(
                        metric: metric, method: method, granularity: granularity))
            }
            results.append(query.shown(series, readAt: granularity))
        }
        return MeasuresRendering.render(sampled: results)
    }
}
