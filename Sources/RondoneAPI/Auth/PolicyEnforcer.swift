/// Evaluates oslo.policy check strings (`role:`, `rule:`, generic `key:%(attr)s` checks,
/// `and` / `or` / `not`, parentheses, `@` / `!`, empty = allow) against an ``Identity``
/// and a ``PolicyTarget``, with oslo's semantics: a `%(attr)s` missing from the target
/// fails the check, values compare as Python strings, roles case-insensitively.
public struct PolicyEnforcer: Sendable {
    indirect enum Check: Sendable {
        case always, never
        case role(String)
        case rule(String)
        case generic(kind: String, match: String)
        case and([Check]), or([Check])
        case not(Check)
    }

    let rules: [String: Check]
    /// `--strict-isolation`: an absent value (`None`, or empty) never equals another, so a
    /// caller without a project does not "own" every resource without one.
    let strict: Bool

    /// Parses every rule; a malformed check string is reported with its rule's name.
    public init(rules: [String: String] = PolicyRules.gnocchiDefaults, strict: Bool = false)
        throws(PolicyError)
    {
        self.strict = strict
        var parsed: [String: Check] = [:]
        for (name, text) in rules {
            var parser = CheckParser(text)
            guard let check = parser.parse() else { throw PolicyError.malformed(rule: name, text: text) }
            parsed[name] = check
        }
        self.rules = parsed
    }

    /// Whether `identity` passes `rule` on `target` (an unknown rule denies).
    public func check(_ rule: String, identity: Identity, target: PolicyTarget) -> Bool {
        guard let check = rules[rule] else { return false }
        return evaluate(check, identity: identity, target: target, depth: 0)
    }

    /// Gnocchi's `enforce`: 403 with an empty description when the rule denies.
    public func enforce(_ rule: String, identity: Identity, target: PolicyTarget = [:]) throws(APIError) {
        guard check(rule, identity: identity, target: target) else { throw .forbidden }
    }

    private func evaluate(_ check: Check, identity: Identity, target: PolicyTarget, depth: Int) -> Bool {
        guard depth < 32 else { return false }  // a rule cycle denies instead of looping
        switch check {
        case .always: return true
        case .never: return false
        case .role(let match):
            guard let role = Self.interpolate(match, target) else { return false }
            return identity.roles.contains { $0.lowercased() == role.lowercased() }
        case .rule(let name):
            guard let next = rules[name] else { return false }
            return evaluate(next, identity: identity, target: target, depth: depth + 1)
        case .generic(let kind, let match):
            guard let expected = Self.interpolate(match, target) else { return false }
            if kind == "True" || kind == "False" || kind == "None" { return expected == kind }
            if kind.first == "'" || kind.first == "\"" {
                return expected == String(kind.dropFirst().dropLast())
            }
            guard let credential = identity.credentials[kind] else { return false }
            if strict && (expected.isEmpty || expected == "None") { return false }
            return expected == credential
        case .and(let checks):
            return checks.allSatisfy { evaluate($0, identity: identity, target: target, depth: depth + 1) }
        case .or(let checks):
            return checks.contains { evaluate($0, identity: identity, target: target, depth: depth + 1) }
        case .not(let inner): return !evaluate(inner, identity: identity, target: target, depth: depth + 1)
        }
    }

    /// `match % target`: `nil` when an `%(attr)s` is not in the target (oslo: the check fails).
    static func interpolate(_ template: String, _ target: PolicyTarget) -> String? {
        var out = ""
        var rest = Substring(template)
        while let start = rest.range(of: "%(") {
            out += rest[..<start.lowerBound]
            let afterOpen = rest[start.upperBound...]
            guard let close = afterOpen.range(of: ")s") else { return nil }
            guard let value = target.values[String(afterOpen[..<close.lowerBound])] else { return nil }
            out += value
            rest = afterOpen[close.upperBound...]
        }
        return out + rest
    }
}

/// A policy file that cannot be used.
public enum PolicyError: Error, Equatable, Sendable {
    case malformed(rule: String, text: String)
}

/// Recursive descent over oslo.policy's grammar: `or` binds loosest, then `and`, then `not`.
struct CheckParser {
    var tokens: [String]
    var position = 0

    init(_ text: String) {
        var tokens: [String] = []
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }) {
            var word = Substring(word)
            while word.first == "(" {
                tokens.append("(")
                word = word.dropFirst()
            }
            var closing = 0
            while word.last == ")" && !word.hasSuffix(")s") {
                closing += 1
                word = word.dropLast()
            }
            if !word.isEmpty { tokens.append(String(word)) }
            tokens += Array(repeating: ")", count: closing)
        }
        self.tokens = tokens
    }

    mutating func parse() -> PolicyEnforcer.Check? {
        if tokens.isEmpty { return .always }
        guard let check = parseOr(), position == tokens.count else { return nil }
        return check
    }

    private mutating func parseOr() -> PolicyEnforcer.Check? {
        guard var checks = parseAnd().map({ [$0] }) else { return nil }
        while position < tokens.count, tokens[position].lowercased() == "or" {
            position += 1
            guard let next = parseAnd() else { return nil }
            checks.append(next)
        }
        return checks.count == 1 ? checks[0] : .or(checks)
    }

    private mutating func parseAnd() -> PolicyEnforcer.Check? {
        guard var checks = parseNot().map({ [$0] }) else { return nil }
        while position < tokens.count, tokens[position].lowercased() == "and" {
            position += 1
            guard let next = parseNot() else { return nil }
            checks.append(next)
        }
        return checks.count == 1 ? checks[0] : .and(checks)
    }

    private mutating func parseNot() -> PolicyEnforcer.Check? {
        guard position < tokens.count else { return nil }
        let token = tokens[position]
        position += 1
        if token.lowercased() == "not" { return parseNot().map { .not($0) } }
        if token == "(" {
            guard let inner = parseOr(), position < tokens.count, tokens[position] == ")" else { return nil }
            position += 1
            return inner
        }
        if token == "@" { return .always }
        if token == "!" { return .never }
        guard let colon = token.firstIndex(of: ":") else { return nil }
        let kind = String(token[..<colon])
        let match = String(token[token.index(after: colon)...])
        switch kind {
        case "role": return .role(match)
        case "rule": return .rule(match)
        default: return .generic(kind: kind, match: match)
        }
    }
}
