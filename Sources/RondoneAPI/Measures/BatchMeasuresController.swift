import Hummingbird
import RondoneIndexer
import RondoneTimeSeries

/// `/v1/batch/metrics/measures`: measures for many metrics in one body, all or
/// nothing — every metric must exist (else 400 `Unknown metrics: …` listing them) and
/// be writable by the caller (else 403) before anything is stored.
struct BatchMeasuresController {
    let context: ControllerContext

    func register(on routes: RouteTable) {
        let context = self.context
        routes.add(.post, "/v1/batch/metrics/measures") { request, requestContext in
            try request.requireJSONContentType()
            let body = try await request.collectBody(upTo: context.configuration.maxBodySize)
            let entries = try MeasuresParser.metricBatch(body.readableBytesView, now: .now()) {
                MetricLookup.parseUUID($0) != nil
            }
            // JSON objects may repeat a key; as Python's dict, the last one wins.
            var byID: [MetricID: Measures] = [:]
            for entry in entries {
                guard let id = MetricLookup.parseUUID(entry.metric) else { continue }
                byID[id] = entry.measures
            }
            // One indexed read for the whole body, not one per metric.
            let found = try await context.indexer.metrics(ids: Array(byID.keys))
            let metrics = found.sorted { $0.id < $1.id }
            let foundIDs = Set(found.map(\.id))
            let missing = byID.keys.filter { !foundIDs.contains($0) }.sorted()
            guard missing.isEmpty else {
                throw APIError.badRequest(
                    "Unknown metrics: " + missing.map(\.description).joined(separator: ", "))
            }
            if !metrics.isEmpty {
                let identity = try requestContext.identity()
                for metric in metrics {
                    try await MetricLookup.enforce("post measures", identity: identity, metric, in: context)
                }
            }
            try await MeasuresController.store(metrics.map { ($0.id, byID[$0.id]!) }, in: context)
            return JSONResponse.empty(.accepted)
        }
    }
}
