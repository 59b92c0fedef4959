import Testing

@testable import RondonePromQL

/// The parser against Prometheus's grammar: what it builds, and what it refuses with
/// which message.
@Suite("PromQL parser")
struct PromQLParserTests {
    static func parse(_ query: String) throws -> PromQLExpression { try PromQLParser.parse(query) }

    static func error(_ query: String) -> String? {
        do {
            _ = try PromQLParser.parse(query)
            return nil
        } catch {
            return error.description
        }
    }

    static func selector(
        _ name: String?, _ matchers: [PromQLMatcher] = [], _ modifiers: PromQLModifiers = .init()
    )
        -> PromQLSelector
    {
        PromQLSelector(
            name: name, matchers: (name.map { [PromQLMatcher("__name__", .equal, $0)] } ?? []) + matchers,
            modifiers: modifiers)
    }

    @Test func literals() throws {
        #expect(try Self.parse("1") == .number(1))
        #expect(try Self.parse("-1.5e3") == .number(-1500))
        #expect(try Self.parse("0x1F") == .number(31))
        #expect(try Self.parse("+Inf") == .number(.infinity))
        if case .number(let value) = try Self.parse("NaN") {
            #expect(value.isNaN)
        } else {
            Issue.record("NaN")
        }
        #expect(try Self.parse(#""a\tb""#) == .string("a\tb"))
        #expect(try Self.parse("`raw\\n`") == .string("raw\\n"))
    }

