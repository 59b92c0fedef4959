import Hummingbird
import NIOCore
import RondoneIndexer
import RondoneIngest
import RondoneStorage

/// `POST /v1/prometheus/write`: Prometheus remote write (a snappy block holding a
/// protobuf `WriteRequest`), stored as Gnocchi 4.7 stores it — one resource of type
/// `prometheus` per `job@instance`, one metric per metric name, both created on first
/// sight (metrics with the archive policy their rule gives), then every sample written
/// through the incoming store in one batch before the 202.
///
/// The whole body is decoded and checked before anything is created or stored: a
/// malformed block or message, a series without `__name__`, or a name, id or attribute
/// the index would refuse is a 400 with nothing stored. See docs/INGEST.md.
struct PrometheusWriteController {
    let context: ControllerContext

    func register(on routes: RouteTable) {
        let context = self.context
        routes.add(.post, "/v1/prometheus/write", negotiation: .none) { request, requestContext in
            let identity = try requestContext.identity()
            let body = try await request.collectBody(upTo: context.configuration.maxBodySize)
            let naming: PrometheusMetricNaming =
                context.configuration.prometheusKeepLabels ? .keepLabels : .nameOnly
            let resources = try Self.decode(body, naming: naming)
            try await Self.store(resources, identity: identity, in: context)
            return JSONResponse.empty(.accepted)
        }
    }

    /// The body's series grouped by target and metric, every id and name checked.
    static func decode(_ body: ByteBuffer, naming: PrometheusMetricNaming) throws(APIError)
        -> [PrometheusResourceMeasures]
    {
        let decoded = body.withUnsafeReadableBytes { bytes in
            Result { () throws(IngestError) in
                let request = try RemoteWriteRequest(decoding: try Snappy.decompress(bytes))
                return try request.resources(naming: naming)
            }
        }
        let resources: [PrometheusResourceMeasures]
        do {
            resources = try decoded.get()
        } catch {
            throw APIError.badRequest("Invalid Prometheus remote write request: \(error.message)")
        }
        for resource in resources {
            for value in [resource.job, resource.instance] where !(1...512).contains(value.count) {
                throw APIError.badRequest("Invalid Prometheus job or instance label: \(value)")
            }
            do throws(ResourceIdentifier.Failure) {
                _ = try ResourceIdentifier.uuid(resource.originalResourceID, creator: nil)
            } catch {
                throw APIError.badRequest(error.message)
            }
            for metric in resource.metrics where metric.name.unicodeScalars.count > IndexLimits.name {
                throw APIError.badRequest(
                    "length of metric name must be at most \(IndexLimits.name): \(metric.name)")
            }
        }
        return resources
    }

    static func store(
        _ resources: [PrometheusResourceMeasures], identity: Identity, in context: ControllerContext
    )
        async throws
    {
        guard !resources.isEmpty else { return }
        try await PrometheusResources.ensureType(identity: identity, in: context)
        var batches: [IncomingBatch] = []
        for resource in resources {
            let metrics = try await PrometheusResources.metrics(of: resource, identity: identity, in: context)
            for measures in resource.metrics {
                guard let id = metrics[measures.name] else { continue }
                batches.append(
                    IncomingBatch(metric: id, measures: measures.measures))
            }
        }
        guard !batches.isEmpty else { return }
        try await context.incoming.add(batches)
        context.wake()
    }
}
