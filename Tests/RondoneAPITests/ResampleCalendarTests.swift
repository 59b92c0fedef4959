import Foundation
import HTTPTypes
import HummingbirdTesting
import RondoneAPITesting
import Testing

/// `resample=Y|H|Q|M|W` on the measures endpoints over HTTP, answers compared with
/// Gnocchi 4.7.1's for the same data (resample-calendar.yaml's points), and calendar
/// groupings in the `/v1/aggregates` `resample` operation (Rondone's departure).
@Suite("Calendar resampling over HTTP")
struct ResampleCalendarTests {
    static let admin = MetricControllerTests.admin
    static let resource = "5a301761-f78b-46e2-8900-8b4f6fe6675a"
    static let times = [
        "2015-03-01T14:34:12", "2015-03-06T14:34:12", "2015-04-01T14:34:12", "2015-04-06T14:34:12",
        "2015-10-06T14:34:12", "2016-01-06T14:34:12", "2016-02-06T14:34:12",
    ]
    static let values: [Double] = [10, 12, 2, 4, 7, 12, 4]

    /// A daily policy, metric `a` with resample-calendar.yaml's points and `b` (the
    /// resource's metric `cpu`) with twice them, processed.
    static func seed(_ client: APITestClient) async throws -> (a: String, b: String) {
        let policy = try await client.request(
            .post, "/v1/archive_policy", headers: admin,
            body:
                #"{"name": "cookies", "aggregation_methods": ["mean", "sum", "count", "rate:sum"], "definition": [{"granularity": "1 day"}]}"#
        )
        #expect(policy.status == .created)
        let a = try await MeasuresControllerTests.createMetric(client, policy: "cookies")
        let created = try await client.request(
            .post, "/v1/resource/generic", headers: admin,
            body: #"{"id": "\#(resource)", "metrics": {"cpu": {"archive_policy_name": "cookies"}}}"#)
        #expect(created.status == .created)
        let b = try #require(
            (try MetricControllerTests.object(created.text)["metrics"] as? [String: Any])?["cpu"] as? String)
        for (id, scale) in [(a, 1.0), (b, 2.0)] {
            let body = zip(times, values).map { #"{"timestamp": "\#($0)", "value": \#($1 * scale)}"# }
            let posted = try await client.request(
                .post, "/v1/metric/\(id)/measures", headers: admin,
                body: "[" + body.joined(separator: ", ") + "]")
            #expect(posted.status == .accepted)
            _ = try await client.request(.get, "/v1/metric/\(id)/measures?refresh=true", headers: admin)
        }
        return (a, b)
    }

    static func get(_ client: APITestClient, _ path: String) async throws -> TestResponse {
        try await client.request(.get, path, headers: admin)
    }

    @Test func measuresByCalendarPeriod() async throws {
        try await APITestServer.runWithStores { client in
            let (a, _) = try await Self.seed(client)
            let expected: [(String, String)] = [
                ("Y", #"[["2015-01-01T00:00:00+00:00", "Y", 7.0], ["2016-01-01T00:00:00+00:00", "Y", 8.0]]"#),
                (
                    "H",
                    #"[["2015-01-01T00:00:00+00:00", "H", 7.0], ["2015-07-01T00:00:00+00:00", "H", 7.0], ["2016-01-01T00:00:00+00:00", "H", 8.0]]"#
                ),
                (
                    "Q",
                    #"[["2015-01-01T00:00:00+00:00", "Q", 11.0], ["2015-04-01T00:00:00+00:00", "Q", 3.0], ["2015-10-01T00:00:00+00:00", "Q", 7.0], ["2016-01-01T00:00:00+00:00", "Q", 8.0]]"#
                ),
                (
                    "M",
                    #"[["2015-03-01T00:00:00+00:00", "M", 11.0], ["2015-04-01T00:00:00+00:00", "M", 3.0], ["2015-10-01T00:00:00+00:00", "M", 7.0], ["2016-01-01T00:00:00+00:00", "M", 12.0], ["2016-02-01T00:00:00+00:00", "M", 4.0]]"#
                ),
                (
                    "W",
                    #"[["2015-03-01T00:00:00+00:00", "W", 11.0], ["2015-03-29T00:00:00+00:00", "W", 2.0], ["2015-04-05T00:00:00+00:00", "W", 4.0], ["2015-10-04T00:00:00+00:00", "W", 7.0], ["2016-01-03T00:00:00+00:00", "W", 12.0], ["2016-01-31T00:00:00+00:00", "W", 4.0]]"#
                ),
            ]
            for (letter, body) in expected {
                let read = try await Self.get(
                    client, "/v1/metric/\(a)/measures?resample=\(letter)&granularity=86400")
                #expect(read.status == .ok)
                #expect(read.text == body, "\(letter)")
            }
            // Any method of the policy, as Gnocchi 4.7.1 answers.
            let count = try await Self.get(
                client, "/v1/metric/\(a)/measures?resample=Q&granularity=1%20day&aggregation=count")
            #expect(
                count.text
                    == #"[["2015-01-01T00:00:00+00:00", "Q", 2.0], ["2015-04-01T00:00:00+00:00", "Q", 2.0], ["2015-10-01T00:00:00+00:00", "Q", 1.0], ["2016-01-01T00:00:00+00:00", "Q", 2.0]]"#
            )
            // `stop` keeps the periods starting before it, as Gnocchi's `fetch` does.
            let stopped = try await Self.get(
                client, "/v1/metric/\(a)/measures?resample=M&granularity=86400&stop=2015-10-02")
            #expect(
                stopped.text
                    == #"[["2015-03-01T00:00:00+00:00", "M", 11.0], ["2015-04-01T00:00:00+00:00", "M", 3.0], ["2015-10-01T00:00:00+00:00", "M", 7.0]]"#
            )
        }
    }