    @Test func selectors() throws {
        #expect(try Self.parse("up") == .vectorSelector(Self.selector("up")))
        #expect(
            try Self.parse(#"http_requests_total{job="api", code!~"5..", path=~"/v1/.*"}"#)
                == .vectorSelector(
                    Self.selector(
                        "http_requests_total",
                        [
                            .init("job", .equal, "api"), .init("code", .doesNotMatch, "5.."),
                            .init("path", .matches, "/v1/.*"),
                        ])))
        #expect(
            try Self.parse(#"{__name__=~"cpu.*", host="a"}"#)
                == .vectorSelector(
                    PromQLSelector(
                        name: nil,
                        matchers: [.init("__name__", .matches, "cpu.*"), .init("host", .equal, "a")])))
        #expect(try Self.parse("job:rate5m:sum") == .vectorSelector(Self.selector("job:rate5m:sum")))
        #expect(
            try Self.parse("up[5m] offset 1h @ 100")
                == .matrixSelector(
                    Self.selector(
                        "up", [], PromQLModifiers(offset: 3_600_000, at: .time(milliseconds: 100_000))),
                    range: 300_000))
        #expect(
            try Self.parse("up offset -1h30m")
                == .vectorSelector(Self.selector("up", [], .init(offset: -5_400_000))))
        #expect(try Self.parse("up @ end()") == .vectorSelector(Self.selector("up", [], .init(at: .end))))
    }

    @Test func precedenceAndAssociativity() throws {
        // 1 + 2 * 3 ^ 2 ^ 2 = 1 + (2 * (3 ^ (2 ^ 2)))
        let tree = try Self.parse("1 + 2 * 3 ^ 2 ^ 2")
        guard case .binary(let add) = tree, add.op == .add, case .binary(let multiply) = add.rhs,
            multiply.op == .multiply, case .binary(let power) = multiply.rhs, power.op == .power,
            case .binary(let inner) = power.rhs, inner.op == .power
        else {
            Issue.record("wrong tree: \(tree)")
            return
        }
        // - binds like *: -2 ^ 2 is -(2 ^ 2); -a * b is (-a) * b.
        guard case .negation(let negated) = try Self.parse("-2 ^ 2"), case .binary(let squared) = negated
        else {
            Issue.record("-2 ^ 2")
            return
        }
        #expect(squared.op == .power)
        guard case .binary(let product) = try Self.parse("-a * b"), case .negation = product.lhs else {
            Issue.record("-a * b")
            return
        }
        // Left-associative: a - b - c = (a - b) - c; or binds loosest.
        guard case .binary(let minus) = try Self.parse("a - b - c"), case .binary = minus.lhs else {
            Issue.record("a - b - c")
            return
        }
        guard case .binary(let or) = try Self.parse("a and b or c unless d"), or.op == .or,
            case .binary(let and) = or.lhs, and.op == .and, case .binary(let unless) = or.rhs,
            unless.op == .unless
        else {
            Issue.record("set operators")
            return
        }
    }

    @Test func vectorMatching() throws {
        guard
            case .binary(let binary) = try Self.parse(
                "a / on (job, instance) group_left (version) b")
        else { Issue.record("binary"); return }
        #expect(
            binary.matching
                == PromQLBinary.Matching(
                    cardinality: .manyToOne, on: true, labels: ["job", "instance"], include: ["version"]))
        guard case .binary(let comparison) = try Self.parse("a > bool ignoring (x) b") else {
            Issue.record("bool"); return
        }
        #expect(
            comparison.returnsBool && comparison.matching?.labels == ["x"] && comparison.matching?.on == false
        )
        guard case .binary(let set) = try Self.parse("a or b") else { Issue.record("or"); return }
        #expect(set.matching?.cardinality == .manyToMany)
        guard case .binary(let scalar) = try Self.parse("a * 2") else { Issue.record("scalar"); return }
        #expect(scalar.matching == nil)
    }

    @Test func aggregationsAndCalls() throws {
        let expected = PromQLExpression.aggregate(
            PromQLAggregation(
                op: .sum,
                expression: .call(
                    PromQLFunction.all["rate"]!, [.matrixSelector(Self.selector("x"), range: 300_000)]),
                parameter: nil, grouping: .init(without: false, labels: ["job"])))
        #expect(try Self.parse("sum by (job) (rate(x[5m]))") == expected)
        #expect(try Self.parse("sum(rate(x[5m])) by (job)") == expected)
        guard case .aggregate(let topk) = try Self.parse("topk(3, x) without (a)") else {
            Issue.record("topk"); return
        }
        #expect(topk.parameter == .number(3) && topk.grouping == .init(without: true, labels: ["a"]))
        guard case .aggregate(let values) = try Self.parse(#"count_values("v", x)"#) else {
            Issue.record("cv"); return
        }
        #expect(values.parameter == .string("v"))
        #expect(try Self.parse("time()") == .call(PromQLFunction.all["time"]!, []))
        #expect(
            try Self.parse("max_over_time(rate(x[1m])[1h:5m])")
                == .call(
                    PromQLFunction.all["max_over_time"]!,
                    [
                        .subquery(
                            .call(
                                PromQLFunction.all["rate"]!,
                                [.matrixSelector(Self.selector("x"), range: 60_000)]),
                            range: 3_600_000, step: 300_000, modifiers: .init())
                    ]))
        #expect(
            try Self.parse(#"label_join(x, "d", ",", "a", "b", "c")"#).type == .vector)
        #expect(try Self.parse("round(x)").type == .vector)
        #expect(try Self.parse("scalar(x) + 1").type == .scalar)
        #expect(try Self.parse("sum(x)").type == .vector)
        #expect(try Self.parse("x[5m:]").type == .matrix)
    }

    @Test(arguments: [
        ("", "parse error at char 1: no expression found in input"),
        (
            "rate(x)",
            #"parse error at char 1: expected type range vector in call to function "rate", got instant vector"#
        ),
        ("foo(x)", #"parse error at char 1: unknown function with name "foo""#),
        ("1 > 2", "parse error at char 3: comparisons between scalars must use BOOL modifier"),
        ("1 and 2", #"parse error at char 3: set operator "and" not allowed in binary scalar expression"#),
        ("x + bool y", "parse error at char 3: bool modifier can only be used on comparison operators"),
        (
            "x[5m] + 1",
            "parse error at char 7: binary expression must contain only scalar and instant vector types"
        ),
        (#"{a=""}"#, "parse error at char 1: vector selector must contain at least one non-empty matcher"),
        (#"{a=~".*"}"#, "parse error at char 1: vector selector must contain at least one non-empty matcher"),
        (#"x{a=~"("}"#, #"parse error at char 6: invalid regular expression "(""#),
        (
            "sum(x, y)",
            "parse error at char 1: wrong number of arguments for aggregate expression provided, expected 1, got 2"
        ),
        (
            "topk(x)",
            "parse error at char 1: wrong number of arguments for aggregate expression provided, expected 2, got 1"
        ),
        (
            "sum(x) offset 5m",
            "parse error at char 8: offset and @ modifiers must be preceded by an instant vector selector or range vector selector or a subquery"
        ),
        ("rate(x[5m])[1h]", "parse error at char 12: ranges only allowed for vector selectors"),
        (
            "x[5m:1m][1h:1m]",
            "parse error at char 9: subquery is only allowed on instant vector, got range vector"
        ),
        ("x offset 1m offset 2m", "parse error at char 13: offset may not be set multiple times"),
        ("a or on (x) group_left b", #"parse error at char 13: no grouping allowed for "or" operation"#),
        ("(1", #"parse error at char 3: unexpected end of input, expected ")""#),
        ("x{", "parse error at char 3: unexpected end of input in label matching, expected label"),
        ("1 2", #"parse error at char 3: unexpected number "2.0""#),
        ("\"unterminated", "parse error at char 1: unterminated quoted string"),
        ("x[0s]", "parse error at char 3: range must be positive"),
        ("3x", #"parse error at char 1: bad number or duration syntax: "3x""#),
        (
            "-x[5m]",
            #"parse error at char 1: unary expression only allowed on expressions of type scalar or instant vector, got "range vector""#
        ),
        (
            "a == on (x) group_left (x) b",
            #"parse error at char 3: label "x" must not occur in ON and GROUP clause at once"#
        ),
    ])
    func refusals(query: String, message: String) {
        #expect(Self.error(query) == message)
    }

    @Test func twoStringsAreAnError() {
        #expect(Self.error("'a' 'b'") != nil)
    }
}
