/// A rule that picks the archive policy of a metric created without one, by matching
/// the metric's name against a shell-style pattern (Gnocchi's `archive_policy_rule`).
///
/// Rules are consulted in Gnocchi's order (``precedes(_:)``): the first whose
/// ``metricPattern`` matches the name wins.
public struct ArchivePolicyRule: Hashable, Sendable {
    /// Unique name.
    public var name: String
    /// A Python `fnmatch` pattern (`*`, `?`, `[seq]`, `[!seq]`), matched case-sensitively.
    public var metricPattern: String
    /// The policy given to metrics this rule matches; it must exist.
    public var archivePolicyName: String

    public init(name: String, metricPattern: String, archivePolicyName: String) {
        self.name = name
        self.metricPattern = metricPattern
        self.archivePolicyName = archivePolicyName
    }

    /// The rule Gnocchi's `gnocchi-upgrade` creates with the default policies.
    public static let `default` = ArchivePolicyRule(
        name: "default", metricPattern: "*", archivePolicyName: "low")

    /// Whether this rule comes before `other` when rules are listed and matched:
    /// pattern descending, then name ascending, both compared byte-wise (UTF-8), as
    /// Gnocchi's query `ORDER BY metric_pattern DESC, name ASC` does under the C
    /// collation of the reference deployment. So `*` (0x2A) sorts after every pattern
    /// that starts with a letter or digit, and a longer pattern before its prefix.
    public func precedes(_ other: ArchivePolicyRule) -> Bool {
        if metricPattern != other.metricPattern {
            return !metricPattern.utf8.lexicographicallyPrecedes(other.metricPattern.utf8)
        }
        return name.utf8.lexicographicallyPrecedes(other.name.utf8)
    }

    /// Whether `metricName` matches ``metricPattern`` (a nil name matches as `""`,
    /// as in Gnocchi).
    public func matches(metricName: String?) -> Bool {
        FnmatchPattern(metricPattern).matches(metricName ?? "")
    }

    /// The first rule of `rules` (in any order) that matches `metricName`, in
    /// Gnocchi's precedence.
    public static func firstMatch(in rules: [ArchivePolicyRule], metricName: String?) -> ArchivePolicyRule? {
        rules.sorted { $0.precedes($1) }.first { $0.matches(metricName: metricName) }
    }
}
