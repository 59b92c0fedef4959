import RondoneQuery
import RondoneTimeSeries
import Testing

/// Every operation against values worked out by hand (numpy's semantics: NaN-ignoring
/// reductions, population `std`/`var`, Python's `%`, comparisons as 1.0/0.0).
@Suite("Operations evaluation")
struct EvaluatorTests {
    static let a = ReferenceKey(name: "a", aggregation: "mean")
    static let b = ReferenceKey(name: "b", aggregation: "mean")
    static let second: Int64 = 1_000_000_000
    static let minute = 60 * second
    /// Two series at 60 s: a = [43.1, -2, 10], b = [2, 4.5, 12.5].
    static let frame = Frame(
        granularity: minute, timestamps: [0, minute, 2 * minute], columns: [[43.1, -2, 10], [2, 4.5, 12.5]])
    static let evaluator = Evaluator(references: [a, b])
    static let both = Operation.metric([a, b], single: false)
    static let onlyA = Operation.metric([a], single: true)
    static let onlyB = Operation.metric([b], single: true)

    static func run(_ operation: Operation) throws -> Evaluator.Result {
        try evaluator.evaluate(operation, over: frame)
    }

    static func column(_ operation: Operation, _ index: Int = 0) throws -> [Double] {
        try run(operation).frame.columns[index]
    }

    static func same(_ lhs: [Double], _ rhs: [Double]) -> Bool {
        lhs.count == rhs.count && zip(lhs, rhs).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
    }

    @Test func metricSelectsColumns() throws {
        #expect(try Self.run(Self.onlyB).frame.columns == [[2, 4.5, 12.5]])
        #expect(try Self.run(Self.both).frame.columns.count == 2)
        #expect(try !Self.run(Self.both).isAggregated)
    }

