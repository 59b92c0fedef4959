import Testing

@testable import RondoneTimeSeries

/// Expected results computed by Gnocchi 4.7's `ArchivePolicyItem` in its venv
/// (`scripts/vectors/archive_policy_vectors.py items`).
@Suite struct ArchivePolicyItemTests {
    typealias Triple = (Int64?, Int?, Int64?)
    enum Expected { case item(Int64, Int?, Int64?), error(String) }

    static let nanosecondCases: [(Triple, Expected)] = [
        ((1_000_000_000, 10, nil), .item(1_000_000_000, 10, 10_000_000_000)),
        ((1_000_000_000, nil, 10_000_000_000), .item(1_000_000_000, 10, 10_000_000_000)),
        ((nil, 10, 10_000_000_000), .item(1_000_000_000, 10, 10_000_000_000)),
        ((1_000_000_000, 10, 10_000_000_000), .item(1_000_000_000, 10, 10_000_000_000)),
        ((1_000_000_000, 10, 11_000_000_000), .error("timespan ≠ granularity × points")),
        ((0, 10, nil), .error("Granularity should be > 0")),
        ((-1_000_000_000, 10, nil), .error("Granularity should be > 0")),
        ((1_000_000_000, 0, nil), .error("Number of points should be > 0")),
        ((1_000_000_000, -1, nil), .error("Number of points should be > 0")),
        ((1_000_000_000, nil, nil), .item(1_000_000_000, nil, nil)),
        ((nil, 10, nil), .error("At least two of granularity/points/timespan must be provided")),
        ((nil, nil, 10_000_000_000), .error("At least two of granularity/points/timespan must be provided")),
        ((nil, nil, nil), .error("At least two of granularity/points/timespan must be provided")),
        ((2_000_000_000, nil, 1_000_000_000), .error("Calculated number of points is < 0")),
        ((2_000_000_000, nil, 3_000_000_000), .item(2_000_000_000, 1, 2_000_000_000)),
        ((500_000_000, nil, 1_200_000_000), .item(500_000_000, 2, 1_000_000_000)),
        ((nil, 3, 10_000_000_000), .item(3_333_333_333, 3, 9_999_999_999)),
        ((nil, 7, 1_000_000_000), .item(142_857_142, 7, 999_999_994)),
        ((3, nil, 10), .item(3, 3, 9)),
        ((60_000_000_000, nil, 604_800_000_000_000), .item(60_000_000_000, 10080, 604_800_000_000_000)),
        ((7, 3, 21), .item(7, 3, 21)),
        ((nil, 1, 1), .item(1, 1, 1)),
        ((1, nil, 4_611_686_018_427_387_904), .item(1, 4_611_686_018_427_387_904, 4_611_686_018_427_387_904)),
        // Gnocchi derives a 0 ns granularity here and accepts it (its real server
        // creates such a policy); Rondone refuses, as processing would divide by 0.
        ((nil, 2_000_000_000, 1_000_000_000), .error("Granularity should be > 0")),
        // Gnocchi's numpy product wraps around silently; Rondone refuses.
        ((86_400_000_000_000, 1_000_000_000_000, nil), .error("Timespan is out of range")),
    ]

    static let secondCases: [((Double?, Int?, Double?), Expected)] = [
        ((0.5, nil, 1.2), .item(500_000_000, 2, 1_000_000_000)),
        // Compared as floats first: 0.1 × 3 ≠ 0.3.
        ((0.1, 3, 0.3), .error("timespan ≠ granularity × points")),
        ((0.1, 3, nil), .item(100_000_000, 3, 300_000_000)),
        ((1.0, 10, 10.0), .item(1_000_000_000, 10, 10_000_000_000)),
        ((1e-09, 5, nil), .item(1, 5, 5)),
        ((1e-10, 5, nil), .error("Granularity should be > 0")),
        ((2.5, nil, 10.0), .item(2_500_000_000, 4, 10_000_000_000)),
        ((nil, 3, 10.0), .item(3_333_333_333, 3, 9_999_999_999)),
        ((0.3, nil, 1.0), .item(300_000_000, 3, 900_000_000)),
        ((1.0000000001, 2, nil), .item(1_000_000_000, 2, 2_000_000_000)),
        ((-0.5, 2, nil), .error("Granularity should be > 0")),
        ((.infinity, 2, nil), .error("Timespan is out of range")),
        ((.nan, 2, nil), .error("Timespan is out of range")),
    ]

    static func check(_ result: Result<ArchivePolicyItem, ArchivePolicyError>, _ expected: Expected) {
        switch (result, expected) {
        case (.success(let item), .item(let g, let p, let t)):
            #expect(item.granularity.nanoseconds == g)
            #expect(item.points == p)
            #expect(item.timespan?.nanoseconds == t)
        case (.failure(let error), .error(let message)):
            #expect(error.message == message)
        default:
            Issue.record("got \(result), expected \(expected)")
        }
    }

    @Test func nanosecondInputsMatchGnocchi() {
        for (input, expected) in Self.nanosecondCases {
            let result = Result { () throws(ArchivePolicyError) in
                try ArchivePolicyItem(
                    granularity: input.0.map(TimeDelta.init(nanoseconds:)), points: input.1,
                    timespan: input.2.map(TimeDelta.init(nanoseconds:)))
            }
            Self.check(result, expected)
        }
    }

    @Test func secondInputsMatchGnocchi() {
        for (input, expected) in Self.secondCases {
            let result = Result { () throws(ArchivePolicyError) in
                try ArchivePolicyItem(granularitySeconds: input.0, points: input.1, timespanSeconds: input.2)
            }
            Self.check(result, expected)
        }
    }
}
