import RondoneIndexer
import RondonePromQL
import RondoneTimeSeries

/// The metrics a caller may read, as Prometheus series: one series per stored
/// aggregation method of each metric, labelled by ``PromQLLabelMapping``.
///
/// A caller sees what the rest of the API lets them list: the metrics `GET /v1/metric`
/// lists for them, and the metrics of the resources `GET /v1/resource/generic` lists for
/// them (the project filter in keystone mode, `--strict-isolation` in every mode).
struct PrometheusSeriesCatalog: Sendable {
    /// One metric with its labels.
    struct Entry: Sendable {
        let metric: Metric
        let policy: ArchivePolicy
        /// Without `aggregation`.
        let labels: PromQLLabels
        /// The stored methods, by name.
        let methods: [String]
        /// The method a selector that names none gets: `mean` when stored, else the first.
        let defaultMethod: String
    }

    /// A selected series: a metric, one of its methods, and the labels with `aggregation`.
    struct Selected: Sendable {
        let entry: Entry
        let method: String
        let labels: PromQLLabels
    }

    let entries: [Entry]
    /// Entries by `__name__`, for the common selector that names its metric.
    private let byName: [String: [Int]]

    init(entries: [Entry]) {
        self.entries = entries
        var byName: [String: [Int]] = [:]
        for (index, entry) in entries.enumerated() {
            byName[entry.labels["__name__"], default: []].append(index)
        }
        self.byName = byName
    }

    /// The series whose labels satisfy every matcher. Matchers on `aggregation` choose
    /// among every stored method; without one, each metric gives its default method.
    func select(_ matchers: [PromQLMatcher]) throws(PromQLError) -> [Selected] {
        let set = try PromQLMatcherSet(matchers)
        let onMethod = set.on("aggregation")
        let candidates: [Int]
        if let name = matchers.first(where: { $0.label == "__name__" && $0.kind == .equal }) {
            candidates = byName[name.value] ?? []
        } else {
            candidates = Array(entries.indices)
        }
        let others = set.matchers.filter { $0.matcher.label != "aggregation" }
        var selected: [Selected] = []
        for index in candidates {
            let entry = entries[index]
            guard others.allSatisfy({ $0.matches(entry.labels[$0.matcher.label]) }) else { continue }
            let methods =
                onMethod.isEmpty
                ? [entry.defaultMethod]
                : entry.methods.filter { method in onMethod.allSatisfy { $0.matches(method) } }
            for method in methods {
                selected.append(
                    Selected(
                        entry: entry, method: method, labels: entry.labels.setting("aggregation", to: method))
                )
            }
        }
        return selected
    }

    /// Whose catalog: the filters the metric and resource lists apply to a caller.
    struct Scope: Hashable, Sendable {
        var metrics: MetricController.ListScope
        var resources: ResourceFilter?

        init(_ requestContext: RondoneRequestContext, in context: ControllerContext) throws(APIError) {
            metrics = try MetricController.listScope(requestContext, context)
            resources = try ResourcePolicyFilter.filter(
                "list resource", type: "generic", requestContext: requestContext, in: context)
        }
    }

    /// The catalog of what callers of `scope` may read, from the index.
    static func load(_ scope: Scope, in context: ControllerContext) async throws -> PrometheusSeriesCatalog {
        let (resources, listed, policies) = try await ResourceLookup.mapping {
            async let resources = context.indexer.resources(
                ResourceQuery(type: "generic", filter: scope.resources, details: true))
            async let metrics = context.indexer.metrics(
                MetricQuery(
                    createdByProjectID: scope.metrics.projectFilter, visibleTo: scope.metrics.visibleTo))
            async let policies = context.indexer.archivePolicies()
            return try await (resources, metrics, policies)
        }
        var metrics = listed
        var known = Set(listed.map(\.id))
        if scope.metrics.isFiltered || scope.resources != nil {
            // Metrics of visible resources that the metric list itself does not show.
            let missing = resources.flatMap { $0.metrics.values }.filter { !known.contains($0) }
            if !missing.isEmpty {
                let attached = try await ResourceLookup.mapping {
                    try await context.indexer.metrics(ids: missing)
                }
                for metric in attached where known.insert(metric.id).inserted { metrics.append(metric) }
            }
        }
        known.removeAll()
        let resourcesByID = Dictionary(resources.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let policiesByName = Dictionary(
            policies.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var methodsByPolicy: [String: [String]] = [:]
        var entries: [Entry] = []
        entries.reserveCapacity(metrics.count)
        for metric in metrics {
            guard let policy = policiesByName[metric.archivePolicyName] else { continue }
            let resource = metric.resourceID.flatMap { resourcesByID[$0] }
            let methods =
                methodsByPolicy[policy.name]
                ?? {
                    let names = policy.aggregationMethods.map(\.name).sorted()
                    methodsByPolicy[policy.name] = names
                    return names
                }()
            guard let first = methods.first else { continue }
            entries.append(
                Entry(
                    metric: metric, policy: policy,
                    labels: PromQLLabels(PrometheusLabelMapping.labels(of: metric, resource: resource)),
                    methods: methods, defaultMethod: methods.contains("mean") ? "mean" : first))
        }
        return PrometheusSeriesCatalog(entries: entries)
    }
}

/// The catalogs loaded in the last `lifetime`, by scope: the calls Grafana makes together
/// (label names, values, series, a dashboard's queries) read the index once. One load
/// runs per scope at a time; the others wait for it. A metric created or deleted is seen
/// by the Prometheus API at most `lifetime` later.
actor PrometheusCatalogCache {
    private let lifetime: Duration
    private var loads:
        [PrometheusSeriesCatalog.Scope: (
            at: ContinuousClock.Instant, task: Task<PrometheusSeriesCatalog, any Error>
        )] =
            [:]
    /// Most scopes kept (each caller project is one).
    private let capacity = 64

    init(lifetime: Duration) {
        self.lifetime = lifetime
    }

    func catalog(
        _ scope: PrometheusSeriesCatalog.Scope,
        load: @escaping @Sendable () async throws -> PrometheusSeriesCatalog
    ) async throws -> PrometheusSeriesCatalog {
        let now = ContinuousClock.now
        if let cached = loads[scope], now - cached.at < lifetime {
            return try await cached.task.value
        }
        loads = loads.filter { now - $0.value.at < lifetime }
        if loads.count >= capacity { loads.removeAll() }
        let task = Task { try await load() }
        loads[scope] = (now, task)
        do {
            return try await task.value
        } catch {
            // A failed load is not kept: the next call tries again.
            if loads[scope]?.at == now { loads[scope] = nil }
            throw error
        }
    }
}

/// One call of the Prometheus API: the caller, the API's services, the catalogs.
struct PrometheusCall: Sendable {
    let requestContext: RondoneRequestContext
    let context: ControllerContext
    let catalogs: PrometheusCatalogCache

    /// What this caller may read, from a catalog at most a second old.
    func catalog() async throws -> PrometheusSeriesCatalog {
        let scope = try PrometheusSeriesCatalog.Scope(requestContext, in: context)
        let context = self.context
        return try await catalogs.catalog(scope) {
            try await PrometheusSeriesCatalog.load(scope, in: context)
        }
    }
}
