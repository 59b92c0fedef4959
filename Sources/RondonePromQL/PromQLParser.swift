/// Parses PromQL into a ``PromQLExpression`` with Prometheus's grammar and type rules:
/// operator precedence (`or` < `and`/`unless` < comparisons < `+ -` < `* / % atan2` <
/// `^`, right-associative; unary minus at the level of `*`), aggregations with `by` /
/// `without` before or after their arguments, vector matching, `offset` and `@`,
/// subqueries, and the argument types of every function.
///
/// An expression nests at most ``maxDepth`` levels deep, counting each parenthesis,
/// unary sign, call or aggregation argument and binary operator (so a flat chain
/// `a + b + c …` counts one level per operator: its tree is that deep). Prometheus has no
/// such limit (Go's stacks grow to 1 GB); here the parser, the type rules and the
/// evaluator recurse on the tree, and a thread's stack is a few megabytes.
public struct PromQLParser {
    /// The deepest expression the parser accepts (see the type's documentation).
    public static let maxDepth = 256

    private var tokens: [PromQLToken]
    private var index = 0
    private let length: Int
    /// Levels of the tree above the expression being parsed.
    private var depth = 0

    /// The expression `query` holds.
    ///
    /// - Throws: ``PromQLError/parse(at:_:)`` with Prometheus's wording where it has one.
    /// The furthest `@` time from the epoch, in seconds: what the API accepts as a time
    /// (about 290 000 years), so that times and durations add up without overflow.
    static let maxSeconds = 9.2e12

    public static func parse(_ query: String) throws(PromQLError) -> PromQLExpression {
        var lexer = PromQLLexer(query)
        var parser = PromQLParser(tokens: try lexer.tokens(), length: query.utf8.count)
        guard parser.peek.kind != .end else { throw PromQLError.parse(at: 0, "no expression found in input") }
        let expression = try parser.expression(minimumPrecedence: 0)
        guard parser.peek.kind == .end else {
            throw PromQLError.parse(at: parser.peek.position, "unexpected \(parser.describe(parser.peek))")
        }
        return expression
    }

    private init(tokens: [PromQLToken], length: Int) {
        self.tokens = tokens
        self.length = length
    }

    private var peek: PromQLToken { tokens[index] }

