import RondoneTimeSeries
import Testing

@Suite struct MetricIDTests {
    @Test func parsesAndPrintsCanonicalForm() throws {
        let text = "5f9d73fd-9c67-42b7-914a-f007968ff9a3"
        let metric = try #require(MetricID(text))
        #expect(metric.high == 0x5f9d_73fd_9c67_42b7)
        #expect(metric.low == 0x914a_f007_968f_f9a3)
        #expect(metric.description == text)
        #expect(MetricID("5F9D73FD9C6742B7914AF007968FF9A3") == metric)
    }

    @Test(arguments: [
        "", "5f9d73fd-9c67-42b7-914a-f007968ff9a", "5f9d73fd-9c67-42b7-914a_f007968ff9a3",
        "5f9d73fd-9c67-42b7-914a-f007968ff9ag", "5f9d73fd9c6742b7914af007968ff9a3aa",
    ])
    func rejectsMalformed(_ text: String) {
        #expect(MetricID(text) == nil)
    }

    /// Expected sacks computed by Gnocchi 4.7.1: `uuid.UUID(text).int % n`.
    @Test func sackMatchesGnocchi() throws {
        let cases: [(String, [Int])] = [
            ("ffffffff-ffff-ffff-ffff-ffffffffffff", [0, 3, 127, 0]),
            ("00000000-0000-0000-0000-000000000001", [0, 1, 1, 1]),
            ("5f9d73fd-9c67-42b7-914a-f007968ff9a3", [0, 2, 35, 50239]),
            ("123e4567-e89b-12d3-a456-426614174000", [0, 2, 0, 36328]),
        ]
        for (text, expected) in cases {
            let metric = try #require(MetricID(text))
            #expect([1, 7, 128, 65535].map { metric.sack(among: $0) } == expected, "\(text)")
        }
    }
}
