import Testing

@testable import RondoneTimeSeries

@Suite struct AggregationNameTests {
    @Test func everyValidNameRoundTrips() {
        #expect(Aggregation.allValid.count == 216)
        for aggregation in Aggregation.allValid {
            #expect(Aggregation(name: aggregation.name) == aggregation)
        }
    }

    @Test(arguments: [
        "", "rate:", "0pct", "100pct", "05pct", "pct", "Mean", "rate:rate:mean", "5.5pct", "+mean",
    ])
    func invalidNamesAreRejected(name: String) {
        #expect(Aggregation(name: name) == nil)
    }
}
