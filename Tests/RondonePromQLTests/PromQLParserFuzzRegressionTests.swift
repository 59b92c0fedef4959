import Testing

@testable import RondonePromQL

/// Inputs the fuzzer (`fuzz-promql`, docs/FUZZING.md) found to crash the parser: each must
/// be refused with a parse error, never trap, overflow the stack or take quadratic time.
@Suite("PromQL parser fuzz regressions")
struct PromQLParserFuzzRegressionTests {
    static func error(_ query: String) -> String? {
        do {
            _ = try PromQLParser.parse(query)
            return nil
        } catch {
            return error.description
        }
    }

    /// A number where a duration goes is seconds; times 1 000 it did not fit an Int64 and
    /// the conversion trapped (`SUM [9223372036854775807`, the fuzzer's first crash; main
    /// bounded these at the same time, with Prometheus's limits).
    @Test(arguments: [
        ("SUM [9223372036854775807", "parse error at char 6: duration out of range"),
        ("x[9223372036854775807]", "parse error at char 3: duration out of range"),
        ("x[Inf]", "parse error at char 3: duration out of range"),
        ("x offset NaN", "parse error at char 10: duration out of range"),
        ("x offset -Inf", "parse error at char 11: duration out of range"),
        ("x offset 1e300", "parse error at char 10: duration out of range"),
        ("x @ 1e300", "parse error at char 3: timestamp out of bounds for @ modifier"),
        ("x @ -1e16", "parse error at char 3: timestamp out of bounds for @ modifier"),
        ("x @ NaN", "parse error at char 3: timestamp out of bounds for @ modifier"),
    ])
    func numbersBeyondTheBoundsAreRefused(query: String, message: String) {
        #expect(Self.error(query) == message)
    }

    /// Numbers within the bounds are read as before.
    @Test func numbersWithinTheBoundsStillParse() throws {
        guard case .vectorSelector(let selector) = try PromQLParser.parse("x @ 9000000000") else {
            Issue.record("not a selector")
            return
        }
        #expect(selector.modifiers.at == .time(milliseconds: 9_000_000_000_000))
        guard case .matrixSelector(_, let range) = try PromQLParser.parse("x[1e9]") else {
            Issue.record("not a range")
            return
        }
        #expect(range == 1_000_000_000_000)
    }

    /// Nesting recursed once per level with no bound: a few thousand parentheses, signs or
    /// calls overflowed the stack (`abs(` 1 000 times did under AddressSanitizer), and a long
    /// operator chain made a tree as deep, whose type was recomputed down its whole left
    /// side at every operator (`1+1+…` 8 000 times took over 20 s).
    @Test(arguments: [
        ("(", "1", ")"),
        ("-", "1", ""),
        ("abs(", "up", ")"),
        ("sum(", "up", ")"),
        ("", "1", "+1"),
        ("", "up", " or up"),
        ("", "2", "^2"),
        ("rate(", "up[1m:]", ")[1m:]"),
    ])
    func nestingIsBoundedByMaxDepth(prefix: String, middle: String, suffix: String) {
        func nested(_ levels: Int) -> String {
            if prefix.isEmpty { return middle + String(repeating: suffix, count: levels) }
            return String(repeating: prefix, count: levels) + middle
                + String(repeating: suffix, count: levels)
        }
        // Well within the limit parses (a level of the shape can count twice: `rate(` and
        // its subquery's operand are both expressions).
        #expect(Self.error(nested(PromQLParser.maxDepth / 3)) == nil)
        for levels in [PromQLParser.maxDepth + 1, 50_000] {
            let message = Self.error(nested(levels)) ?? "parsed"
            #expect(message.hasSuffix("expression nested deeper than \(PromQLParser.maxDepth) levels"))
        }
    }

    /// At the limit itself, parentheses and chains still parse: n parentheses are n + 1
    /// levels with their operand, a chain of n operators n + 2 with its last operand.
    @Test func theLimitItselfParses() {
        let levels = PromQLParser.maxDepth
        let parentheses =
            String(repeating: "(", count: levels - 1) + "1" + String(repeating: ")", count: levels - 1)
        #expect(Self.error(parentheses) == nil)
        #expect(Self.error("1" + String(repeating: " + 1", count: levels - 2)) == nil)
        #expect(Self.error("1" + String(repeating: " + 1", count: levels - 1)) != nil)
    }
}
