import Hummingbird
import RondoneIndexer
import RondoneTimeSeries

/// What the metric, measures and batch controllers share: reading a metric id as
/// Python's `uuid.UUID` does, finding the metric as Gnocchi's `MetricsController._lookup`
/// does (404 before any authentication), the policy target Gnocchi's `enforce` builds
/// from a metric, and the mapping of indexer refusals to Gnocchi's status codes.
enum MetricLookup {
    /// Python's `uuid.UUID(text)`: `urn:` and `uuid:` removed, surrounding braces
    /// stripped, hyphens anywhere ignored, then exactly 32 hex digits.
    static func parseUUID(_ text: String) -> MetricID? {
        // The canonical form (what every client sends) reads directly, without the
        // string rewriting the other forms need; it names the same UUID either way.
        if text.utf8.count == 36, let id = MetricID(text) { return id }
        var hex = Substring(text.replacingAll("urn:", with: "").replacingAll("uuid:", with: ""))
        while hex.first == "{" { hex = hex.dropFirst() }
        while hex.last == "}" { hex = hex.dropLast() }
        let digits = hex.filter { $0 != "-" }
        guard digits.utf8.count == 32 else { return nil }
        return MetricID(digits)
    }

    /// A random (version 4) UUID for a new metric, as Gnocchi's `uuid.uuid4()`.
    static func randomUUID() -> MetricID {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return MetricID(
            high: (high & ~0xF000) | 0x4000, low: (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000)
    }

    /// The active metric named by a path segment, or Gnocchi's 404
    /// `Metric <text> does not exist` (also for text that is not a UUID).
    static func metric(_ text: String, in context: ControllerContext) async throws -> Metric {
        guard let id = parseUUID(text), let metric = try await context.indexer.metric(id) else {
            throw APIError.notFound(IndexerError.noSuchMetric(text).message)
        }
        return metric
    }

    /// The metric's archive policy; a metric always has one, so a miss is a corrupt index.
    static func policy(of metric: Metric, in context: ControllerContext) async throws -> ArchivePolicy {
        guard let policy = try await context.indexer.archivePolicy(named: metric.archivePolicyName) else {
            throw IndexerError.corruptIndex(
                "metric \(metric.id) names missing policy \(metric.archivePolicyName)")
        }
        return policy
    }

    /// The policies of `metrics` by name, each resolved once (a request over thousands
    /// of metrics asks the index for a handful of policies, not once per metric).
    static func policies(of metrics: some Sequence<Metric>, in context: ControllerContext) async throws
        -> [String: ArchivePolicy]
    {
        var policies: [String: ArchivePolicy] = [:]
        for metric in metrics where policies[metric.archivePolicyName] == nil {
            policies[metric.archivePolicyName] = try await policy(of: metric, in: context)
        }
        return policies
    }

    /// What Gnocchi's `enforce` checks a metric rule against: the metric's JSON with
    /// details, flattened, its resource embedded (`resource` is `None` without one).
    static func target(_ metric: Metric, resource: Resource? = nil) -> PolicyTarget {
        var target: PolicyTarget = [
            "id": metric.id.description, "creator": metric.creator, "name": metric.name, "unit": metric.unit,
            "created_by_user_id": metric.createdByUserID, "created_by_project_id": metric.createdByProjectID,
            "archive_policy.name": metric.archivePolicyName,
        ]
        if let resource {
            for (key, value) in ResourceJSON.target(resource).values where !key.hasPrefix("metrics.") {
                target.values["resource." + key] = value
            }
        } else if let id = metric.resourceID {
            target.values["resource.id"] = id.description
        } else {
            target.values["resource"] = "None"
        }
        return target
    }

    /// Gnocchi's `enforce(rule, metric)`. The metric's resource only matters to rules
    /// that read `resource.*` (`metric_owner`), so it is fetched only when the rule
    /// denies without it: the common paths (creator, admin) cost no extra query.
    static func enforce(
        _ rule: String, identity: Identity, _ metric: Metric, resource: Resource? = nil,
        in context: ControllerContext
    ) async throws {
        if context.policy.check(rule, identity: identity, target: target(metric, resource: resource)) {
            return
        }
        if resource == nil, let id = metric.resourceID,
            let found = try await context.indexer.resource(id, type: "generic"),
            context.policy.check(rule, identity: identity, target: target(metric, resource: found))
        {
            return
        }
        throw APIError.forbidden
    }

    /// The request's URL as the client sees it (for `Location` and `Link`).
    static func requestURL(_ request: Request, _ context: ControllerContext) -> RequestURL {
        RequestURL(
            request: request.head, proxyHeaders: context.configuration.proxyHeaders,
            fallbackHost: "\(context.configuration.host):\(context.configuration.port)")
    }

    /// Gnocchi's status for an indexer refusal met while creating, listing or deleting
    /// metrics (every refusal there is a 400, except a missing metric).
    static func apiError(_ error: IndexerError) -> APIError {
        switch error {
        case .noSuchMetric: .notFound(error.message)
        case .invalidInput(let reason, let detail): .invalidInput(reason: reason, path: detail)
        case .corruptIndex: APIError(.internalServerError, .text(""))
        default: .badRequest(error.message)
        }
    }
}

extension String {
    /// Every occurrence of `target` replaced (Python's `str.replace`).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var out = ""
        var rest = Substring(self)
        while let range = rest.range(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
