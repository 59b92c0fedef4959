import Foundation
import HTTPTypes
import HummingbirdTesting
import RondoneAPITesting
import Testing

/// `POST /v1/aggregates` (metric ids) and `/v1/aggregation/metric` over HTTP, with the
/// series of Gnocchi's `aggregates-with-metric-ids.yaml`.
@Suite("Aggregates over HTTP")
struct AggregatesControllerTests {
    static let admin = MetricControllerTests.admin

    /// Two metrics under a `cookies` policy (1 s and 60 s), measures processed.
    static func seed(_ client: APITestClient) async throws -> (String, String) {
        let policy = try await client.request(
            .post, "/v1/archive_policy", headers: admin,
            body:
                #"{"name": "cookies", "definition": [{"granularity": "1 second"}, {"granularity": "60 second"}]}"#
        )
        #expect(policy.status == .created)
        let first = try await MeasuresControllerTests.createMetric(client, policy: "cookies")
        let second = try await MeasuresControllerTests.createMetric(client, policy: "cookies")
        let points: [(String, [Double])] = [(first, [43.1, 12, -16, 9, 11]), (second, [2, 4, 5, 10, 15])]
        let times = ["14:33:57", "14:34:12", "14:34:15", "14:35:12", "14:35:15"]
        for (id, values) in points {
            let body = zip(times, values).map { #"{"timestamp": "2015-03-06T\#($0)", "value": \#($1)}"# }
            let posted = try await client.request(
                .post, "/v1/metric/\(id)/measures", headers: admin,
                body: "[" + body.joined(separator: ", ") + "]")
            #expect(posted.status == .accepted)
            _ = try await client.request(.get, "/v1/metric/\(id)/measures?refresh=true", headers: admin)
        }
        return (first, second)
    }

    static func post(_ client: APITestClient, _ query: String, _ body: String) async throws -> TestResponse {
        try await client.request(.post, "/v1/aggregates" + query, headers: admin, body: body)
    }

    static func post(_ client: APITestClient, _ body: String) async throws -> TestResponse {
        try await post(client, "", body)
    }

    @Test func metricsAndOperations() async throws {
        try await APITestServer.runWithStores { client in
            let (first, second) = try await Self.seed(client)
            let one = try await Self.post(
                client, "?granularity=60", #"{"operations": "(metric \#(first) mean)"}"#)
            #expect(one.status == .ok)
            #expect(
                one.text
                    == #"{"measures": {"\#(first)": {"mean": [["2015-03-06T14:33:00+00:00", 60.0, 43.1], ["2015-03-06T14:34:00+00:00", 60.0, -2.0], ["2015-03-06T14:35:00+00:00", 60.0, 10.0]]}}}"#
            )
            let mean = try await Self.post(
                client, "?granularity=60",
                #"{"operations": ["aggregate", "mean", ["metric", ["\#(first)", "mean"], ["\#(second)", "mean"]]]}"#
            )
            #expect(
                mean.text
                    == #"{"measures": {"aggregated": [["2015-03-06T14:33:00+00:00", 60.0, 22.55], ["2015-03-06T14:34:00+00:00", 60.0, 1.25], ["2015-03-06T14:35:00+00:00", 60.0, 11.25]]}}"#
            )
            let rolling = try await Self.post(
                client, "?granularity=1", #"{"operations": "(rolling mean 2 (metric \#(second) mean))"}"#)
            #expect(rolling.text.contains(#"["2015-03-06T14:34:12+00:00", 1.0, 3.0]"#))
            let resampled = try await Self.post(
                client, "?granularity=1",
                #"{"operations": "(negative (resample mean 60 (metric \#(first) mean)))"}"#)
            #expect(resampled.text.contains(#"["2015-03-06T14:34:00+00:00", 60.0, 2.0]"#))
            let difference = try await Self.post(
                client, "?details=true",
                #"{"operations": "(- (metric \#(first) mean) (metric \#(second) mean)))"}"#)
            let body = try MetricControllerTests.object(difference.text)
            #expect((body["references"] as? [Any])?.count == 2)
            let aggregated = try #require((body["measures"] as? [String: Any])?["aggregated"] as? [[Any]])
            #expect(aggregated.count == 8)
            #expect(aggregated[0][2] as? Double == 41.1)
        }
    }

    @Test func errors() async throws {
        try await APITestServer.runWithStores { client in
            let (first, _) = try await Self.seed(client)
            let empty = try await Self.post(client, #"{"operations": []}"#)
            #expect(
                empty.text
                    == #"{"code": 400, "title": "Bad Request", "description": {"cause": "Invalid input", "reason": "Operation must not be empty for dictionary value @ data['operations']", "detail": ["operations"]}}"#
            )
            let unparsable = try await Self.post(client, #"{"operations": "(metroc foo bar"}"#)
            #expect(unparsable.status == .badRequest)
            #expect(unparsable.text.contains("Fail to parse the operations string"))
            let unknownOperation = try await Self.post(
                client, #"{"operations": "(notexist (absolute (metric \#(first) mean)))"}"#)
            #expect(unknownOperation.text.contains("'notexist' operation invalid for dictionary value"))
            let missing = try await Self.post(
                client,
                #"{"operations": ["metric", ["\#(first)", "mean"], ["e4864464-1b27-4622-9fbb-dc900e06c192", "mean"]]}"#
            )
            #expect(missing.status == .notFound)
            #expect(missing.text.contains(#""detail": ["e4864464-1b27-4622-9fbb-dc900e06c192"]"#))
            let method = try await Self.post(client, #"{"operations": ["metric", "\#(first)", "what?"]}"#)
            #expect(method.status == .notFound)
            #expect(
                method.text.contains(
                    #""cause": "Metrics with unknown aggregation", "detail": [["\#(first)", "what?"]]"#))
            let granularity = try await Self.post(
                client, "?granularity=123", #"{"operations": ["metric", "\#(first)", "mean"]}"#)
            #expect(
                granularity.text.contains(
                    #""reason": "Granularities are missing", "detail": [["\#(first)", "mean", 123.0]]"#))
            let fill = try await Self.post(
                client, "?fill=foobar", #"{"operations": ["metric", "\#(first)", "mean"]}"#)
            #expect(
                fill.text.contains(
                    "Must be a float, 'dropna', 'null', 'ffill', 'bfill', 'full_ffill' or 'full_bfill'"))
            let overlap = try await Self.post(
                client, "?needed_overlap=x", #"{"operations": ["metric", "\#(first)", "mean"]}"#)
            #expect(overlap.text.contains(#""detail": "needed_overlap", "reason": "Must be a number""#))
            let noMetric = try await Self.post(client, #"{"operations": "(+ 1 2)"}"#)
            #expect(noMetric.text.contains("At least one 'metric' is required"))
            let badID = try await Self.post(client, #"{"operations": "(metric foo mean)"}"#)
            #expect(badID.text.contains("Invalid metric references"))
            let many = (0...1000).map {
                #"["00000000-0000-0000-0000-\#(String(1_000_000_000_000 + $0).dropFirst())", "mean"]"#
            }
            let tooMany = try await Self.post(
                client, #"{"operations": ["metric", \#(many.joined(separator: ", "))]}"#)
            #expect(tooMany.status == .badRequest)
            #expect(tooMany.text.contains("At most 1000 metric references are allowed in one query"))
            let search = try await Self.post(
                client, #"{"resource_type": "generic", "search": {}, "operations": "(metric cpu mean)"}"#)
            // The resource mode: no resource has a metric `cpu`.
            #expect(search.status == .notFound)
            #expect(search.text.contains("Metric ['cpu'] does not exist"))
            let forbidden = try await client.request(
                .post, "/v1/aggregates", headers: MetricControllerTests.foobar,
                body: #"{"operations": ["metric", "\#(first)", "mean"]}"#)
            #expect(forbidden.status == .forbidden)
        }
    }

    @Test func aggregationMetric() async throws {
        try await APITestServer.runWithStores { client in
            let (first, second) = try await Self.seed(client)
            let both = "/v1/aggregation/metric?metric=\(first)&metric=\(second)"
            let mean = try await client.request(.get, both + "&granularity=60", headers: Self.admin)
            #expect(
                mean.text
                    == #"[["2015-03-06T14:33:00+00:00", 60.0, 22.55], ["2015-03-06T14:34:00+00:00", 60.0, 1.25], ["2015-03-06T14:35:00+00:00", 60.0, 11.25]]"#
            )
            let posted = try await client.request(
                .post, "/v1/aggregation/metric?granularity=60&reaggregation=max", headers: Self.admin,
                body: #"["\#(first)", "\#(second)"]"#)
            #expect(posted.text.hasPrefix(#"[["2015-03-06T14:33:00+00:00", 60.0, 43.1]"#))
            let single = try await client.request(
                .get, "/v1/aggregation/metric?metric=\(first)&granularity=1&resample=60", headers: Self.admin)
            #expect(single.text.hasPrefix(#"[["2015-03-06T14:33:00+00:00", 60.0, 43.1]"#))
            let unknownMethod = try await client.request(
                .get, "/v1/aggregation/metric?metric=\(first)&aggregation=last", headers: Self.admin)
            #expect(unknownMethod.status == .notFound)
            #expect(
                unknownMethod.text.contains(#""cause": "Aggregation method does not exist for this metric""#))
            let wtf = try await client.request(.get, both + "&aggregation=wtf", headers: Self.admin)
            #expect(wtf.status == .notFound)
            #expect(wtf.text.contains("Aggregation method 'wtf' at granularity '1.0' for metric"))
            let granularity = try await client.request(.get, both + "&granularity=42", headers: Self.admin)
            #expect(granularity.text.contains("Aggregation method 'mean' at granularity '42.0' for metric"))
            let missing = try await client.request(
                .get, "/v1/aggregation/metric?metric=cee6ef1f-52cc-4a16-bbb5-648aedfd1c37",
                headers: Self.admin)
            #expect(missing.status == .notFound)
            #expect(missing.text.contains("Metric cee6ef1f-52cc-4a16-bbb5-648aedfd1c37 does not exist"))
            let invalid = try await client.request(
                .get, "/v1/aggregation/metric?metric=foobar", headers: Self.admin)
            #expect(invalid.status == .badRequest)
            let noMetric = try await client.request(.get, "/v1/aggregation/metric", headers: Self.admin)
            #expect(noMetric.text == "[]")
            let resample = try await client.request(.get, both + "&resample=60", headers: Self.admin)
            #expect(resample.text.contains("A granularity must be specified to resample"))
            let fill = try await client.request(.get, both + "&fill=asdf", headers: Self.admin)
            #expect(fill.status == .badRequest)
        }
    }
}
