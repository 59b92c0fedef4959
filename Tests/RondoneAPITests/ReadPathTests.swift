import RondoneAPITesting
import Testing

/// The read path needs no running metricd: a server whose workers are not started
/// answers every read from the aggregate store (what a read-only API node will do).
@Suite("Read path without metricd")
struct ReadPathTests {
    static let admin = MetricControllerTests.admin

    @Test func storedAggregatesAreReadWithoutWorkers() async throws {
        try await APITestServer.run(defaultPolicies: true, workers: 0) { client in
            #expect(try await client.server.metricd.status().workers == 0)
            let id = try await MeasuresControllerTests.createMetric(client)
            let other = try await MeasuresControllerTests.createMetric(client)
            for metric in [id, other] {
                let posted = try await client.request(
                    .post, "/v1/metric/\(metric)/measures", headers: Self.admin,
                    body:
                        #"[{"timestamp": "2015-03-06T14:33:57", "value": 43.1}, {"timestamp": "2015-03-06T14:34:12", "value": 12}]"#
                )
                #expect(posted.status == .accepted)
            }
            // Nothing processes them here: no worker runs.
            let before = try await client.request(.get, "/v1/metric/\(id)/measures", headers: Self.admin)
            #expect(before.status == .ok)
            #expect(before.text == "[]")
            // Another process's metricd (here one pass outside the workers) stores the
            // aggregates; the API reads them straight from the store.
            try await client.server.metricd.drain()
            #expect(try await client.server.metricd.status().workers == 0)
            let read = try await client.request(.get, "/v1/metric/\(id)/measures", headers: Self.admin)
            #expect(read.text == #"[["2015-03-06T14:30:00+00:00", 300.0, 27.55]]"#)
            let aggregated = try await client.request(
                .get, "/v1/aggregation/metric?metric=\(id)&metric=\(other)&aggregation=max",
                headers: Self.admin)
            #expect(aggregated.status == .ok)
            #expect(aggregated.text == #"[["2015-03-06T14:30:00+00:00", 300.0, 43.1]]"#)
            let aggregates = try await client.request(
                .post, "/v1/aggregates", headers: Self.admin,
                body:
                    #"{"operations": ["aggregate", "sum", ["metric", ["\#(id)", "mean"], ["\#(other)", "mean"]]]}"#
            )
            #expect(aggregates.status == .ok)
            #expect(aggregates.text.contains(#"["2015-03-06T14:30:00+00:00", 300.0, 55.1]"#))
        }
    }

    /// `refresh=true` is the one seam a read uses to reach processing; without workers
    /// it still processes the metric first.
    @Test func refreshProcessesWithoutWorkers() async throws {
        try await APITestServer.run(defaultPolicies: true, workers: 0) { client in
            let id = try await MeasuresControllerTests.createMetric(client)
            _ = try await client.request(
                .post, "/v1/metric/\(id)/measures", headers: Self.admin,
                body: #"[{"timestamp": "2015-03-06T14:33:57", "value": 43.1}]"#)
            let read = try await client.request(
                .get, "/v1/metric/\(id)/measures?refresh=true", headers: Self.admin)
            #expect(read.text == #"[["2015-03-06T14:30:00+00:00", 300.0, 43.1]]"#)
        }
    }
}
