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

    /// The catalog of what `identity` may read.
    static func load(_ requestContext: RondoneRequestContext, in context: ControllerContext) async throws
        -> PrometheusSeriesCatalog
    {
        let scope = try MetricController.listScope(requestContext, context)
        let resourceFilter = try ResourcePolicyFilter.filter(
            "list resource", type: "generic", requestContext: requestContext, in: context)
        let (resources, listed, policies) = try await ResourceLookup.mapping {
            async let resources = context.indexer.resources(
                ResourceQuery(type: "generic", filter: resourceFilter, details: true))
            async let metrics = context.indexer.metrics(
                MetricQuery(createdByProjectID: scope.projectFilter, visibleTo: scope.visibleTo))
            async let policies = context.indexer.archivePolicies()
            return try await (resources, metrics, policies)
        }
        var metrics = listed
        var known = Set(listed.map(\.id))
        if scope.isFiltered || resourceFilter != nil {
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
        var entries: [Entry] = []
        entries.reserveCapacity(metrics.count)
        for metric in metrics {
            guard let policy = policiesByName[metric.archivePolicyName] else { continue }
            let resource = metric.resourceID.flatMap { resourcesByID[$0] }
            let methods = policy.aggregationMethods.map(\.name).sorted()
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
