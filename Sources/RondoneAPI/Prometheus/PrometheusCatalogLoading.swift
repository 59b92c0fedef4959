import RondoneIndexer
import RondonePromQL
import RondoneTimeSeries

extension PrometheusSeriesCatalog {
    /// Whose catalog: the filters the metric and resource lists apply to a caller.
    struct Scope: Hashable, Sendable {
        var metrics: MetricController.ListScope
        var resources: ResourceFilter?

        init(_ requestContext: RondoneRequestContext, in context: ControllerContext) throws(APIError) {
            metrics = try MetricController.listScope(requestContext, context)
            resources = try ResourcePolicyFilter.filter(
                "list resource", type: "generic", requestContext: requestContext, in: context)
        }

        /// Every metric and resource: what an administrator (and every caller without
        /// isolation) sees. Only such a catalog is updated by changes; the others are
        /// read again.
        var isWhole: Bool { !metrics.isFiltered && resources == nil }
    }

    /// Most changed objects applied to a catalog; beyond, it is read again.
    static let largestUpdate = 20_000
    /// Most resource ids one search names.
    private static let idsPerSearch = 500

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
        return PrometheusSeriesCatalog(
            entries: entries(of: metrics, resources: resourcesByID, policies: policies))
    }

    /// This catalog of every metric with `changes` applied, reading only the metrics and
    /// resources they name (and the metrics this catalog has on those resources); nil
    /// when they are too many or name everything, and the catalog must be read again.
    func applying(_ changes: [IndexChange], in context: ControllerContext) async throws
        -> PrometheusSeriesCatalog?
    {
        var metricIDs: Set<MetricID> = []
        var resourceIDs: Set<ResourceID> = []
        for change in changes {
            switch change {
            case .everything: return nil
            case .metrics(let ids): metricIDs.formUnion(ids)
            case .resources(let ids): resourceIDs.formUnion(ids)
            }
            if metricIDs.count + resourceIDs.count > Self.largestUpdate { return nil }
        }
        guard !metricIDs.isEmpty || !resourceIDs.isEmpty else { return self }
        if !resourceIDs.isEmpty {
            // The metrics they had, which they may have lost.
            for entry in entries {
                if let resource = entry.metric.resourceID, resourceIDs.contains(resource) {
                    metricIDs.insert(entry.metric.id)
                }
            }
        }
        var resources = try await Self.resources(resourceIDs, in: context)
        for resource in resources.values { metricIDs.formUnion(resource.metrics.values) }
        let (metrics, policies) = try await ResourceLookup.mapping { [metricIDs] in
            async let metrics = context.indexer.metrics(ids: Array(metricIDs))
            async let policies = context.indexer.archivePolicies()
            return try await (metrics, policies)
        }
        // Resources of changed metrics that did not change themselves.
        let others = Set(metrics.compactMap(\.resourceID)).subtracting(resources.keys)
        resources.merge(try await Self.resources(others, in: context)) { first, _ in first }
        let fresh = Self.entries(of: metrics, resources: resources, policies: policies)
        // Both are ordered by id: merge them.
        var merged: [Entry] = []
        merged.reserveCapacity(entries.count + fresh.count)
        var next = fresh.makeIterator()
        var pending = next.next()
        for entry in entries where !metricIDs.contains(entry.metric.id) {
            while let candidate = pending, candidate.metric.id < entry.metric.id {
                merged.append(candidate)
                pending = next.next()
            }
            merged.append(entry)
        }
        while let candidate = pending {
            merged.append(candidate)
            pending = next.next()
        }
        return PrometheusSeriesCatalog(entries: merged)
    }

    /// The current resources among `ids`, with their attributes.
    private static func resources(_ ids: Set<ResourceID>, in context: ControllerContext) async throws
        -> [ResourceID: Resource]
    {
        var found: [ResourceID: Resource] = [:]
        let ids = Array(ids)
        for start in stride(from: 0, to: ids.count, by: idsPerSearch) {
            let part = ids[start..<min(start + idsPerSearch, ids.count)]
            let filter = ResourceFilter.in(attribute: "id", part.map { .string($0.description) })
            let resources = try await ResourceLookup.mapping {
                try await context.indexer.resources(
                    ResourceQuery(type: "generic", filter: filter, details: true))
            }
            for resource in resources { found[resource.id] = resource }
        }
        return found
    }

    /// The entries of `metrics` (those whose policy exists), ordered by metric id.
    private static func entries(
        of metrics: [Metric], resources: [ResourceID: Resource], policies: [ArchivePolicy]
    ) -> [Entry] {
        let policiesByName = Dictionary(
            policies.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var methodsByPolicy: [String: [String]] = [:]
        var entries: [Entry] = []
        entries.reserveCapacity(metrics.count)
        for metric in metrics {
            guard let policy = policiesByName[metric.archivePolicyName] else { continue }
            let resource = metric.resourceID.flatMap { resources[$0] }
            let methods =
                methodsByPolicy[policy.name]
                ?? {
                    let names = policy.aggregationMethods.map(\.name).sorted()
                    methodsByPolicy[policy.name] = names
                    return names
                }()
            guard !methods.isEmpty else { continue }
            entries.append(
                Entry(
                    metric: metric, policy: policy,
                    labels: PromQLLabels(PrometheusLabelMapping.labels(of: metric, resource: resource)),
                    methods: methods))
        }
        entries.sort { $0.metric.id < $1.metric.id }
        return entries
    }
}
