import Testing

@testable import RondoneTimeSeries

/// One call of Gnocchi 4.7.1's own grouping and aggregation (`group_serie` then
/// `AggregatedTimeSerie.from_grouped_serie`, or `AggregatedTimeSerie.resample`), with its
/// result as IEEE bit patterns.
struct GnocchiVector: CustomTestStringConvertible, Sendable {
    var name: String
    var input: String
    var granularity: Int64
    var aggregation: String
    var start: Int64?
    /// Set for a `resample` vector: `input` is an aggregated series resampled to this.
    var resampledTo: Int64?
    var expectedTimestamps: [Int64]
    var expectedBits: [UInt64]

    var testDescription: String { name }
}

/// Rondone's aggregation against vectors computed by the real Gnocchi code
/// (`scripts/aggregation-vectors.py`).
@Suite struct AggregationGnocchiTests {
    @Test(arguments: vectors)
    func matchesGnocchi(vector: GnocchiVector) throws {
        let input = try #require(Self.inputs[vector.input])
        let aggregation = try #require(Aggregation(name: vector.aggregation))
        let result: Series
        if let sampling = vector.resampledTo {
            result = resample(input, to: TimeDelta(nanoseconds: sampling), aggregation: aggregation)
        } else {
            result = aggregate(
                input, granularity: TimeDelta(nanoseconds: vector.granularity),
                start: vector.start.map(Timestamp.init(nanoseconds:)), aggregation: aggregation)
        }
        let expected = Series(
            timestamps: vector.expectedTimestamps, values: vector.expectedBits.map(Double.init(bitPattern:)))
        #expect(result == expected)
    }

    @Test func vectorsCoverEveryMethodAndRate() {
        let names = Set(Self.vectors.map(\.aggregation))
        for method in ["mean", "sum", "count", "first", "last", "min", "max", "median", "std", "95pct"] {
            #expect(names.contains(method))
            #expect(names.contains("rate:" + method))
        }
    }

    /// The naive oracle of the property tests agrees with Gnocchi too (on the vectors
    /// that are not resamples, which the oracle does not model separately).
    @Test(arguments: vectors.filter { $0.resampledTo == nil })
    func referenceMatchesGnocchi(vector: GnocchiVector) throws {
        let input = try #require(Self.inputs[vector.input])
        let aggregation = try #require(Aggregation(name: vector.aggregation))
        let result = referenceAggregate(
            input, granularity: TimeDelta(nanoseconds: vector.granularity),
            start: vector.start.map(Timestamp.init(nanoseconds:)), aggregation: aggregation)
        #expect(result.timestamps == vector.expectedTimestamps)
        #expect(result.values.map(\.bitPattern) == vector.expectedBits)
    }
}
