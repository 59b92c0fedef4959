import Foundation
import Hummingbird
import RondoneJSON
import RondonePromQL
import RondoneQuery

/// Prometheus's HTTP query API over Rondone's metrics (docs/PROMQL.md), under
/// `/prometheus/api/v1/` and `/api/v1/`, so that Grafana's built-in Prometheus data
/// source, `promtool` and any Prometheus client read Rondone:
///
/// * `query`, `query_range` (GET, or a form-encoded POST): PromQL over the series of
///   ``PrometheusSeriesCatalog``, read by ``PrometheusSeriesStorage``;
/// * `series`, `labels`, `label/{name}/values` (`match[]`, `limit`), `metadata`;
/// * `status/buildinfo`, and empty successes for `rules`, `alerts` and
///   `query_exemplars`, which Grafana calls when it starts.
///
/// Every call is authenticated as the rest of the API, and a caller reads what the
/// metric and resource lists show them. Refusals are Prometheus's JSON: 400 `bad_data`,
/// 422 `execution`, 501 for what is not supported yet.
struct PrometheusQueryController {
    let context: ControllerContext
    /// The series catalogs, kept up to date with the index.
    let catalogs: PrometheusCatalogCache

    init(context: ControllerContext) {
        self.context = context
        catalogs = PrometheusCatalogCache(context: context, lifetime: .seconds(1))
    }

    static let prefixes = ["/prometheus/api/v1", "/api/v1"]
    /// Prometheus's limit on the steps of a range query.
    static let maxSteps: Int64 = 11_000
    /// Most series one selector may read.
    static let maxSeries = 100_000
    /// Most samples a query may hold at once (Prometheus's `--query.max-samples`).
    static let maxSamples = 50_000_000

    func register(on routes: RouteTable) {
        for prefix in Self.prefixes {
            for method in [HTTPRequest.Method.get, .post] {
                add(routes, method, prefix + "/query", Self.query)
                add(routes, method, prefix + "/query_range", Self.queryRange)
                add(routes, method, prefix + "/series", Self.series)
                add(routes, method, prefix + "/labels", Self.labels)
                add(routes, method, prefix + "/query_exemplars") { _, _ in
                    PrometheusJSON.success(.array([]))
                }
            }
            add(routes, .get, prefix + "/label/{name}/values", Self.labelValues)
            add(routes, .get, prefix + "/metadata", Self.metadata)
            add(routes, .get, prefix + "/status/buildinfo") { _, _ in
                PrometheusJSON.success(Self.buildInfo)
            }
            add(routes, .get, prefix + "/rules") { _, _ in
                PrometheusJSON.success(.object([("groups", .array([]))]))
            }
            add(routes, .get, prefix + "/alerts") { _, _ in
                PrometheusJSON.success(.object([("alerts", .array([]))]))
            }
        }
    }

    private typealias Handler =
        @Sendable (PrometheusParameters, PrometheusCall) async throws -> Response

    /// Registers one route: authentication first, then the parameters, then `handler`;
    /// Prometheus's own refusals become its JSON.
    private func add(
        _ routes: RouteTable, _ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler
    ) {
        let context = self.context
        let catalogs = self.catalogs
        routes.add(method, path, negotiation: .none) { request, requestContext in
            _ = try requestContext.identity()
            do {
                let parameters = try await PrometheusParameters.read(
                    request, limit: context.configuration.maxBodySize)
                return try await handler(
                    parameters,
                    PrometheusCall(requestContext: requestContext, context: context, catalogs: catalogs))
            } catch let error as PrometheusAPIError {
                return error.response
            } catch let error as PromQLError {
                return PrometheusAPIError.from(error).response
            }
        }
    }

    static let buildInfo: JSONValue = .object([
        ("version", .string("2.42.0")),
        ("revision", .string("rondone")),
        ("branch", .string("rondone")),
        ("buildUser", .string("rondone")),
        ("buildDate", .string("")),
        ("goVersion", .string("none: Rondone, in Swift, answers Prometheus 2.42's query API")),
    ])

