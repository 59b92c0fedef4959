import RondoneQuery
import RondoneTimeSeries
import Testing

/// The fast paths of the grid and of `aggregate` (a merged union instead of a sort, a
/// shared axis taken as is, sums accumulated column by column) against naive reference
/// implementations on random series: the same frames, the same bits.
@Suite("Frame alignment and cross-series reductions")
struct FrameAlignmentTests {
    /// A small seeded generator (xorshift64*), so a failure reproduces.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return state &* 0x2545_F491_4F6C_DD1D
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    }

    static let minute: Int64 = 60_000_000_000

    /// numpy's `unique` of the concatenation, each column placed on it by lookup.
    static func naiveFrame(_ series: [Series], filler: Double) -> Frame {
        let axis = Array(Set(series.flatMap(\.timestamps))).sorted()
        let columns = series.map { one -> [Double] in
            let values = Dictionary(uniqueKeysWithValues: zip(one.timestamps, one.values))
            return axis.map { values[$0] ?? filler }
        }
        return Frame(granularity: minute, timestamps: axis, columns: columns)
    }

    /// Series with a shared axis, holes, shifted and disjoint ranges, or none at all.
    static func randomSeries(_ random: inout Random, count: Int, shape: Int) -> [Series] {
        (0..<count).map { index in
            var one = Series()
            let start: Int
            switch shape {
            case 0, 1: start = 0
            case 2: start = random.below(50)
            default: start = index * 40
            }
            for slot in start..<(start + 30) {
                if shape != 0 && random.below(5) == 0 { continue }
                let value = random.below(10) == 0 ? .nan : Double(random.below(2001) - 1000) / 7
                one.append(Int64(slot) * minute, value)
            }
            if shape == 1 && random.below(4) == 0 { one = Series() }
            return one
        }
    }

    @Test func gridEqualsTheSortedUnion() {
        var random = Random(state: 0x9E37_79B9_7F4A_7C15)
        for shape in 0..<4 {
            for count in [1, 2, 3, 7, 16, 33] {
                let series = Self.randomSeries(&random, count: count, shape: shape)
                for filler in [Double.nan, 0, -1.5] {
                    let frame = Frame(granularity: Self.minute, series: series, filler: filler)
                    let expected = Self.naiveFrame(series, filler: filler)
                    #expect(frame.timestamps == expected.timestamps, "shape \(shape), \(count) series")
                    #expect(
                        zip(frame.columns, expected.columns).allSatisfy { Self.sameBits($0, $1) }
                            && frame.columns.count == expected.columns.count,
                        "shape \(shape), \(count) series")
                }
            }
        }
        #expect(Frame(granularity: Self.minute, series: [], filler: .nan).rowCount == 0)
    }

    /// Sums left to right across series, NaN as zero and the first term assigned: numpy's
    /// `nansum` / `nanmean` / count of a column-major grid.
    static func naiveReduction(_ method: CrossAggregation.Method, _ row: [Double]) -> Double {
        let present = row.filter { !$0.isNaN }
        var sum = 0.0
        for (index, value) in row.enumerated() {
            let term = value.isNaN ? 0 : value
            sum = index == 0 ? term : sum + term
        }
        switch method {
        case .sum: return sum
        case .count: return Double(present.count)
        default: return present.isEmpty ? .nan : sum / Double(present.count)
        }
    }

    static func sameBits(_ lhs: [Double], _ rhs: [Double]) -> Bool {
        lhs.count == rhs.count
            && zip(lhs, rhs).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
    }

    @Test(arguments: [CrossAggregation.Method.sum, .mean, .count])
    func aggregateSumMeanCountMatchTheRowReduction(_ method: CrossAggregation.Method) throws {
        var random = Random(state: 42)
        for count in [1, 2, 5, 40] {
            let keys = (0..<count).map { ReferenceKey(name: "m\($0)", aggregation: "mean") }
            var columns = (0..<count).map { _ in
                (0..<64).map { _ -> Double in
                    switch random.below(8) {
                    case 0: return .nan
                    case 1: return -0.0
                    default: return Double(Int(random.next() % 2_000_001) - 1_000_000) / 1e3 + 0.1
                    }
                }
            }
            columns[0][0] = -0.0  // a lone -0.0 keeps its sign in a sum
            for column in columns.indices.dropFirst() { columns[column][0] = .nan }
            let timestamps = (0..<64).map { Int64($0) * Self.minute }
            let frame = Frame(granularity: Self.minute, timestamps: timestamps, columns: columns)
            let result = try Evaluator(references: keys).evaluate(
                .aggregate(CrossAggregation(method: method), .metric(keys, single: false)), over: frame)
            let expected = (0..<64).map { row in Self.naiveReduction(method, columns.map { $0[row] }) }
            #expect(Self.sameBits(result.frame.columns[0], expected), "\(method), \(count) series")
        }
    }
}
