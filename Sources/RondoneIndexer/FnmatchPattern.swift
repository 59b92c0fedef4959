/// A compiled Python `fnmatch` pattern, the language of archive policy rules.
///
/// Same grammar as `fnmatch.translate` on POSIX: `*` any run of characters (including
/// `/` and newlines), `?` one character, `[seq]` / `[!seq]` a set with `a-z` ranges, and
/// everything else literal (a backslash too; an unclosed `[` is a literal `[`). A
/// reversed range such as `z-a` matches nothing; a set with nothing left never matches.
/// Characters are Unicode scalars and the match is case-sensitive and whole-string.
public struct FnmatchPattern: Sendable {
    private enum Token: Sendable {
        case literal(Unicode.Scalar)
        case anyCharacter
        case anyRun
        case set(negated: Bool, ranges: [ClosedRange<UInt32>])
    }

    private let tokens: [Token]

    public init(_ pattern: String) {
        let scalars = Array(pattern.unicodeScalars)
        var tokens: [Token] = []
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            switch scalar {
            case "*":
                if case .anyRun? = tokens.last { continue }
                tokens.append(.anyRun)
            case "?":
                tokens.append(.anyCharacter)
            case "[":
                if let (set, next) = Self.parseSet(scalars, from: index) {
                    tokens.append(set)
                    index = next
                } else {
                    tokens.append(.literal("["))
                }
            default:
                tokens.append(.literal(scalar))
            }
        }
        self.tokens = tokens
    }

    /// Parses the set whose content starts at `start` (just after `[`); nil when there
    /// is no closing `]`. A `]` right after `[` or `[!` is a member, not the end.
    private static func parseSet(_ scalars: [Unicode.Scalar], from start: Int) -> (Token, Int)? {
        var end = start
        if end < scalars.count && scalars[end] == "!" { end += 1 }
        if end < scalars.count && scalars[end] == "]" { end += 1 }
        while end < scalars.count && scalars[end] != "]" { end += 1 }
        guard end < scalars.count else { return nil }
        var content = scalars[start..<end]
        let negated = content.first == "!"
        if negated { content = content.dropFirst() }
        let members = Array(content)
        var ranges: [ClosedRange<UInt32>] = []
        var position = 0
        while position < members.count {
            let low = members[position].value
            if position + 2 < members.count && members[position + 1] == "-" {
                let high = members[position + 2].value
                if low <= high { ranges.append(low...high) }
                position += 3
            } else {
                ranges.append(low...low)
                position += 1
            }
        }
        // An empty set never matches and an empty negated one matches any character,
        // as the regular expressions Python builds for them do.
        return (.set(negated: negated, ranges: ranges), end + 1)
    }

    /// Whether the whole of `text` matches.
    public func matches(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        var tokenIndex = 0
        var textIndex = 0
        // The last `*` seen and where in the text it was tried: the classic glob
        // backtracking, linear in practice because only `*` can absorb characters.
        var starToken: Int? = nil
        var starText = 0
        while textIndex < scalars.count {
            if tokenIndex < tokens.count {
                switch tokens[tokenIndex] {
                case .anyRun:
                    starToken = tokenIndex
                    starText = textIndex
                    tokenIndex += 1
                    continue
                case let token where Self.matchesOne(token, scalars[textIndex]):
                    tokenIndex += 1
                    textIndex += 1
                    continue
                default:
                    break
                }
            }
            guard let star = starToken else { return false }
            tokenIndex = star + 1
            starText += 1
            textIndex = starText
        }
        while tokenIndex < tokens.count, case .anyRun = tokens[tokenIndex] { tokenIndex += 1 }
        return tokenIndex == tokens.count
    }

    private static func matchesOne(_ token: Token, _ scalar: Unicode.Scalar) -> Bool {
        switch token {
        case .literal(let literal): return literal == scalar
        case .anyCharacter: return true
        case .anyRun: return false
        case .set(let negated, let ranges):
            return ranges.contains { $0.contains(scalar.value) } != negated
        }
    }
}
