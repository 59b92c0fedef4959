import RondoneQuery
import RondoneTimeSeries
import Testing

/// The prefix syntax (pyparsing's `nestedExpr`) and the schema, against what Gnocchi
/// 4.7 answers for the same input (messages taken from its voluptuous schema).
@Suite("Operations parsing")
struct OperationsParsingTests {
    static let id = "8c062a7e-9f9f-4b1c-9996-9d0328512ab7"

    static func validate(_ text: String) throws -> Operation {
        try OperationsSchema.validate(try OperationsText.parse(text))
    }

    static func message(_ node: OperationNode) -> OperationsSchema.Invalid? {
        do {
            _ = try OperationsSchema.validate(node)
            return nil
        } catch {
            return error
        }
    }

    @Test func nestedGroupsAndWords() throws {
        #expect(
            try OperationsText.parse("  (aggregate mean (metric (a mean) (b max)))")
                == .list([
                    .string("aggregate"), .string("mean"),
                    .list([
                        .string("metric"), .list([.string("a"), .string("mean")]),
                        .list([.string("b"), .string("max")]),
                    ]),
                ]))
        // Quoted strings keep their quotes; text after the first group is ignored.
        #expect(
            try OperationsText.parse(#"(metric "a b" mean)) trailing"#)
                == .list([.string("metric"), .string("\"a b\""), .string("mean")]))
        #expect(
            try OperationsText.parse("(+(metric a mean)2.0)")
                == .list([
                    .string("+"), .list([.string("metric"), .string("a"), .string("mean")]), .string("2.0"),
                ]))
    }

    @Test func syntaxErrors() {
        #expect(
            throws: OperationsText.SyntaxError(
                message: "Expected ')', found end of text  (at char 15), (line:1, col:16)")
        ) {
            try OperationsText.parse("(metroc foo bar")
        }
        #expect(
            throws: OperationsText.SyntaxError(
                message: "Expected '(', found 'metric'  (at char 0), (line:1, col:1)")
        ) {
            try OperationsText.parse("metric a mean")
        }
        #expect(throws: OperationsText.SyntaxError.self) { try OperationsText.parse("") }
        let deep = String(repeating: "(", count: 1000) + String(repeating: ")", count: 1000)
        #expect(throws: OperationsText.SyntaxError.self) { try OperationsText.parse(deep) }
    }

    @Test func validTrees() throws {
        let key = ReferenceKey(name: Self.id, aggregation: "mean")
        #expect(try Self.validate("(metric \(Self.id.uppercased()) mean)") == .metric([key], single: true))
        // `int()` reads no float text, but truncates a JSON float.
        #expect(throws: OperationsSchema.Invalid.self) {
            try Self.validate("(rolling rate:max 2.0e0 (abs (metric \(Self.id) mean)))")
        }
        #expect(
            try OperationsSchema.validate(
                .list([
                    .string("rolling"), .string("rate:max"), .number(2.7, isInteger: false),
                    .list([.string("metric"), .string(Self.id), .string("mean")]),
                ]))
                == .rolling(
                    CrossAggregation(method: .max, isRate: true), window: 2, .metric([key], single: true)))
        #expect(
            try Self.validate("(resample mean 1min (metric \(Self.id) mean))")
                == .resample(Aggregation(.mean), .timespan(.minutes(1)), .metric([key], single: true)))
        #expect(
            try Self.validate("(clip_min (- (metric \(Self.id) mean) 1e1) 10)")
                == .binary(
                    .clipMin, .binary(.subtract, .metric([key], single: true), .number(10)), .number(10)))
        #expect(
            try Self.validate("(rolling mean 2 (metric (\(Self.id) mean)))")
                == .rolling(CrossAggregation(method: .mean), window: 2, .metric([key], single: false)))
        #expect(
            try OperationsSchema.validate(.list([.string("abs"), .boolean(true)]))
                == .unary(.absolute, .number(1)))
        let tree = try Self.validate("(+ (metric (a mean) (b mean)) (metric a mean))")
        #expect(
            tree.references == [
                ReferenceKey(name: "a", aggregation: "mean"), ReferenceKey(name: "b", aggregation: "mean"),
            ]
        )
    }

    @Test func gnocchiMessages() throws {
        let metric = OperationNode.list([.string("metric"), .string("a"), .string("mean")])
        let cases: [(OperationNode, String, Int?)] = [
            (.list([]), "Operation must not be empty", nil),
            (.list([.string("metric")]), "Operation need at least one argument", nil),
            (.other(typeName: "dict"), "Expected a tuple/list, got a <class 'dict'>", nil),
            (.number(5, isInteger: true), "Expected a tuple/list, got a <class 'int'>", nil),
            (
                .list([.string("notexist"), .list([.string("absolute"), metric])]),
                "'notexist' operation invalid", nil
            ),
            (
                .list([.string("rolling"), .string("blah"), .string("2"), metric]),
                "'rolling' operation invalid", nil
            ),
            (.list([.string("rolling"), .string("mean"), metric]), "'rolling' operation invalid", nil),
            (
                .list([.string("rolling"), .string("mean"), .string("0"), metric]),
                "'rolling' operation invalid", nil
            ),
            (
                .list([.string("rolling"), .string("mean"), .string("2.5"), metric]),
                "'rolling' operation invalid", nil
            ),
            (
                .list([.string("resample"), .string("mean"), .string("invalid"), metric]),
                "'resample' operation invalid", nil
            ),
            (.list([.string("+"), metric, .string("x")]), "'+' operation invalid", nil),
            (
                .list([.string("+"), metric, .number(2, isInteger: true), .number(3, isInteger: true)]),
                "'+' operation invalid", nil
            ),
            (.list([.string("abs"), .other(typeName: "NoneType")]), "'abs' operation invalid", nil),
            (
                .list([.string("negative"), metric, .number(2, isInteger: true)]),
                "'negative' operation invalid", nil
            ),
            (.list([.string("aggregate"), .string("foo"), metric]), "'aggregate' operation invalid", nil),
            (
                .list([.list([.string("metric"), .string("a"), .string("mean")])]),
                "Operation need at least one argument", nil
            ),
            (.list([.string("metric"), .string("a")]), "None", 0),
            (.list([.string("metric"), .list([.string("a"), .string("mean")]), .string("b")]), "None", 1),
        ]
        for (node, message, index) in cases {
            let error = Self.message(node)
            #expect(error?.message == message, "\(node)")
            #expect(error?.index == index, "\(node)")
        }
    }

    @Test func limits() {
        var node = OperationNode.list([.string("metric"), .string("a"), .string("mean")])
        for _ in 0..<100 { node = .list([.string("abs"), node]) }
        #expect(Self.message(node)?.message == "'abs' operation invalid")
    }
}