    /// Milliseconds since the epoch.
    static func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    /// An engine reading what the caller may see.
    static func engine(_ call: PrometheusCall) -> PromQLEngine {
        let storage = PrometheusLazyStorage(
            load: { try await call.catalog() }, reader: call.context.reader, now: now() * 1_000_000,
            maxSeries: maxSeries)
        var engine = PromQLEngine(storage: storage)
        engine.maxSamples = maxSamples
        return engine
    }

    static func query(
        _ parameters: PrometheusParameters, _ call: PrometheusCall
    ) async throws -> Response {
        let time = try parameters.time("time", default: now())
        _ = try parameters.duration("timeout")
        let text = parameters.value("query") ?? ""
        let result = try await engine(call).instant(text, at: time)
        return PrometheusJSON.success(result)
    }

    static func queryRange(
        _ parameters: PrometheusParameters, _ call: PrometheusCall
    ) async throws -> Response {
        guard parameters.value("start") != nil else {
            throw PrometheusAPIError.badData(
                "invalid parameter \"start\": cannot parse \"\" to a valid timestamp")
        }
        guard parameters.value("end") != nil else {
            throw PrometheusAPIError.badData(
                "invalid parameter \"end\": cannot parse \"\" to a valid timestamp")
        }
        let start = try parameters.time("start", default: 0)
        let end = try parameters.time("end", default: 0)
        guard end >= start else {
            throw PrometheusAPIError.badData("end timestamp must not be before start time")
        }
        guard let step = try parameters.duration("step") else {
            throw PrometheusAPIError.badData(
                "invalid parameter \"step\": cannot parse \"\" to a valid duration")
        }
        guard step > 0 else {
            throw PrometheusAPIError.badData(
                "zero or negative query resolution step widths are not accepted. Try a positive integer")
        }
        guard (end - start) / step <= maxSteps else {
            throw PrometheusAPIError.badData(
                "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"
            )
        }
        _ = try parameters.duration("timeout")
        let text = parameters.value("query") ?? ""
        let result = try await engine(call).range(text, start: start, end: end, step: step)
        return PrometheusJSON.success(result)
    }

    /// The label sets of the series every `match[]` selects (each once), or of every
    /// series when `required` is false and there is no `match[]`.
    static func selected(
        _ parameters: PrometheusParameters, required: Bool, _ call: PrometheusCall
    ) async throws -> [PromQLLabels] {
        let selectors = try parameters.matchers()
        if required && selectors.isEmpty { throw PrometheusAPIError.badData("no match[] parameter provided") }
        _ = try parameters.time("start", default: 0)
        _ = try parameters.time("end", default: 0)
        let catalog = try await call.catalog()
        if selectors.isEmpty {
            return catalog.entries.flatMap { entry in
                entry.methods.map { entry.labels(of: $0) }
            }
        }
        var seen: Set<PromQLLabels> = []
        var labels: [PromQLLabels] = []
        for matchers in selectors {
            for series in try catalog.select(matchers) where seen.insert(series.labels).inserted {
                labels.append(series.labels)
            }
        }
        return labels
    }

    static func series(
        _ parameters: PrometheusParameters, _ call: PrometheusCall
    ) async throws -> Response {
        var labels = try await selected(parameters, required: true, call).sorted()
        let limit = try Self.limit(parameters)
        var warnings: [String] = []
        if let limit, labels.count > limit {
            labels.removeLast(labels.count - limit)
            warnings.append("results truncated due to limit")
        }
        return PrometheusJSON.success(.array(labels.map(PrometheusJSON.labelsValue)), warnings: warnings)
    }

    static func labels(_ parameters: PrometheusParameters, _ call: PrometheusCall) async throws -> Response {
        _ = try parameters.time("start", default: 0)
        _ = try parameters.time("end", default: 0)
        if try parameters.matchers().isEmpty {
            // Every series: the catalog keeps their label names.
            return try limited(try await call.catalog().labelNames(), parameters)
        }
        var names: Set<String> = []
        for labels in try await selected(parameters, required: false, call) {
            for label in labels.labels { names.insert(label.name) }
        }
        return try limited(names.sorted(), parameters)
    }

