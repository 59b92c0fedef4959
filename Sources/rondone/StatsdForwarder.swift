import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import RondoneAPI
import RondoneIngest
import RondoneJSON
import RondoneTimeSeries

/// The statsd sink of `rondone statsd`: forwards each flush to a Gnocchi-compatible API
/// (Rondone's or Gnocchi's) as one `POST /v1/batch/resources/metrics/measures
/// ?create_metrics=true`, with basic auth as the creator. When the resource is missing
/// (the 400 listing unknown resources) it creates it (`POST /v1/resource/generic`; a
/// 409 means another did) and posts again.
///
/// A flush that could not be delivered (the server is down or answers 5xx) is kept and
/// sent with the next one, up to ``maxKeptMeasures`` measures (the oldest flushes are
/// dropped beyond, logged). A flush the server refuses with another 4xx is posted again
/// metric by metric, so one metric no archive policy rule matches loses only its own
/// measures (logged), as with gnocchi-statsd.
actor StatsdForwarder: StatsdSink {
    /// The most measures kept across failed flushes.
    static let maxKeptMeasures = 100_000

    /// A delivery problem, thrown to the listener (which counts and logs it).
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let base: String
    private let settings: StatsdSettings
    private let authorization: String
    private let client: HTTPClient
    private let logger: Logger
    private var kept: [StatsdFlush] = []
    private var keptCount = 0

    init(url: String, settings: StatsdSettings, client: HTTPClient, logger: Logger) {
        base = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.settings = settings
        let user = settings.creator ?? "admin"
        authorization = "Basic " + Data((user + ":").utf8).base64EncodedString()
        self.client = client
        self.logger = logger
    }

    /// Creates the resource on the server (`POST /v1/resource/generic`; a 409 means it
    /// exists).
    func prepare() async throws {
        let resource = JSONValue.object([("id", .string(settings.resourceID.description))])
        let (created, answer) = try await send("/v1/resource/generic", resource.serialized())
        guard created == .created || created == .conflict else {
            throw Failure(
                description: "cannot create resource \(settings.resourceID): \(created.code) \(answer)")
        }
        if created == .created { logger.info("statsd: created resource \(settings.resourceID)") }
    }

    func store(_ flush: StatsdFlush) async throws {
        kept.append(flush)
        keptCount += flush.count
        while keptCount > Self.maxKeptMeasures, kept.count > 1 {
            let dropped = kept.removeFirst()
            keptCount -= dropped.count
            logger.error(
                "statsd: dropped \(dropped.count) undelivered measures (over \(Self.maxKeptMeasures) kept)")
        }
        var merged: [String: Measures] = [:]
        for older in kept {
            for (name, measures) in older { merged[name, default: Measures()].append(contentsOf: measures) }
        }
        let status = try await post(merged)
        kept = []
        keptCount = 0
        guard status != .accepted else { return }
        // Refused as a whole (e.g. a name no archive policy rule matches): each alone.
        var refused: [String] = []
        for name in merged.keys.sorted() {
            guard let measures = merged[name] else { continue }
            let single = try? await post([name: measures])
            if single != .accepted { refused.append(name) }
        }
        if !refused.isEmpty {
            throw Failure(description: "measures refused by \(base) for \(refused.joined(separator: ", "))")
        }
    }

    /// Posts `measures`, creating the resource when the server says it is unknown. Returns
    /// the final status when it is a 4xx (the data is not worth keeping); throws when
    /// the server could not be reached or failed (the data is kept).
    private func post(_ measures: [String: Measures]) async throws -> HTTPResponseStatus {
        var (status, body) = try await send(
            "/v1/batch/resources/metrics/measures?create_metrics=true", batch(measures))
        if status == .badRequest, body.contains("Unknown resources") {
            try await prepare()
            (status, body) = try await send(
                "/v1/batch/resources/metrics/measures?create_metrics=true", batch(measures))
        }
        if status == .accepted { return status }
        if status.code >= 500 || status == .unauthorized || status == .forbidden {
            throw Failure(description: "\(base) answered \(status.code): \(body)")
        }
        logger.error("statsd: \(base) refused measures: \(status.code) \(body)")
        return status
    }

    private func batch(_ measures: [String: Measures]) -> [UInt8] {
        var metrics: [(String, JSONValue)] = []
        for name in measures.keys.sorted() {
            guard let series = measures[name] else { continue }
            var points: [JSONValue] = []
            for (timestamp, value) in zip(series.timestamps, series.values) {
                points.append(
                    .object([
                        ("timestamp", .string(Timestamp(nanoseconds: timestamp).formatted(.nanoseconds))),
                        ("value", .double(value)),
                    ]))
            }
            var metric: [(String, JSONValue)] = []
            if let policy = settings.archivePolicyName {
                metric.append(("archive_policy_name", .string(policy)))
            }
            metric.append(("measures", .array(points)))
            metrics.append((name, .object(metric)))
        }
        return JSONValue.object([(settings.resourceID.description, .object(metrics))]).serialized()
    }

    private func send(_ path: String, _ body: [UInt8]) async throws -> (HTTPResponseStatus, String) {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Authorization", value: authorization)
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client.execute(request, timeout: .seconds(30))
        let answer = try await response.body.collect(upTo: 1 << 20)
        return (response.status, String(buffer: answer))
    }
}