    @Test func aggregateAcrossSeries() throws {
        func across(_ name: String) throws -> [Double] {
            try Self.column(.aggregate(CrossAggregation(name: name)!, Self.both))
        }
        #expect(try across("mean") == [22.55, 1.25, 11.25])
        #expect(try across("sum") == [45.1, 2.5, 22.5])
        #expect(try across("min") == [2, -2, 10])
        #expect(try across("max") == [43.1, 4.5, 12.5])
        #expect(try across("count") == [2, 2, 2])
        #expect(try across("median") == [22.55, 1.25, 11.25])
        // Population variance: ((43.1 - 22.55)^2 + (2 - 22.55)^2) / 2 = 20.55^2.
        #expect(try across("var")[2] == 1.5625)
        #expect(try across("std")[2] == 1.25)
        #expect(try across("rate:mean") == [1.25 - 22.55, 11.25 - 1.25])
        #expect(try Self.run(.aggregate(CrossAggregation(method: .mean), Self.both)).isAggregated)
        #expect(
            try Self.run(.aggregate(CrossAggregation(method: .mean, isRate: true), Self.both)).frame
                .timestamps == [Self.minute, 2 * Self.minute])
    }

    @Test func reductionsIgnoreNaN() throws {
        let frame = Frame(
            granularity: Self.minute, timestamps: [0, Self.minute],
            columns: [[1, .nan], [.nan, .nan], [3, .nan]])
        let evaluator = Evaluator(references: [Self.a, Self.b, ReferenceKey(name: "c", aggregation: "mean")])
        func across(_ method: CrossAggregation.Method) throws -> [Double] {
            try evaluator.evaluate(
                .aggregate(CrossAggregation(method: method), .metric(evaluator.references, single: false)),
                over: frame
            ).frame.columns[0]
        }
        #expect(Self.same(try across(.mean), [2, .nan]))
        #expect(Self.same(try across(.sum), [4, 0]))
        #expect(Self.same(try across(.count), [2, 0]))
        #expect(Self.same(try across(.min), [1, .nan]))
        #expect(Self.same(try across(.median), [2, .nan]))
        #expect(Self.same(try across(.std), [1, .nan]))
    }

    @Test func rolling() throws {
        let result = try Self.run(.rolling(CrossAggregation(method: .mean), window: 2, Self.onlyA))
        #expect(result.frame.timestamps == [Self.minute, 2 * Self.minute])
        #expect(result.frame.columns == [[(43.1 - 2) / 2, 4]])
        #expect(!result.isAggregated)
        let rated = try Self.run(
            .rolling(CrossAggregation(method: .sum, isRate: true), window: 2, Self.onlyA))
        #expect(rated.frame.timestamps == [2 * Self.minute])
        #expect(rated.frame.columns == [[8 - 41.1]])
        #expect(
            throws: QueryError.unaggregable(
                detail: [[.text("a"), .text("mean")], [.text("b"), .text("mean")]],
                reason: "Rolling window '4' is greater than serie length '3'")
        ) {
            try Self.run(.rolling(CrossAggregation(method: .mean), window: 4, Self.onlyA))
        }
    }

    @Test func resample() throws {
        let result = try Self.run(.resample(Aggregation(.mean), .timespan(.minutes(2)), Self.both))
        #expect(result.frame.granularity == 2 * Self.minute)
        #expect(result.frame.timestamps == [0, 2 * Self.minute])
        #expect(result.frame.columns == [[(43.1 - 2) / 2, 10], [3.25, 12.5]])
    }

    @Test func unaryOperators() throws {
        #expect(try Self.column(.unary(.absolute, Self.onlyA)) == [43.1, 2, 10])
        #expect(try Self.column(.unary(.negative, Self.onlyA)) == [-43.1, 2, -10])
        #expect(try Self.column(.unary(.floor, Self.onlyB)) == [2, 4, 12])
        #expect(try Self.column(.unary(.ceil, Self.onlyB)) == [2, 5, 13])
        let zero = Frame(granularity: Self.minute, timestamps: [0], columns: [[0]])
        let single = Evaluator(references: [Self.a])
        #expect(try single.evaluate(.unary(.cos, Self.onlyA), over: zero).frame.columns == [[1]])
        #expect(try single.evaluate(.unary(.sin, Self.onlyA), over: zero).frame.columns == [[0]])
        #expect(try single.evaluate(.unary(.tan, Self.onlyA), over: zero).frame.columns == [[0]])
        let rate = try Self.run(.unary(.rateOfChange, Self.onlyA))
        #expect(rate.frame.timestamps == [Self.minute, 2 * Self.minute])
        #expect(rate.frame.columns == [[-2 - 43.1, 12]])
        let perSecond = try Self.run(.unary(.rateOfChangePerSecond, Self.onlyA))
        #expect(perSecond.frame.timestamps == Self.frame.timestamps)
        #expect(Self.same(perSecond.frame.columns[0], [.nan, (-2 - 43.1) / 60, 12.0 / 60]))
    }

    @Test func binaryOperators() throws {
        func with(_ op: BinaryOperator, _ value: Double) throws -> [Double] {
            try Self.column(.binary(op, Self.onlyA, .number(value)))
        }
        #expect(try with(.add, 2) == [45.1, 0, 12])
        #expect(try with(.subtract, 2) == [41.1, -4, 8])
        #expect(try with(.multiply, 2) == [86.2, -4, 20])
        #expect(try with(.divide, 2) == [21.55, -1, 5])
        #expect(try with(.power, 2) == [43.1 * 43.1, 4, 100])
        #expect(try with(.modulo, 3) == [(43.1 as Double).truncatingRemainder(dividingBy: 3), 1, 1])
        #expect(try with(.modulo, -3) == [(43.1 as Double).truncatingRemainder(dividingBy: 3) - 3, -2, -2])
        #expect(try with(.greater, 5) == [1, 0, 1])
        #expect(try with(.lessEqual, 10) == [0, 1, 1])
        #expect(try with(.equal, 10) == [0, 0, 1])
        #expect(try with(.notEqual, 10) == [1, 1, 0])
        #expect(try with(.clipMin, 0) == [43.1, 0, 10])
        #expect(try with(.clipMax, 5) == [5, -2, 5])
        #expect(try with(.max, 5) == [43.1, 5, 10])
        #expect(try Self.column(.binary(.subtract, .number(1), Self.onlyA)) == [1 - 43.1, 3, -9])
        #expect(try !Self.run(.binary(.add, Self.onlyA, .number(1))).isAggregated)
        let difference = try Self.run(.binary(.subtract, Self.onlyA, Self.onlyB))
        #expect(difference.isAggregated)
        #expect(difference.frame.columns == [[41.1, -6.5, -2.5]])
        // One series against several: broadcast.
        #expect(try Self.run(.binary(.add, Self.both, Self.onlyA)).frame.columns.count == 2)
        #expect(try Self.column(.clip(Self.onlyA, .number(0), .number(11))) == [11, 0, 10])
        #expect(try Self.column(.clip(Self.onlyA, .number(0), nil)) == [43.1, 0, 10])
    }

    @Test func mismatchedOperands() throws {
        #expect(throws: QueryError.self) {
            try Self.run(.binary(.add, Self.onlyA, .unary(.rateOfChange, Self.onlyB)))
        }
        #expect(throws: QueryError.invalidOperation("The operations evaluate to a number, not to series")) {
            try Self.run(.number(1))
        }
    }
}

extension EvaluatorTests {
    @Test func operandsOfDifferentTimeAxesAreRefused() throws {
        let rate = Operation.unary(.rateOfChange, Self.onlyB)
        #expect(
            throws: QueryError.unaggregable(
                detail: [[.text("a"), .text("mean")], [.text("b"), .text("mean")]],
                reason:
                    "Can't compute timeseries with different granularity ['metric', 'a', 'mean'] <> "
                    + "['rateofchange', ['metric', 'b', 'mean']]")
        ) {
            try Self.run(.binary(.add, Self.onlyA, rate))
        }
        #expect(BinaryOperator.lessEqual.name == "<=")
        #expect(UnaryOperator.absolute.name == "abs")
    }
}