    static func labelValues(_ parameters: PrometheusParameters, _ call: PrometheusCall) async throws
        -> Response
    {
        let name = call.requestContext.pathParameter("name")
        guard PromQLLabels.isValidName(name) else {
            throw PrometheusAPIError.badData("invalid label name: \"\(name)\"")
        }
        _ = try parameters.time("start", default: 0)
        _ = try parameters.time("end", default: 0)
        if try parameters.matchers().isEmpty {
            // Every series: the catalog keeps each label's values.
            return try limited(try await call.catalog().values(of: name), parameters)
        }
        var values: Set<String> = []
        for labels in try await selected(parameters, required: false, call) {
            let value = labels[name]
            if !value.isEmpty { values.insert(value) }
        }
        return try limited(values.sorted(), parameters)
    }

    /// `{"metric": [{"type","help","unit"}]}` per metric name: Gnocchi knows no type or
    /// help text, only a unit.
    static func metadata(
        _ parameters: PrometheusParameters, _ call: PrometheusCall
    ) async throws -> Response {
        let catalog = try await call.catalog()
        let only = parameters.value("metric")
        var units: [String: Set<String>] = [:]
        for entry in catalog.entries {
            let name = entry.labels["__name__"]
            guard !name.isEmpty, only == nil || only == name else { continue }
            units[name, default: []].insert(entry.metric.unit ?? "")
        }
        var names = units.keys.sorted()
        if let limit = try limit(parameters), names.count > limit { names.removeLast(names.count - limit) }
        return PrometheusJSON.success(
            .object(
                names.map { name in
                    (
                        name,
                        .array(
                            units[name]!.sorted().map { unit in
                                .object([
                                    ("type", .string("unknown")), ("help", .string("")),
                                    ("unit", .string(unit)),
                                ])
                            })
                    )
                }))
    }

    static func limit(_ parameters: PrometheusParameters) throws(PrometheusAPIError) -> Int? {
        guard let text = parameters.value("limit") else { return nil }
        guard let limit = Int(text), limit >= 0 else {
            throw .badData("invalid parameter \"limit\": cannot parse \"\(text)\" to a valid limit")
        }
        return limit == 0 ? nil : limit
    }

    private static func limited(_ values: [String], _ parameters: PrometheusParameters) throws -> Response {
        var values = values
        var warnings: [String] = []
        if let limit = try limit(parameters), values.count > limit {
            values.removeLast(values.count - limit)
            warnings.append("results truncated due to limit")
        }
        return PrometheusJSON.success(.array(values.map { .string($0) }), warnings: warnings)
    }
}

/// A ``PrometheusSeriesStorage`` whose catalog is loaded at the first selection, so a
/// query that reads no series (`1+1`, Grafana's first call) touches no index.
actor PrometheusLazyStorage: PromQLStorage {
    private let load: @Sendable () async throws -> PrometheusSeriesCatalog
    private let reader: SeriesReader
    private let now: Int64
    private let maxSeries: Int
    private var storage: PrometheusSeriesStorage?

    init(
        load: @escaping @Sendable () async throws -> PrometheusSeriesCatalog, reader: SeriesReader,
        now: Int64, maxSeries: Int
    ) {
        self.load = load
        self.reader = reader
        self.now = now
        self.maxSeries = maxSeries
    }

    func select(_ matchers: [PromQLMatcher], start: Int64, end: Int64, hints: PromQLSelectHints) async throws
        -> [PromQLSeries]
    {
        if storage == nil {
            storage = PrometheusSeriesStorage(
                catalog: try await load(), reader: reader, now: now, maxSeries: maxSeries)
        }
        return try await storage!.select(matchers, start: start, end: end, hints: hints)
    }
}
