/// Label-matcher regular expressions, fully anchored as Prometheus anchors them
/// (`^(?:pattern)$`). Prometheus uses RE2; Swift's `Regex` reads the same syntax for
/// what label matchers use (classes, alternation, repetition, groups, `(?i)`), and has
/// no backreferences either way in practice.
public struct PromQLRegex: @unchecked Sendable {
    /// The anchored pattern (`Regex` is not `Sendable`; it is never mutated).
    private let regex: Regex<AnyRegexOutput>
    public let pattern: String

    public init(_ pattern: String) throws(PromQLError) {
        do {
            regex = try Regex("^(?:" + pattern + ")$")
        } catch {
            throw PromQLError.parse(at: 0, "invalid regular expression \"\(pattern)\"")
        }
        self.pattern = pattern
    }

    /// Whether the whole of `text` matches.
    public func matches(_ text: String) -> Bool {
        (try? regex.wholeMatch(in: text)) != nil
    }

    static func isValid(_ pattern: String) -> Bool {
        (try? PromQLRegex(pattern)) != nil
    }

    /// Whether `matcher` accepts a series without the label (its value is then "").
    static func matchesEmpty(_ matcher: PromQLMatcher) -> Bool {
        switch matcher.kind {
        case .equal: return matcher.value.isEmpty
        case .notEqual: return !matcher.value.isEmpty
        case .matches: return (try? PromQLRegex(matcher.value))?.matches("") ?? false
        case .doesNotMatch: return !((try? PromQLRegex(matcher.value))?.matches("") ?? false)
        }
    }
}