    private mutating func advance() -> PromQLToken {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    // MARK: Binary expressions

    private mutating func expression(minimumPrecedence: Int) throws(PromQLError) -> PromQLExpression {
        let outer = depth
        defer { depth = outer }
        try nest(at: peek.position)
        var lhs = try unary()
        while let op = binaryOperator(peek), op.precedence > minimumPrecedence {
            let position = advance().position
            // Each operator puts the tree built so far one level down.
            try nest(at: position)
            var returnsBool = false
            if case .identifier(let word) = peek.kind, word.lowercased() == "bool" {
                _ = advance()
                returnsBool = true
            }
            let matching = try vectorMatching(op)
            // `^` is right-associative: its right side may hold another `^`.
            let rhs = try expression(minimumPrecedence: op == .power ? op.precedence - 1 : op.precedence)
            lhs = try checkedBinary(op, lhs, rhs, returnsBool: returnsBool, matching: matching, at: position)
        }
        return lhs
    }

    /// One more level of nesting, refused beyond ``maxDepth`` (before recursing into it).
    private mutating func nest(at position: Int) throws(PromQLError) {
        depth += 1
        guard depth <= Self.maxDepth else {
            throw PromQLError.parse(at: position, "expression nested deeper than \(Self.maxDepth) levels")
        }
    }

    private func binaryOperator(_ token: PromQLToken) -> PromQLBinary.Operator? {
        switch token.kind {
        case .op(let text): return PromQLBinary.Operator(rawValue: text)
        case .identifier(let word):
            switch word.lowercased() {
            case "and": return .and
            case "or": return .or
            case "unless": return .unless
            case "atan2": return .atan2
            default: return nil
            }
        default: return nil
        }
    }

    private mutating func vectorMatching(_ op: PromQLBinary.Operator) throws(PromQLError) -> PromQLBinary
        .Matching?
    {
        var matching = PromQLBinary.Matching(
            cardinality: op.isSetOperator ? .manyToMany : .oneToOne, on: false, labels: [], include: [])
        var given = false
        if case .identifier(let word) = peek.kind, ["on", "ignoring"].contains(word.lowercased()) {
            _ = advance()
            matching.on = word.lowercased() == "on"
            matching.labels = try labelList()
            given = true
            if case .identifier(let group) = peek.kind,
                ["group_left", "group_right"].contains(group.lowercased())
            {
                let position = advance().position
                guard !op.isSetOperator else {
                    throw PromQLError.parse(
                        at: position, "no grouping allowed for \"\(op.rawValue)\" operation")
                }
                matching.cardinality = group.lowercased() == "group_left" ? .manyToOne : .oneToMany
                if peek.kind == .leftParen { matching.include = try labelList() }
            }
        }
        return given || op.isSetOperator ? matching : nil
    }

    private func checkedBinary(
        _ op: PromQLBinary.Operator, _ lhs: PromQLExpression, _ rhs: PromQLExpression, returnsBool: Bool,
        matching: PromQLBinary.Matching?, at position: Int
    ) throws(PromQLError) -> PromQLExpression {
        for side in [lhs, rhs] where side.type != .scalar && side.type != .vector {
            throw PromQLError.parse(
                at: position, "binary expression must contain only scalar and instant vector types")
        }
        if returnsBool && !op.isComparison {
            throw PromQLError.parse(at: position, "bool modifier can only be used on comparison operators")
        }
        if op.isComparison && !returnsBool && lhs.type == .scalar && rhs.type == .scalar {
            throw PromQLError.parse(at: position, "comparisons between scalars must use BOOL modifier")
        }
        if op.isSetOperator && (lhs.type == .scalar || rhs.type == .scalar) {
            throw PromQLError.parse(
                at: position, "set operator \"\(op.rawValue)\" not allowed in binary scalar expression")
        }
        var matching = matching
        if lhs.type == .scalar || rhs.type == .scalar {
            if let given = matching, !given.labels.isEmpty || given.on || given.cardinality != .oneToOne {
                throw PromQLError.parse(at: position, "vector matching only allowed between instant vectors")
            }
            matching = nil
        } else if matching == nil {
            matching = PromQLBinary.Matching(cardinality: .oneToOne, on: false, labels: [], include: [])
        }
        if let matching, matching.on, !matching.include.isEmpty {
            for label in matching.include where matching.labels.contains(label) {
                throw PromQLError.parse(
                    at: position, "label \"\(label)\" must not occur in ON and GROUP clause at once")
            }
        }
        return .binary(PromQLBinary(op: op, lhs: lhs, rhs: rhs, returnsBool: returnsBool, matching: matching))
    }

    // MARK: Unary and postfix

    private mutating func unary() throws(PromQLError) -> PromQLExpression {
        if case .op(let sign) = peek.kind, sign == "-" || sign == "+" {
            let position = advance().position
            // Unary minus binds like `*`: `-a * b` is `(-a) * b`, `-2 ^ 2` is `-(2 ^ 2)`.
            let operand = try expression(minimumPrecedence: PromQLBinary.Operator.multiply.precedence)
            guard operand.type == .scalar || operand.type == .vector else {
                throw PromQLError.parse(
                    at: position,
                    "unary expression only allowed on expressions of type scalar or instant vector, "
                        + "got \"\(operand.type.rawValue)\"")
            }
            if sign == "+" { return operand }
            if case .number(let value) = operand { return .number(-value) }
            return .negation(operand)
        }
        return try postfix(try primary())
    }

    /// `[range]`, `[range:step]`, `offset`, `@` after a primary expression.
    private mutating func postfix(_ base: PromQLExpression) throws(PromQLError) -> PromQLExpression {
        var expression = base
        while true {
            switch peek.kind {
            case .leftBracket:
                let position = advance().position
                let range = try duration("range")
                if peek.kind == .colon {
                    _ = advance()
                    var step: Int64?
                    if peek.kind != .rightBracket { step = try duration("step") }
                    try expect(.rightBracket, "\"]\"")
                    guard expression.type == .vector else {
                        throw PromQLError.parse(
                            at: position,
                            "subquery is only allowed on instant vector, got \(expression.type.rawValue)")
                    }
                    expression = .subquery(expression, range: range, step: step, modifiers: PromQLModifiers())
                } else {
                    try expect(.rightBracket, "\"]\"")
                    guard case .vectorSelector(let selector) = expression,
                        selector.modifiers == PromQLModifiers()
                    else {
                        throw PromQLError.parse(
                            at: position, "ranges only allowed for vector selectors")
                    }
                    expression = .matrixSelector(selector, range: range)
                }
            case .identifier(let word) where word.lowercased() == "offset":
                let position = advance().position
                var negative = false
                if case .op(let sign) = peek.kind, sign == "-" || sign == "+" {
                    negative = sign == "-"
                    _ = advance()
                }
                let offset = try duration("offset")
                expression = try modify(expression, at: position) { modifiers throws(PromQLError) in
                    guard modifiers.offset == 0 else {
                        throw PromQLError.parse(at: position, "offset may not be set multiple times")
                    }
                    modifiers.offset = negative ? -offset : offset
                }
            case .at:
                let position = advance().position
                let at: PromQLModifiers.At
                switch advance().kind {
                case .number(let seconds):
                    guard seconds.isFinite, abs(seconds) <= Self.maxSeconds else {
                        throw PromQLError.parse(at: position, "timestamp out of bounds for @ modifier")
                    }
                    at = .time(milliseconds: Int64((seconds * 1000).rounded()))
                case .op(let sign) where sign == "-" || sign == "+":
                    guard case .number(let seconds) = advance().kind, seconds.isFinite else {
                        throw PromQLError.parse(at: position, "unexpected character in @ modifier")
                    }
                    guard abs(seconds) <= Self.maxSeconds else {
                        throw PromQLError.parse(at: position, "timestamp out of bounds for @ modifier")
                    }
                    at = .time(milliseconds: Int64(((sign == "-" ? -seconds : seconds) * 1000).rounded()))
                case .identifier(let word) where ["start", "end"].contains(word.lowercased()):
                    try expect(.leftParen, "\"(\"")
                    try expect(.rightParen, "\")\"")
                    at = word.lowercased() == "start" ? .start : .end
                default:
                    throw PromQLError.parse(at: position, "unexpected token in @ modifier")
                }
                expression = try modify(expression, at: position) { modifiers throws(PromQLError) in
                    guard modifiers.at == nil else {
                        throw PromQLError.parse(at: position, "@ <timestamp> may not be set multiple times")
                    }
                    modifiers.at = at
                }
            default:
                return expression
            }
        }
    }

    private func modify(
        _ expression: PromQLExpression, at position: Int,
        _ change: (inout PromQLModifiers) throws(PromQLError) -> Void
    ) throws(PromQLError) -> PromQLExpression {
        switch expression {
        case .vectorSelector(var selector):
            try change(&selector.modifiers)
            return .vectorSelector(selector)
        case .matrixSelector(var selector, let range):
            try change(&selector.modifiers)
            return .matrixSelector(selector, range: range)
        case .subquery(let inner, let range, let step, var modifiers):
            try change(&modifiers)
            return .subquery(inner, range: range, step: step, modifiers: modifiers)
        default:
            throw PromQLError.parse(
                at: position,
                "offset and @ modifiers must be preceded by an instant vector selector or range vector selector "
                    + "or a subquery")
        }
    }

    // MARK: Primary expressions

    private mutating func primary() throws(PromQLError) -> PromQLExpression {
        let token = advance()
        switch token.kind {
        case .number(let value): return .number(value)
        case .string(let text): return .string(text)
        case .leftParen:
            let inner = try expression(minimumPrecedence: 0)
            try expect(.rightParen, "\")\"")
            return .parenthesized(inner)
        case .leftBrace:
            index -= 1
            return .vectorSelector(try selector(name: nil, at: token.position))
        case .metricIdentifier(let name):
            return .vectorSelector(try selector(name: name, at: token.position))
        case .identifier(let word):
            if let op = PromQLAggregation.Operator(rawValue: word.lowercased()),
                peek.kind == .leftParen || isGroupingKeyword(peek)
            {
                return try aggregation(op, at: token.position)
            }
            if peek.kind == .leftParen {
                guard let function = PromQLFunction.all[word] else {
                    throw PromQLError.parse(at: token.position, "unknown function with name \"\(word)\"")
                }
                return try call(function, at: token.position)
            }
            if [
                "bool", "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "and", "or",
                "unless", "atan2",
            ].contains(word.lowercased()) {
                throw PromQLError.parse(at: token.position, "unexpected \(describe(token))")
            }
            return .vectorSelector(try selector(name: word, at: token.position))
        case .end:
            throw PromQLError.parse(at: token.position, "unexpected end of input")
        default:
            throw PromQLError.parse(at: token.position, "unexpected \(describe(token))")
        }
    }

    private func isGroupingKeyword(_ token: PromQLToken) -> Bool {
        if case .identifier(let word) = token.kind { return ["by", "without"].contains(word.lowercased()) }
        return false
    }

    private mutating func selector(name: String?, at position: Int) throws(PromQLError) -> PromQLSelector {
        var matchers: [PromQLMatcher] = []
        if let name { matchers.append(PromQLMatcher("__name__", .equal, name)) }
        if peek.kind == .leftBrace {
            _ = advance()
            while peek.kind != .rightBrace {
                let labelToken = advance()
                let label: String
                switch labelToken.kind {
                case .identifier(let text): label = text
                case .string(let text): label = text
                default:
                    throw PromQLError.parse(
                        at: labelToken.position,
                        "unexpected \(describe(labelToken)) in label matching, expected label")
                }
                let opToken = advance()
                guard case .op(let text) = opToken.kind, let kind = PromQLMatcher.Kind(rawValue: text) else {
                    throw PromQLError.parse(
                        at: opToken.position,
                        "unexpected \(describe(opToken)) in label matching, expected label matching operator")
                }
                let valueToken = advance()
                guard case .string(let value) = valueToken.kind else {
                    throw PromQLError.parse(
                        at: valueToken.position,
                        "unexpected \(describe(valueToken)) in label matching, expected string")
                }
                if kind == .matches || kind == .doesNotMatch {
                    guard PromQLRegex.isValid(value) else {
                        throw PromQLError.parse(
                            at: valueToken.position, "invalid regular expression \"\(value)\"")
                    }
                }
                if label == "__name__", name != nil {
                    throw PromQLError.parse(
                        at: labelToken.position,
                        "metric name must not be set twice: \"\(name!)\" or \"\(value)\"")
                }
                matchers.append(PromQLMatcher(label, kind, value))
                if peek.kind == .comma { _ = advance() } else { break }
            }
            try expect(.rightBrace, "\"}\"")
        }
        // Prometheus: a selector must have a matcher that does not match the empty string.
        guard matchers.contains(where: { !PromQLRegex.matchesEmpty($0) }) else {
            throw PromQLError.parse(
                at: position, "vector selector must contain at least one non-empty matcher")
        }
        var selectorName = name
        if selectorName == nil,
            let only = matchers.first(where: { $0.label == "__name__" && $0.kind == .equal })
        {
            selectorName = only.value
        }
        return PromQLSelector(name: selectorName, matchers: matchers)
    }

    private mutating func aggregation(
        _ op: PromQLAggregation.Operator, at position: Int
    ) throws(PromQLError) -> PromQLExpression {
        var grouping: PromQLAggregation.Grouping?
        if isGroupingKeyword(peek) { grouping = try groupingClause() }
        let arguments = try argumentList()
        if isGroupingKeyword(peek) {
            guard grouping == nil else {
                throw PromQLError.parse(at: peek.position, "unexpected <by/without>")
            }
            grouping = try groupingClause()
        }
        let expected = op.hasParameter ? 2 : 1
        guard arguments.count == expected else {
            throw PromQLError.parse(
                at: position,
                "wrong number of arguments for aggregate expression provided, expected \(expected), got \(arguments.count)"
            )
        }
        let vector = arguments[expected - 1]
        guard vector.type == .vector else {
            throw PromQLError.parse(
                at: position,
                "expected type instant vector in aggregation expression, got \(vector.type.rawValue)")
        }
        var parameter: PromQLExpression?
        if op.hasParameter {
            let wanted: PromQLValueType = op == .countValues ? .string : .scalar
            guard arguments[0].type == wanted else {
                throw PromQLError.parse(
                    at: position,
                    "expected type \(wanted.rawValue) in aggregation parameter, got \(arguments[0].type.rawValue)"
                )
            }
            parameter = arguments[0]
        }
        return .aggregate(
            PromQLAggregation(op: op, expression: vector, parameter: parameter, grouping: grouping))
    }

    private mutating func groupingClause() throws(PromQLError) -> PromQLAggregation.Grouping {
        guard case .identifier(let word) = advance().kind else {
            preconditionFailure("checked by the caller")
        }
        return PromQLAggregation.Grouping(without: word.lowercased() == "without", labels: try labelList())
    }

    private mutating func labelList() throws(PromQLError) -> [String] {
        try expect(.leftParen, "\"(\"")
        var labels: [String] = []
        while peek.kind != .rightParen {
            let token = advance()
            switch token.kind {
            case .identifier(let name): labels.append(name)
            case .string(let name): labels.append(name)
            default:
                throw PromQLError.parse(
                    at: token.position, "unexpected \(describe(token)) in grouping opts, expected label")
            }
            if peek.kind == .comma { _ = advance() } else { break }
        }
        try expect(.rightParen, "\")\"")
        return labels
    }

    /// `( expression, … )`, possibly empty.
    private mutating func argumentList() throws(PromQLError) -> [PromQLExpression] {
        try expect(.leftParen, "\"(\"")
        var arguments: [PromQLExpression] = []
        if peek.kind != .rightParen {
            arguments.append(try expression(minimumPrecedence: 0))
            while peek.kind == .comma {
                _ = advance()
                arguments.append(try expression(minimumPrecedence: 0))
            }
        }
        try expect(.rightParen, "\")\"")
        return arguments
    }

    private mutating func call(_ function: PromQLFunction, at position: Int) throws(PromQLError)
        -> PromQLExpression
    {
        let arguments = try argumentList()
        let declared = function.arguments.count
        let fewest =
            function.optional > 0
            ? declared - function.optional : function.optional < 0 ? declared - 1 : declared
        let most = function.optional < 0 ? Int.max : declared
        guard arguments.count >= fewest, arguments.count <= most else {
            let wanted =
                most == Int.max
                ? "at least \(fewest)" : fewest == declared ? "\(fewest)" : "\(fewest) or \(most)"
            throw PromQLError.parse(
                at: position,
                "expected \(wanted) argument(s) in call to \"\(function.name)\", got \(arguments.count)")
        }
        for (offset, argument) in arguments.enumerated() {
            let wanted = function.arguments[min(offset, declared - 1)]
            guard argument.type == wanted else {
                throw PromQLError.parse(
                    at: position,
                    "expected type \(wanted.rawValue) in call to function \"\(function.name)\", got \(argument.type.rawValue)"
                )
            }
        }
        return .call(function, arguments)
    }

    private mutating func duration(_ what: String) throws(PromQLError) -> Int64 {
        let token = advance()
        switch token.kind {
        case .duration(let milliseconds):
            guard milliseconds > 0 || what == "offset" else {
                throw PromQLError.parse(at: token.position, "\(what) must be positive")
            }
            return milliseconds
        case .number(let seconds) where what == "offset" || seconds > 0:
            guard abs(seconds * 1000) <= Double(PromQLDuration.maxMilliseconds) else {
                throw PromQLError.parse(at: token.position, "duration out of range")
            }
            return Int64((seconds * 1000).rounded())
        default:
            throw PromQLError.parse(
                at: token.position, "unexpected \(describe(token)), expected duration for \(what)")
        }
    }

    private mutating func expect(_ kind: PromQLToken.Kind, _ what: String) throws(PromQLError) {
        let token = advance()
        guard token.kind == kind else {
            throw PromQLError.parse(at: token.position, "unexpected \(describe(token)), expected \(what)")
        }
    }

    func describe(_ token: PromQLToken) -> String {
        switch token.kind {
        case .identifier(let text), .metricIdentifier(let text): "identifier \"\(text)\""
        case .number(let value): "number \"\(value)\""
        case .string(let text): "string \"\(text)\""
        case .duration(let milliseconds): "duration \"\(milliseconds)ms\""
        case .leftParen: "\"(\""
        case .rightParen: "\")\""
        case .leftBrace: "\"{\""
        case .rightBrace: "\"}\""
        case .leftBracket: "\"[\""
        case .rightBracket: "\"]\""
        case .comma: "\",\""
        case .colon: "\":\""
        case .at: "\"@\""
        case .op(let text): "\"\(text)\""
        case .end: "end of input"
        }
    }
}