    @Test func whereGnocchiFailsRondoneAnswers() async throws {
        try await APITestServer.runWithStores { client in
            let (a, b) = try await Self.seed(client)
            // `start` inside a period: the whole period holding it (Gnocchi fails with a 500).
            let started = try await Self.get(
                client, "/v1/metric/\(a)/measures?resample=M&granularity=86400&start=2015-03-05")
            #expect(started.text.hasPrefix(#"[["2015-03-01T00:00:00+00:00", "M", 11.0], "#))
            let late = try await Self.get(
                client, "/v1/metric/\(a)/measures?resample=Y&granularity=86400&start=2016-02-01")
            #expect(late.text == #"[["2016-01-01T00:00:00+00:00", "Y", 8.0]]"#)
            // `rate:` takes the rate again, of the daily rates [2, -10, 2, 3, 5, -8] (as
            // for timespans): [-12, 12, 1] in 2015 and [2, -13] in 2016, summed per year.
            let rate = try await Self.get(
                client, "/v1/metric/\(a)/measures?resample=Y&granularity=86400&aggregation=rate:sum")
            #expect(
                rate.text
                    == #"[["2015-01-01T00:00:00+00:00", "Y", 1.0], ["2016-01-01T00:00:00+00:00", "Y", -11.0]]"#
            )
            // Several metrics: each resampled, then aggregated.
            let both = try await Self.get(
                client, "/v1/aggregation/metric?metric=\(a)&metric=\(b)&resample=M&granularity=86400")
            #expect(both.status == .ok)
            #expect(
                both.text
                    == #"[["2015-03-01T00:00:00+00:00", "M", 16.5], ["2015-04-01T00:00:00+00:00", "M", 4.5], ["2015-10-01T00:00:00+00:00", "M", 10.5], ["2016-01-01T00:00:00+00:00", "M", 18.0], ["2016-02-01T00:00:00+00:00", "M", 6.0]]"#
            )
        }
    }

    @Test func sharedPathsAndErrors() async throws {
        try await APITestServer.runWithStores { client in
            let (a, _) = try await Self.seed(client)
            let yearly =
                #"[["2015-01-01T00:00:00+00:00", "Y", 14.0], ["2016-01-01T00:00:00+00:00", "Y", 16.0]]"#
            let named = try await Self.get(
                client,
                "/v1/resource/generic/\(Self.resource)/metric/cpu/measures?resample=Y&granularity=86400")
            #expect(named.text == yearly)
            let single = try await Self.get(
                client, "/v1/aggregation/metric?metric=\(a)&resample=Y&granularity=86400")
            #expect(
                single.text
                    == #"[["2015-01-01T00:00:00+00:00", "Y", 7.0], ["2016-01-01T00:00:00+00:00", "Y", 8.0]]"#)

            let noGranularity = try await Self.get(client, "/v1/metric/\(a)/measures?resample=M")
            #expect(noGranularity.status == .badRequest)
            #expect(noGranularity.text.contains("A granularity must be specified to resample"))
            // Gnocchi looks the letters up case-sensitively, then tries a timespan.
            for bad in ["m", "y", "X", "MM"] {
                let refused = try await Self.get(
                    client, "/v1/metric/\(a)/measures?resample=\(bad)&granularity=86400")
                #expect(refused.status == .badRequest, "\(bad)")
                #expect(refused.text.contains("Unable to parse timespan"), "\(bad)")
            }
            let aggregation = try await Self.get(
                client, "/v1/aggregation/metric?metric=\(a)&metric=\(a)&resample=m&granularity=86400")
            #expect(aggregation.status == .badRequest)
            #expect(aggregation.text.contains("Unable to parse timespan"))
            // An empty `resample` is no resampling.
            let empty = try await Self.get(client, "/v1/metric/\(a)/measures?resample=&granularity=86400")
            #expect(empty.text.hasPrefix(#"[["2015-03-01T00:00:00+00:00", 86400.0, 10.0], "#))
        }
    }

    @Test func aggregatesResampleOperation() async throws {
        try await APITestServer.runWithStores { client in
            let (a, b) = try await Self.seed(client)
            let monthly = try await AggregatesControllerTests.post(
                client, #"{"operations": "(resample sum M (metric \#(a) mean))"}"#)
            #expect(monthly.status == .ok)
            #expect(
                monthly.text
                    == #"{"measures": {"\#(a)": {"mean": [["2015-03-01T00:00:00+00:00", "M", 22.0], ["2015-04-01T00:00:00+00:00", "M", 6.0], ["2015-10-01T00:00:00+00:00", "M", 7.0], ["2016-01-01T00:00:00+00:00", "M", 12.0], ["2016-02-01T00:00:00+00:00", "M", 4.0]]}}}"#
            )
            let total = try await AggregatesControllerTests.post(
                client,
                #"{"operations": ["aggregate", "sum", ["resample", "sum", "Y", ["metric", ["\#(a)", "mean"], ["\#(b)", "mean"]]]]}"#
            )
            #expect(
                total.text
                    == #"{"measures": {"aggregated": [["2015-01-01T00:00:00+00:00", "Y", 105.0], ["2016-01-01T00:00:00+00:00", "Y", 48.0]]}}"#
            )
            // Months and days do not combine.
            let mixed = try await AggregatesControllerTests.post(
                client, #"{"operations": "(+ (resample mean M (metric \#(a) mean)) (metric \#(b) mean))"}"#)
            #expect(mixed.status == .badRequest)
            #expect(mixed.text.contains("Can't compute timeseries with different granularity"))
            #expect(mixed.text.contains("['resample', 'mean', 'M', "))
            let lower = try await AggregatesControllerTests.post(
                client, #"{"operations": "(resample mean q (metric \#(a) mean))"}"#)
            #expect(lower.status == .badRequest)
            #expect(lower.text.contains("'resample' operation invalid"))
        }
    }
}
