/// A selector's matchers, compiled once (regular expressions built a single time), to
/// test many series against: what a ``PromQLStorage`` uses to pick series, and what the
/// HTTP API's `match[]` filters use.
///
/// A label a series lacks reads as `""`, as in Prometheus: `{job!="x"}` selects series
/// without `job`, `{job=""}` selects only those.
public struct PromQLMatcherSet: Sendable {
    /// One compiled matcher.
    public struct Compiled: Sendable {
        public let matcher: PromQLMatcher
        let regex: PromQLRegex?

        /// Whether a series whose label has `value` (`""` when absent) is selected.
        public func matches(_ value: String) -> Bool {
            switch matcher.kind {
            case .equal: return value == matcher.value
            case .notEqual: return value != matcher.value
            case .matches: return regex!.matches(value)
            case .doesNotMatch: return !regex!.matches(value)
            }
        }
    }

    public let matchers: [Compiled]

    public init(_ matchers: [PromQLMatcher]) throws(PromQLError) {
        var compiled: [Compiled] = []
        for matcher in matchers {
            let regex: PromQLRegex? =
                matcher.kind == .matches || matcher.kind == .doesNotMatch
                ? try PromQLRegex(matcher.value) : nil
            compiled.append(Compiled(matcher: matcher, regex: regex))
        }
        self.matchers = compiled
    }

    /// Whether `labels` satisfy every matcher.
    public func matches(_ labels: PromQLLabels) -> Bool {
        matchers.allSatisfy { $0.matches(labels[$0.matcher.label]) }
    }

    /// The matchers on `label`.
    public func on(_ label: String) -> [Compiled] {
        matchers.filter { $0.matcher.label == label }
    }

    /// Parses a series selector of the API's `match[]` (Prometheus's
    /// `ParseMetricSelector`): a bare instant vector selector, with at least one matcher
    /// that does not match the empty string (the parser checks that).
    public static func parseSelector(_ text: String) throws(PromQLError) -> [PromQLMatcher] {
        var expression = try PromQLParser.parse(text)
        while case .parenthesized(let inner) = expression { expression = inner }
        guard case .vectorSelector(let selector) = expression,
            selector.modifiers == PromQLModifiers()
        else {
            throw PromQLError.parse(at: 0, "expected a series selector, got \"\(text)\"")
        }
        return selector.matchers
    }
}
