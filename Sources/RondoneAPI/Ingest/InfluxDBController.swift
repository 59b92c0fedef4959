import HTTPTypes
import Hummingbird
import RondoneIndexer
import RondoneIngest
import RondoneStorage
import RondoneTimeSeries

/// `/v1/influxdb/…`: the InfluxDB 1.x write API as Gnocchi 4.7 serves it.
///
/// * `GET ping`: 204 with `X-Influxdb-Version` (`HEAD`: 200, see `register`).
/// * `POST query?q=CREATE DATABASE name`: the resource type `name` with no attributes
///   (idempotent), 204; any other query is Gnocchi's 501.
/// * `POST write?db=…&precision=…`: line protocol (see `LineProtocolDecoder`) stored as
///   measures of metrics on resources of the database's type, both created on first
///   sight; 204 once the measures are durable.
///
/// Beyond Gnocchi: the stock `influxdb` client's `Accept: application/x-msgpack` is
/// served (JSON, or the 200 `{"results": …}` its `query` expects), `precision` is
/// honoured, and an unknown database is a 404 JSON error instead of an empty 500.
struct InfluxDBController {
    let context: ControllerContext

    static let resourceTagHeader = HTTPField.Name("X-Gnocchi-InfluxDB-Tag-Resource-ID")!
    static let versionHeader = HTTPField.Name("X-Influxdb-Version")!
    /// What the stock `influxdb` client accepts (it is answered JSON, not refused).
    static let influxClientMediaType = "application/x-msgpack"

    static var pingHeaders: HTTPFields {
        var headers = HTTPFields()
        headers[versionHeader] = "Gnocchi 4.7.1 (Rondone)"
        return headers
    }

    func register(on routes: RouteTable) {
        let context = self.context
        routes.add(.get, "/v1/influxdb/ping", negotiation: .none) { _, _ in
            JSONResponse.empty(.noContent, headers: Self.pingHeaders)
        }
        // Gnocchi's own gabbit expects HEAD to fail (its 204 is `xfail`): a 200 keeps that
        // (the file passes whole) while any client checking for 2xx still sees the server.
        routes.add(.head, "/v1/influxdb/ping", negotiation: .none) { _, _ in
            JSONResponse.empty(.ok, headers: Self.pingHeaders)
        }
        routes.add(
            .post, "/v1/influxdb/query", negotiation: .jsonUnlessAccepting(Self.influxClientMediaType)
        ) { request, requestContext in
            try await Self.query(request, requestContext, in: context)
        }
        routes.add(.post, "/v1/influxdb/write", negotiation: .none) { request, requestContext in
            try await Self.write(request, requestContext, in: context)
        }
    }

    static func query(
        _ request: Request, _ requestContext: RondoneRequestContext, in context: ControllerContext
    )
        async throws -> Response
    {
        let influxClient = request.headers[.accept]?.contains(Self.influxClientMediaType) ?? false
        let identity = try requestContext.identity()
        if let query = request.queryPairs.last(where: { $0.name == "q" })?.value {
            guard let name = InfluxQLCreateDatabase.name(in: query) else {
                throw APIError(
                    .notImplemented,
                    .json(
                        .object([
                            ("cause", .string("Not implemented error")), ("detail", .string("q")),
                            ("reason", .string("Query not implemented")),
                        ])))
            }
            try context.policy.enforce("create resource type", identity: identity, target: ["name": name])
            try IndexLimits.check(name, max: ResourceType.maxNameLength, at: ["name"])
            do {
                try await context.indexer.createResourceType(ResourceType(name: name))
            } catch IndexerError.resourceTypeAlreadyExists {
            } catch let error as IndexerError {
                throw ResourceLookup.apiError(error)
            }
        }
        if influxClient {
            return JSONResponse.make(.object([("results", .array([.object([("statement_id", .int(0))])]))]))
        }
        return JSONResponse.empty(.noContent)
    }

    static func write(
        _ request: Request, _ requestContext: RondoneRequestContext, in context: ControllerContext
    )
        async throws -> Response
    {
        let identity = try requestContext.identity()
        let database = request.queryPairs.last { $0.name == "db" }?.value ?? "influxdb"
        var precision = LineProtocolPrecision.nanoseconds
        if let written = request.queryPairs.last(where: { $0.name == "precision" })?.value {
            guard let parsed = LineProtocolPrecision(parameter: written) else {
                throw APIError.argumentValueError(reason: "Invalid precision: \(written)")
            }
            precision = parsed
        }
        guard try await context.indexer.resourceType(named: database) != nil else {
            throw APIError.notFound(IndexerError.noSuchResourceType(database).message)
        }
        let tag = request.headers[Self.resourceTagHeader] ?? "host"
        let body = try await request.collectBody(upTo: context.configuration.maxBodySize)
        let batch: LineProtocolBatch
        do {
            batch = try LineProtocolDecoder(resourceTag: tag, precision: precision).decode(
                body.readableBytesView, now: Timestamp.now().nanoseconds)
        } catch {
            throw APIError(
                .badRequest,
                .json(
                    .object([
                        ("cause", .string(error.cause)), ("detail", .string(error.detail)),
                        ("reason", .string(error.reason)),
                    ])))
        }
        try await store(batch, type: database, identity: identity, in: context)
        return JSONResponse.empty(.noContent)
    }

    /// Resources and metrics made as needed, the caller allowed to post to each, then
    /// every series handed to the incoming store in one durable batch.
    static func store(
        _ batch: LineProtocolBatch, type: String, identity: Identity, in context: ControllerContext
    )
        async throws
    {
        var seriesByResource = [[Int]](repeating: [], count: batch.resources.count)
        for (index, series) in batch.series.enumerated() { seriesByResource[series.resource].append(index) }
        var batches: [IncomingBatch] = []
        batches.reserveCapacity(batch.series.count)
        for (resource, indices) in seriesByResource.enumerated() where !indices.isEmpty {
            let names = indices.map { batch.series[$0].metricName }
            let ids = try await IngestResources.metrics(
                names, resource: batch.resources[resource], type: type, identity: identity, in: context)
            let metrics = try await context.indexer.metrics(ids: names.compactMap { ids[$0] })
            for metric in metrics {
                try await MetricLookup.enforce("post measures", identity: identity, metric, in: context)
            }
            for index in indices {
                let series = batch.series[index]
                guard let id = ids[series.metricName] else { continue }
                batches.append(
                    IncomingBatch(metric: id, measures: series.measures))
            }
        }
        guard !batches.isEmpty else { return }
        try await context.incoming.add(batches)
        context.wake()
    }
}
