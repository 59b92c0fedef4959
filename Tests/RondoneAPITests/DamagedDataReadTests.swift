import RondoneAPITesting
import RondoneStorage
import RondoneTimeSeries
import Testing

/// A damaged split is never served as data: the API answers a 500 naming the metric
/// and pointing at `rondone fsck`, not the points of the other splits.
@Suite("Damaged data is never served")
struct DamagedDataReadTests {
    static let admin = MetricControllerTests.admin

    @Test func damagedSplitAnswersAnErrorNamingTheMetric() async throws {
        try await APITestServer.run(defaultPolicies: true, workers: 0) { client in
            let id = try await MeasuresControllerTests.createMetric(client)
            let posted = try await client.request(
                .post, "/v1/metric/\(id)/measures", headers: Self.admin,
                body:
                    #"[{"timestamp": "2015-03-06T14:33:57", "value": 43.1}, {"timestamp": "2015-03-06T18:34:12", "value": 12}]"#
            )
            #expect(posted.status == .accepted)
            try await client.server.metricd.drain()
            let before = try await client.request(.get, "/v1/metric/\(id)/measures", headers: Self.admin)
            #expect(before.status == .ok)
            // Damage the mean@5min split (the policy `low`): one bit in its blob.
            let metric = try #require(MetricID(id))
            let store = client.server.backends.aggregates
            let keys = try await store.splitKeys(of: metric, aggregation: "mean", granularity: .seconds(300))
            let address = SplitAddress(
                aggregation: "mean", granularity: .seconds(300), key: try #require(keys.first))
            var bytes = try #require(try await store.split(address, of: metric))
            bytes[bytes.count / 2] ^= 0x10
            try await store.putSplit(bytes, address, for: metric)

            let read = try await client.request(.get, "/v1/metric/\(id)/measures", headers: Self.admin)
            #expect(read.status == .internalServerError)
            #expect(read.text.contains("The stored data of metric \(id) is damaged"))
            #expect(read.text.contains("run rondone fsck"))
            #expect(!read.text.contains("[["))
            // Another method of the same pack is intact and still served.
            let max = try await client.request(
                .get, "/v1/metric/\(id)/measures?aggregation=max", headers: Self.admin)
            #expect(max.status == .ok)
            #expect(max.text.contains("43.1"))
            // The operations language reads through the same reader.
            let aggregates = try await client.request(
                .post, "/v1/aggregates", headers: Self.admin,
                body: #"{"operations": "(metric \#(id) mean)"}"#)
            #expect(aggregates.status == .internalServerError)
            #expect(aggregates.text.contains("\(id)"))
        }
    }
}
