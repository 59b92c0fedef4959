import RondoneIndexer
import RondoneJSON

/// Archive policy rules as Gnocchi renders them, key order included:
/// `{"name", "archive_policy_name", "metric_pattern"}`.
enum ArchivePolicyRuleJSON {
    static func rule(_ rule: ArchivePolicyRule) -> JSONValue {
        .object([
            ("name", .string(rule.name)),
            ("archive_policy_name", .string(rule.archivePolicyName)),
            ("metric_pattern", .string(rule.metricPattern)),
        ])
    }
}
