import RondoneQuery
import RondoneTimeSeries
import Testing

/// The evaluator against Gnocchi 4.7.1's own `operations.evaluate` (numpy) on one
/// frame: two series of 12 points a second apart, each with a NaN. Expected values are
/// numpy's, written as hex floats so the comparison is bit for bit. Regenerate by
/// running Gnocchi's `evaluate` on the same frame (see the series below).
@Suite("Operations against Gnocchi's numpy")
struct EvaluatorGnocchiVectors {
    static let a: [Double] = [1.5, -2.25, 3.1, 7.7, .nan, 0.3, 12.9, -4.4, 5.55, 6.0, 2.2, -0.7]
    static let b: [Double] = [0.5, 4.0, -1.1, 2.2, 3.3, .nan, 8.8, 1.0, -9.5, 0.25, 4.4, 7.1]
    static let start: Int64 = 1_425_652_437
    static let second: Int64 = 1_000_000_000

    /// (name, operations, aggregated, granularity in s, columns, time stamps in s after `start`).
    static let vectors: [(String, String, Bool, Int64, [[Double]], [Int64])] = [
        (
            "aggregateStd", "(aggregate std (metric (a mean) (b mean)))", true, 1,
            [
                [
                    0x1.0000000000000p-1, 0x1.9000000000000p+1, 0x1.0cccccccccccdp+1, 0x1.6000000000000p+1,
                    0x0.0p+0, 0x0.0p+0, 0x1.0666666666666p+1, 0x1.599999999999ap+1, 0x1.e19999999999ap+2,
                    0x1.7000000000000p+1, 0x1.199999999999ap+0, 0x1.f333333333332p+1,
                ]
            ], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
        ),
        (
            "aggregateVar", "(aggregate var (metric (a mean) (b mean)))", true, 1,
            [
                [
                    0x1.0000000000000p-2, 0x1.3880000000000p+3, 0x1.1a3d70a3d70a4p+2, 0x1.e400000000000p+2,
                    0x0.0p+0, 0x0.0p+0, 0x1.0cf5c28f5c28ep+2, 0x1.d28f5c28f5c2ap+2, 0x1.c50147ae147afp+5,
                    0x1.0880000000000p+3, 0x1.35c28f5c28f5dp+0, 0x1.e6b851eb851eap+3,
                ]
            ], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
        ),
        (
            "aggregateMedian", "(aggregate median (metric (a mean) (b mean)))", true, 1,
            [
                [
                    0x1.0000000000000p+0, 0x1.c000000000000p-1, 0x1.0000000000000p+0, 0x1.3cccccccccccdp+2,
                    0x1.a666666666666p+1, 0x1.3333333333333p-2, 0x1.5b33333333334p+3, -0x1.b333333333334p+0,
                    -0x1.f99999999999ap+0, 0x1.9000000000000p+1, 0x1.a666666666667p+1, 0x1.9999999999999p+1,
                ]
            ], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
        ),
        (
            "aggregateRateMax", "(aggregate rate:max (metric (a mean) (b mean)))", true, 1,
            [
                [
                    0x1.4000000000000p+1, -0x1.cccccccccccccp-1, 0x1.2666666666666p+2, -0x1.199999999999ap+2,
                    -0x1.8000000000000p+1, 0x1.9333333333333p+3, -0x1.7cccccccccccdp+3, 0x1.2333333333333p+2,
                    0x1.cccccccccccd0p-2, -0x1.9999999999998p+0, 0x1.5999999999998p+1,
                ]
            ], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
        ),
        (
            "aggregateCount", "(aggregate count (metric (a mean) (b mean)))", true, 1,
            [
                [
                    0x1.0000000000000p+1, 0x1.0000000000000p+1, 0x1.0000000000000p+1, 0x1.0000000000000p+1,
                    0x1.0000000000000p+0, 0x1.0000000000000p+0, 0x1.0000000000000p+1, 0x1.0000000000000p+1,
                    0x1.0000000000000p+1, 0x1.0000000000000p+1, 0x1.0000000000000p+1, 0x1.0000000000000p+1,
                ]
            ], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
        ),
        (
            "aggregateSum", "(aggregate sum (metric (a mean) (b mean)))", true, 1,
            [
                [
                    0x1.0000000000000p+1, 0x1.c000000000000p+0, 0x1.0000000000000p+1, 0x1.3cccccccccccdp+3,
                    0x1.a666666666666p+1, 0x1.3333333333333p-2, 0x1.5b33333333334p+4, -0x1.b333333333334p+1,
                    -0x1.f99999999999ap+1, 0x1.9000000000000p+2, 0x1.a666666666667p+2, 0x1.9999999999999p+2,
                ]
            ], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
        ),
        (
            "rollingSum10", "(rolling sum 10 (metric a mean))", false, 1,
            [[0x1.e666666666667p+4, 0x1.f19999999999ap+4, 0x1.0533333333333p+5]], [9, 10, 11]
        ),
        (
            "rollingMean10", "(rolling mean 10 (metric b mean))", false, 1,
            [[0x1.0cccccccccccep+0, 0x1.7bbbbbbbbbbbcp+0, 0x1.d3e93e93e93ebp+0]], [9, 10, 11]
        ),
        (
            "rollingStd3", "(rolling std 3 (metric a mean))", false, 1,
            [
                [
                    0x1.1efeaa7d37d96p+1, 0x1.0437f4847e6ffp+2, 0x1.2666666666666p+1, 0x1.d99999999999ap+1,
                    0x1.9333333333334p+2, 0x1.d37544317ea42p+2, 0x1.c5b5fda58a9e8p+2, 0x1.333425eca9975p+2,
                    0x1.b1fc38363721ep+0, 0x1.5f2a420db30aep+1,
                ]
            ], [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
        ),
        (
            "rollingRateMean3", "(rolling rate:mean 3 (metric b mean))", false, 1,
            [
                [
                    0x1.2222222222222p-1, -0x1.dddddddddddd8p-3, 0x1.4888888888888p+0, 0x1.a666666666668p+1,
                    -0x1.2666666666668p+0, -0x1.3333333333333p+2, -0x1.6cccccccccccdp+1, 0x1.2222222222223p+0,
                    0x1.6222222222222p+2,
                ]
            ], [3, 4, 5, 6, 7, 8, 9, 10, 11]
        ),
        (
            "modNegative", "(% (metric a mean) -3.3)", false, 1,
            [
                [
                    -0x1.cccccccccccccp+0, -0x1.2000000000000p+1, -0x1.9999999999990p-3,
                    -0x1.1999999999998p+1, .nan, -0x1.8000000000000p+1, -0x1.3333333333320p-2,
                    -0x1.199999999999cp+0, -0x1.0ccccccccccccp+0, -0x1.3333333333330p-1,
                    -0x1.1999999999998p+0, -0x1.6666666666666p-1,
                ]
            ], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
        ),
        (
            "powerHalf", "(** (metric a mean) 0.5)", false, 1,
            [
                [
                    0x1.3988e1409212ep+0, .nan, 0x1.c2bc08f4bfa98p+0, 0x1.632f82848c789p+1, .nan,
                    0x1.186f174f88472p-1, 0x1.cbbb6aa309338p+1, .nan, 0x1.2d8c4a212f639p+1,
                    0x1.3988e1409212ep+1, 0x1.7bb598c88b4adp+0, .nan,
                ]
            ], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
        ),
        (
            "rateOfChangeSec", "(rateofchangesec (metric a mean))", false, 1,
            [
                [
                    .nan, -0x1.e000000000000p+1, 0x1.5666666666666p+2, 0x1.2666666666666p+2, .nan, .nan,
                    0x1.9333333333333p+3, -0x1.14ccccccccccdp+4, 0x1.3e66666666666p+3, 0x1.cccccccccccd0p-2,
                    -0x1.e666666666666p+1, -0x1.7333333333334p+1,
                ]
            ], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
        ),
        (
            "clip", "(clip (metric a mean) -1 5)", false, 1,
            [
                [
                    0x1.8000000000000p+0, -0x1.0000000000000p+0, 0x1.8cccccccccccdp+1, 0x1.4000000000000p+2,
                    .nan, 0x1.3333333333333p-2, 0x1.4000000000000p+2, -0x1.0000000000000p+0,
                    0x1.4000000000000p+2, 0x1.4000000000000p+2, 0x1.199999999999ap+1, -0x1.6666666666666p-1,
                ]
            ], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
        ),
        (
            "fmax", "(max (metric a mean) (metric b mean))", true, 1,
            [
                [
                    0x1.8000000000000p+0, 0x1.0000000000000p+2, 0x1.8cccccccccccdp+1, 0x1.ecccccccccccdp+2,
                    0x1.a666666666666p+1, 0x1.3333333333333p-2, 0x1.9cccccccccccdp+3, 0x1.0000000000000p+0,
                    0x1.6333333333333p+2, 0x1.8000000000000p+2, 0x1.199999999999ap+2, 0x1.c666666666666p+2,
                ]
            ], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
        ),
        (
            "greaterEqual", "(>= (metric a mean) 2)", false, 1,
            [
                [
                    0x0.0p+0, 0x0.0p+0, 0x1.0000000000000p+0, 0x1.0000000000000p+0, 0x0.0p+0, 0x0.0p+0,
                    0x1.0000000000000p+0, 0x0.0p+0, 0x1.0000000000000p+0, 0x1.0000000000000p+0,
                    0x1.0000000000000p+0, 0x0.0p+0,
                ]
            ], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
        ),
        (
            "divide", "(/ (metric a mean) (metric b mean))", true, 1,
            [
                [
                    0x1.8000000000000p+1, -0x1.2000000000000p-1, -0x1.68ba2e8ba2e8bp+1, 0x1.c000000000000p+1,
                    .nan, .nan, 0x1.7745d1745d174p+0, -0x1.199999999999ap+2, -0x1.2b1da46102b1dp-1,
                    0x1.8000000000000p+4, 0x1.0000000000000p-1, -0x1.93d4bb7e327a9p-4,
                ]
            ], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
        ),
        (
            "cosine", "(cos (metric b mean))", false, 1,
            [
                [
                    0x1.c1528065b7d50p-1, -0x1.4eaa606db24c1p-1, 0x1.d07b806c76111p-2, -0x1.2d5004b88ad70p-1,
                    -0x1.f996f2ca70bb6p-1, .nan, -0x1.9f479562d158dp-1, 0x1.14a280fb5068cp-1,
                    -0x1.fe8d594eb0c48p-1, 0x1.f01549f7deea1p-1, -0x1.3ab577c62c2aap-2, 0x1.5e7ce691ea546p-1,
                ]
            ], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
        ),
        (
            "tangent", "(tan (metric a mean))", false, 1,
            [
                [
                    0x1.c33ed50b88777p+3, 0x1.3d16b30f9adcfp+0, -0x1.54ec734d41690p-5, 0x1.9c5805c97cbeap+2,
                    .nan, 0x1.3cc2a44e29998p-2, 0x1.62e7365a291bdp-2, -0x1.8c54566fdbdecp+1,
                    -0x1.cd24a82c132c9p-1, -0x1.29fd86ebb95bep-2, -0x1.5fb2de2b500ebp+0,
                    -0x1.af406c2fc78aep-1,
                ]
            ], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
        ),
        (
            "resampleStd3s", "(resample std 3 (metric a mean))", false, 3,
            [[0x1.5f7ed243e3139p+1, .nan, 0x1.15d70d82c55f5p+3, 0x1.ae166e328e2e0p+1]], [0, 3, 6, 9]
        ),
        (
            "resampleMean4s", "(resample mean 4 (metric (a mean) (b mean)))", false, 4,
            [
                [0x1.9111111111111p-1, .nan, 0x1.2b33333333333p+1, -0x1.6666666666666p-1],
                [0x1.2222222222222p+0, .nan, -0x1.eccccccccccccp-1, 0x1.c666666666666p+2],
            ], [-1, 3, 7, 11]
        ),
    ]

    @Test(arguments: 0..<vectors.count)
    func matchesNumpy(_ index: Int) throws {
        let (name, text, aggregated, granularity, columns, times) = Self.vectors[index]
        let frame = Frame(
            granularity: Self.second, timestamps: (0..<Int64(12)).map { (Self.start + $0) * Self.second },
            columns: [Self.a, Self.b])
        let evaluator = Evaluator(references: [
            ReferenceKey(name: "a", aggregation: "mean"), ReferenceKey(name: "b", aggregation: "mean"),
        ])
        let result = try evaluator.evaluate(
            OperationsSchema.validate(OperationsText.parse(text)), over: frame)
        #expect(result.isAggregated == aggregated, "\(name)")
        #expect(result.frame.granularity == granularity * Self.second, "\(name)")
        #expect(result.frame.timestamps == times.map { (Self.start + $0) * Self.second }, "\(name)")
        #expect(result.frame.columns.count == columns.count, "\(name)")
        for (got, want) in zip(result.frame.columns, columns) {
            #expect(
                got.count == want.count
                    && zip(got, want).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) },
                "\(name): \(got) != \(want)")
        }
    }
}
