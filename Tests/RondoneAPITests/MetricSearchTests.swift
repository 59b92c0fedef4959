import Foundation
import HTTPTypes
import HummingbirdTesting
import RondoneAPITesting
import Testing

/// `POST /v1/search/metric` over HTTP: values of processed measures filtered by a
/// condition, and the refusals in Gnocchi's order.
@Suite("Metric value search over HTTP")
struct MetricSearchTests {
    static var admin: [String: String] { MetricControllerTests.admin }
    static var foobar: [String: String] { MetricControllerTests.foobar }

    @Test func searchesAggregatedValues() async throws {
        try await APITestServer.runWithStores { client in
            let policy = try await client.request(
                .post, "/v1/archive_policy", headers: Self.admin,
                body: #"""
                    {"name": "fine", "aggregation_methods": ["mean", "max"],
                     "definition": [{"granularity": "1 second", "timespan": "1 hour"},
                                    {"granularity": "2 second", "timespan": "1 hour"}]}
                    """#)
            #expect(policy.status == .created)
            let created = try await client.request(
                .post, "/v1/metric", headers: Self.foobar, body: #"{"archive_policy_name": "fine"}"#)
            let id = try #require(try MetricControllerTests.object(created.text)["id"] as? String)
            let posted = try await client.request(
                .post, "/v1/metric/\(id)/measures", headers: Self.foobar,
                body: #"""
                    [{"timestamp": "2014-10-06T14:34:12", "value": 12},
                     {"timestamp": "2014-10-06T14:34:13", "value": 3},
                     {"timestamp": "2014-10-06T14:34:14", "value": 12}]
                    """#)
            #expect(posted.status == .accepted)
            func search(_ query: String, _ body: String) async throws -> TestResponse {
                try await client.request(
                    .post, "/v1/search/metric?metric_id=\(id)" + query, headers: Self.foobar, body: body)
            }
            var found = ""
            for _ in 0..<100 {
                found = try await search("&granularity=1s", #"{"=": 12}"#).text
                if found.contains("14:34:14") { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(
                found
                    == #"{"\#(id)": [["2014-10-06T14:34:12+00:00", 1.0, 12.0], ["2014-10-06T14:34:14+00:00", 1.0, 12.0]]}"#
            )
            // Both granularities (coarsest first), a condition over an operation, a range.
            let all = try await search("", #"{"and": [{">": [{"*": 2}, 10]}, {"≠": 3}]}"#)
            #expect(
                all.text
                    == #"{"\#(id)": [["2014-10-06T14:34:12+00:00", 2.0, 7.5], ["2014-10-06T14:34:14+00:00", 2.0, 12.0], ["2014-10-06T14:34:12+00:00", 1.0, 12.0], ["2014-10-06T14:34:14+00:00", 1.0, 12.0]]}"#
            )
            let ranged = try await search(
                "&granularity=1&aggregation=max&start=2014-10-06T14:34:13&stop=2014-10-06T14:34:14",
                #"{"<": 5}"#)
            #expect(ranged.text == #"{"\#(id)": [["2014-10-06T14:34:13+00:00", 1.0, 3.0]]}"#)
            // Unknown metric ids are skipped.
            let unknown = try await client.request(
                .post, "/v1/search/metric?metric_id=\(UUID().uuidString)&metric_id=nope",
                headers: Self.foobar,
                body: #"{"=": 1}"#)
            #expect(unknown.text == "{}")

            func refused(
                _ query: String, _ body: String?, _ expected: String,
                _ status: HTTPResponse.Status = .badRequest,
                sourceLocation: SourceLocation = #_sourceLocation
            ) async throws {
                let response = try await client.request(
                    .post, "/v1/search/metric?metric_id=\(id)" + query, headers: Self.foobar, body: body)
                #expect(response.status == status, sourceLocation: sourceLocation)
                #expect(response.text.contains(expected), "\(response.text)", sourceLocation: sourceLocation)
            }
            try await refused("", nil, "No query specified in body")
            try await refused("&start=foobar", #"{"∧": [{"≥": 1000}]}"#, "Invalid value for start")
            try await refused("&stop=foobar", #"{"∧": [{"≥": 1000}]}"#, "Invalid value for stop")
            try await refused(
                "&granularity=1s&granularity=300", #"{"=": 12}"#,
                #"{"cause": "Aggregation does not exist", "detail": {"granularity": 300.0, "aggregation_method": "mean"}}"#
            )
            try await refused(
                "&aggregation=last", #"{"=": 12}"#,
                #""detail": {"granularity": 2.0, "aggregation_method": "last"}"#)
            try await refused("", #"{"not": [{"=": 1}]}"#, "Unknown operator not")
            try await refused(
                "", #"{"=": "x"}"#,
                #""reason": "expected float for dictionary value @ data['=']", "detail": ["="]"#)
            try await refused("", "{nope", "Unable to decode body")
            let other = try await client.request(
                .post, "/v1/search/metric?metric_id=\(id)",
                headers: MetricControllerTests.json.merging(["Authorization": "basic b3RoZXI6"]) { $1 },
                body: #"{"=": 1}"#)
            #expect(other.status == .forbidden)
            let get = try await client.request(
                .get, "/v1/search/metric?metric_id=\(id)", headers: Self.foobar)
            #expect(get.status == .methodNotAllowed)
        }
    }
}
