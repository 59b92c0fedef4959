import RondoneTimeSeries

/// Why the indexer refused an operation.
///
/// Each case is one of Gnocchi 4.7's indexer exceptions (or one of the checks its REST
/// layer makes before calling the indexer), and ``message`` is the exact text Gnocchi
/// puts in the response's `description`, so the API maps a case to a status code and
/// returns the message unchanged. Nothing was changed when one of these is thrown.
public enum IndexerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `POST /v1/archive_policy` with a name in use (Gnocchi: 409).
    case archivePolicyAlreadyExists(String)
    /// The named archive policy does not exist (404 on its own URL, 400 when a rule
    /// or a metric names it).
    case noSuchArchivePolicy(String)
    /// The policy is still used by a metric (even one waiting to be purged) or a rule (400).
    case archivePolicyInUse(String)
    /// The engine refused a policy or a change of one (`PATCH` with other granularities;
    /// 400 with the engine's message).
    case invalidArchivePolicy(ArchivePolicyError)
    /// `POST /v1/archive_policy_rule` with a name in use (409).
    case archivePolicyRuleAlreadyExists(String)
    /// The named rule does not exist (404).
    case noSuchArchivePolicyRule(String)
    /// A rename to the name of another rule (400).
    case archivePolicyRuleRenameConflict(rule: String, newName: String)
    /// A metric created without a policy whose name no rule matches (400). A nil
    /// name prints as Python's `None`, as in Gnocchi.
    case noArchivePolicyRuleMatch(metricName: String?)
    /// The metric does not exist or is already deleted (404).
    case noSuchMetric(String)
    /// A resource already has a metric of that name (400).
    case namedMetricAlreadyExists(String)
    /// A metric field fails Gnocchi's schema (400 with `{"cause": "Invalid input", ...}`).
    case invalidInput(reason: String, detail: [String])
    /// A metric name containing `/` (400).
    case slashInMetricName
    /// The resource does not exist (404; 400 where a batch names it).
    case noSuchResource(String)
    /// A create with the id of an existing resource (409).
    case resourceAlreadyExists(String)
    /// `started_at` after `ended_at` (400).
    case resourceStartAfterEnd
    /// The resource type does not exist (404).
    case noSuchResourceType(String)
    /// `POST /v1/resource_type` with a name in use (409).
    case resourceTypeAlreadyExists(String)
    /// Deleting a type that still has resources (400).
    case resourceTypeInUse(String)
    /// A filter names an attribute the searched type does not have (400).
    case queryAttributeError(type: String, attribute: String)
    /// A filter operand cannot be converted to its attribute's type (400); `value` is
    /// the operand as Python prints it.
    case queryValueError(value: String, field: String)
    /// A bad `sort` or `marker` in a list request (400).
    case invalidPagination(String)
    /// The database holds something this version cannot read. Never caused by
    /// request input; the API answers 500.
    case corruptIndex(String)

    /// The text Gnocchi returns for the same refusal.
    public var message: String {
        switch self {
        case .archivePolicyAlreadyExists(let name): "Archive policy \(name) already exists"
        case .noSuchArchivePolicy(let name): "Archive policy \(name) does not exist"
        case .archivePolicyInUse(let name): "Archive policy \(name) is still in use"
        case .invalidArchivePolicy(let error): error.message
        case .archivePolicyRuleAlreadyExists(let name): "Archive policy rule \(name) already exists"
        case .noSuchArchivePolicyRule(let name): "Archive policy rule \(name) does not exist"
        case .archivePolicyRuleRenameConflict(let rule, let newName):
            "Archive policy rule \(rule) does not support change: Archive policy rule \(newName) already exists."
        case .noArchivePolicyRuleMatch(let metricName):
            "No archive policy name specified and no archive policy rule found matching the metric name "
                + (metricName ?? "None")
        case .noSuchMetric(let id): "Metric \(id) does not exist"
        case .namedMetricAlreadyExists(let name): "Named metric \(name) already exists"
        case .invalidInput(let reason, _): reason
        case .slashInMetricName: "'/' is not supported in metric name"
        case .noSuchResource(let id): "Resource \(id) does not exist"
        case .resourceAlreadyExists(let id): "Resource \(id) already exists"
        case .resourceStartAfterEnd: "Start timestamp cannot be after end timestamp"
        case .noSuchResourceType(let name): "Resource type \(name) does not exist"
        case .resourceTypeAlreadyExists(let name): "Resource type \(name) already exists"
        case .resourceTypeInUse(let name): "Resource type \(name) is still in use"
        case .queryAttributeError(let type, let attribute):
            "Resource type \(type) has no \(attribute) attribute"
        case .queryValueError(let value, let field): "Invalid value: `\(value)' for field `\(field)'"
        case .invalidPagination(let reason): "Invalid pagination: `\(reason)'"
        case .corruptIndex(let what): "BUG: corrupt index: \(what)"
        }
    }

    public var description: String { message }
}
