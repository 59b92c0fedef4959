import Hummingbird
import RondoneIndexer
import RondoneQuery
import RondoneTimeSeries

/// `GET` and `POST /v1/aggregation/metric`: the older cross-metric read (Gnocchi 4.7's
/// `AggregationController.get_metric`). The metrics come as repeated `metric=` query
/// arguments (GET) or a JSON list of ids (POST); one metric is read as its measures
/// are, several are aggregated with `reaggregation` (default: `aggregation`) after the
/// optional `resample`, under the overlap / `fill` rules of `/v1/aggregates`.
struct AggregationController {
    let context: ControllerContext

    func register(on routes: RouteTable) {
        let context = self.context
        routes.add(.get, "/v1/aggregation/metric") { request, requestContext in
            var ids: [MetricID] = []
            for (index, text) in request.queryPairs.filter({ $0.name == "metric" }).map(\.value).enumerated()
            {
                guard let id = MetricLookup.parseUUID(text) else {
                    throw APIError.badRequest("Invalid input: not a valid value @ data[\(index)]")
                }
                ids.append(id)
            }
            return try await Self.read(ids, request, requestContext, context)
        }
        routes.add(.post, "/v1/aggregation/metric") { request, requestContext in
            let document = try await request.jsonBody(limit: context.configuration.maxBodySize)
            guard case .array(let items) = document else {
                throw APIError.invalidInput(reason: "expected a list")
            }
            var ids: [MetricID] = []
            for (index, item) in items.enumerated() {
                guard case .string(let text) = item, let id = MetricLookup.parseUUID(text) else {
                    throw AggregatesSupport.described(
                        .badRequest,
                        [
                            ("cause", .string("Invalid input")),
                            ("reason", .string("not a valid value @ data[\(index)]")),
                            ("detail", .array([.int(Int64(index))])),
                        ])
                }
                ids.append(id)
            }
            return try await Self.read(ids, request, requestContext, context)
        }
    }

    static func read(
        _ ids: [MetricID], _ request: Request, _ requestContext: RondoneRequestContext,
        _ context: ControllerContext
    ) async throws
        -> Response
    {
        try AggregatesSupport.checkReferenceCount(ids.count)
        var metrics: [Metric] = []
        for id in ids where !metrics.contains(where: { $0.id == id }) {
            guard let metric = try await context.indexer.metric(id) else {
                throw APIError.notFound(IndexerError.noSuchMetric(id.description).message)
            }
            metrics.append(metric)
        }
        // By id, the order Gnocchi's index returns them in (its errors name the first).
        metrics.sort { $0.id < $1.id }
        return JSONResponse.make(bytes: try await measures(of: metrics, request, requestContext, context))
    }

    /// Gnocchi's `get_cross_metric_measures_from_objs`: the query arguments checked,
    /// `get metric` enforced on each metric, then one metric read as its measures are
    /// or several aggregated with `reaggregation`; `[]` for no metric at all.
    static func measures(
        of metrics: [Metric], _ request: Request, _ requestContext: RondoneRequestContext,
        _ context: ControllerContext
    ) async throws
        -> [UInt8]
    {
        let query = request.queryPairs
        func last(_ name: String) -> String? { query.last { $0.name == name }?.value }
        let arguments = try AggregatesArguments(query: query, now: .now())
        let identity = try requestContext.identity()
        for metric in metrics {
            // With its resource when the rule needs it (`metric_owner`), as Gnocchi's
            // metrics loaded through their resource carry it.
            try await MetricLookup.enforce("get metric", identity: identity, metric, in: context)
        }
        guard !metrics.isEmpty else { return Array("[]".utf8) }
        var resample: Sampling?
        if let text = last("resample"), !text.isEmpty {
            guard arguments.granularity != nil else {
                throw APIError.badRequest("A granularity must be specified to resample")
            }
            resample = try MeasuresQuery.sampling(text)
        }
        let aggregationName = last("aggregation") ?? "mean"
        var policies: [ArchivePolicy] = []
        let byName = try await MetricLookup.policies(of: metrics, in: context)
        for metric in metrics { policies.append(byName[metric.archivePolicyName]!) }
        let references = zip(metrics, policies).map { metric, policy in
            ResolvedReference(
                key: ReferenceKey(name: metric.id.description, aggregation: aggregationName),
                metric: metric.id,
                policy: policy)
        }
        var cross = CrossMetricQuery(
            references: references, operation: .metric(references.map(\.key), single: false),
            start: arguments.start, stop: arguments.stop, granularities: arguments.granularity.map { [$0] },
            neededOverlap: arguments.neededOverlap ?? 100, fill: arguments.fill)
        let granularities: [TimeDelta]
        if let granularity = arguments.granularity {
            granularities = [granularity]
        } else {
            do throws(QueryError) {
                granularities = try cross.commonGranularities()
            } catch {
                throw AggregatesSupport.apiError(error, textForUnknownAggregation: true)
            }
        }
        for (metric, policy) in zip(metrics, policies) {
            for granularity in granularities
            where !policy.definition.contains(where: { $0.granularity == granularity }) {
                throw APIError.notFound(
                    AggregatesSupport.aggregationDoesNotExistMessage(
                        metric: metric.id, method: aggregationName, granularity: granularity))
            }
        }
        let refresh = try last("refresh").map { text throws(APIError) in
            try QueryBoolean.parse("refresh", text)
        }
        if refresh == true {
            for metric in metrics { try await MeasuresController.refresh(metric.id, in: context) }
        }
        if metrics.count == 1 {
            let metric = metrics[0]
            guard let aggregation = Aggregation(name: aggregationName),
                policies[0].aggregationMethods.contains(aggregation)
            else {
                throw MeasuresQuery.noSuchAggregation(metric: metric.id, name: aggregationName)
            }
            let single = MeasuresQuery(
                start: arguments.start, stop: arguments.stop, aggregation: aggregation,
                granularities: granularities,
                resample: resample, refresh: false)
            return try await MeasuresController.read(metric.id, policy: policies[0], single, in: context)
        }
        cross.granularities = granularities
        do throws(QueryError) {
            _ = try cross.plannedGranularities()
        } catch {
            throw AggregatesSupport.apiError(error, textForUnknownAggregation: true)
        }
        let reaggregationName = last("reaggregation") ?? aggregationName
        guard let reaggregation = CrossAggregation(name: reaggregationName) else {
            // Gnocchi 4.7 fails with a 500 here (its `aggregate` knows no percentiles);
            // answered as the metrics that cannot be aggregated that way.
            throw AggregatesSupport.apiError(
                .unaggregable(
                    detail: QueryError.detail(cross.references.map(\.key)),
                    reason: "Invalid reaggregation method: \(reaggregationName)"),
                textForUnknownAggregation: true)
        }
        var selection = cross.operation
        if let resample {
            // plannedGranularities() checked that every policy keeps this method.
            selection = .resample(Aggregation(name: aggregationName)!, resample, selection)
        }
        cross.operation = .aggregate(reaggregation, selection)
        let result: QueryResult
        do {
            result = try await cross.run(reading: AggregatesSupport.reader(context))
        } catch let error as QueryError {
            throw AggregatesSupport.apiError(error, textForUnknownAggregation: true)
        }
        guard case .aggregated(let series) = result else {
            throw APIError(.internalServerError, .text(""))
        }
        var out: [UInt8] = []
        AggregatesSupport.render(series, into: &out)
        return out
    }
}
