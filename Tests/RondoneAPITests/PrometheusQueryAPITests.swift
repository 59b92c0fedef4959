import Foundation
import RondoneAPI
import RondoneAPITesting
import Testing

/// The Prometheus query API over HTTP: Grafana's first call, the mapping of metrics and
/// resources to series (docs/PROMQL.md), the label endpoints, and Prometheus's refusals.
@Suite("Prometheus query API over HTTP")
struct PrometheusQueryAPITests {
    static var admin: [String: String] { MetricControllerTests.admin }
    static var form: [String: String] {
        ["Authorization": APITestClient.admin, "Content-Type": "application/x-www-form-urlencoded"]
    }

    /// A `host` type with a `flavor` attribute, resource `web-1` in a project, metric
    /// `disk.io-read` on it (policy `p15`: 15 s, `last`, `mean`, `max`) holding 0, 1.5, 3,
    /// … every 15 s from `start`, processed; and `http_requests_total@code=200,method=get`
    /// as remote write keeps labels. Returns the first point's time.
    static func store(_ client: APITestClient) async throws -> Int {
        let policy =
            #"{"name": "p15", "definition": [{"granularity": "15s", "timespan": "1 day"}], "#
            + #""aggregation_methods": ["last", "mean", "max"]}"#
        #expect(
            try await client.request(.post, "/v1/archive_policy", headers: admin, body: policy).status
                == .created)
        let type = #"{"name": "host", "attributes": {"flavor": {"type": "string", "required": false}}}"#
        #expect(
            try await client.request(.post, "/v1/resource_type", headers: admin, body: type).status
                == .created)
        let resource =
            #"{"id": "web-1", "flavor": "m1.small", "project_id": "0b8b0b8e-6f7e-4c2b-9a7d-1a2b3c4d5e6f", "#
            + #""metrics": {"disk.io-read": {"archive_policy_name": "p15"}, "#
            + #""http_requests_total@code=200,method=get": {"archive_policy_name": "p15"}}}"#
        #expect(
            try await client.request(.post, "/v1/resource/host", headers: admin, body: resource).status
                == .created)
        let now = Int(Date().timeIntervalSince1970)
        let start = now / 15 * 15 - 600
        let measures = (0..<20).map { #"{"timestamp": \#(start + 15 * $0), "value": \#(Double($0) * 1.5)}"# }
        for name in ["disk.io-read", "http_requests_total@code=200,method=get"] {
            let path = "/v1/resource/host/web-1/metric/\(name)/measures"
            #expect(
                try await client.request(
                    .post, path, headers: admin, body: "[" + measures.joined(separator: ",") + "]"
                )
                .status == .accepted)
            #expect(try await client.request(.get, path + "?refresh=true", headers: admin).status == .ok)
        }
        return start
    }

    static func data(_ text: String) throws -> [String: Any] {
        let document = try MetricControllerTests.object(text)
        #expect(document["status"] as? String == "success", "\(text)")
        return try #require(document["data"] as? [String: Any])
    }

    @Test func grafanasFirstCallIsAScalar() async throws {
        try await APITestServer.run { client in
            let answer = try await client.request(
                .post, "/api/v1/query", headers: Self.form, body: "query=1%2B1&time=4")
            #expect(answer.status == .ok)
            #expect(answer.text == #"{"status":"success","data":{"resultType":"scalar","result":[4,"2"]}}"#)
            let build = try Self.data(
                try await client.request(.get, "/api/v1/status/buildinfo", headers: Self.admin).text)
            #expect(build["version"] as? String != nil)
            #expect(build["features"] == nil)
            for path in ["/api/v1/rules", "/prometheus/api/v1/query_exemplars?query=up&start=1&end=2"] {
                #expect(try await client.request(.get, path, headers: Self.admin).status == .ok)
            }
        }
    }

    @Test func aMetricIsASeriesPerStoredMethod() async throws {
        try await APITestServer.run { client in
            let start = try await Self.store(client)
            let time = start + 15 * 19
            let answer = try Self.data(
                try await client.request(
                    .get, "/prometheus/api/v1/query?query=disk_io_read&time=\(time)", headers: Self.admin
                )
                .text)
            #expect(answer["resultType"] as? String == "vector")
            let result = try #require(answer["result"] as? [[String: Any]])
            #expect(result.count == 1)
            let labels = try #require(result.first?["metric"] as? [String: String])
            #expect(labels["__name__"] == "disk_io_read")
            #expect(labels["gnocchi_name"] == "disk.io-read")
            #expect(labels["aggregation"] == "mean")
            #expect(labels["resource_id"] == "web-1")
            #expect(labels["resource_type"] == "host")
            #expect(labels["flavor"] == "m1.small")
            #expect(labels["project_id"] == "0b8b0b8e-6f7e-4c2b-9a7d-1a2b3c4d5e6f")
            #expect(labels["metric_id"]?.count == 36)
            let value = try #require(result.first?["value"] as? [Any])
            #expect((value[0] as? NSNumber)?.intValue == time)
            #expect(value[1] as? String == "28.5")

            // Every stored method when the selector asks for it; the labels a remote-written
            // name keeps come back as labels.
            let all = try Self.data(
                try await client.request(
                    .get,
                    "/api/v1/query?query=count(%7Baggregation%3D~%22.%2B%22%7D)%20by%20(__name__)&time=\(time)",
                    headers: Self.admin
                ).text)
            let counts = try #require(all["result"] as? [[String: Any]])
            #expect(counts.count == 2)
            #expect(counts.allSatisfy { ($0["value"] as? [Any])?[1] as? String == "3" })
            let kept = try MetricControllerTests.object(
                try await client.request(
                    .get, "/api/v1/series?match%5B%5D=http_requests_total%7Bcode%3D%22200%22%7D",
                    headers: Self.admin
                ).text)
            let series = try #require(kept["data"] as? [[String: String]])
            #expect(series.count == 1)
            #expect(series.first?["method"] == "get")
            #expect(series.first?["gnocchi_name"] == "http_requests_total@code=200,method=get")

            // A range query: rate over 1 minute of a series growing 1.5 every 15 s.
            let range = try Self.data(
                try await client.request(
                    .post, "/api/v1/query_range", headers: Self.form,
                    body: "query=rate(disk_io_read%5B1m%5D)&start=\(start + 120)&end=\(start + 240)&step=60"
                ).text)
            let matrix = try #require(range["result"] as? [[String: Any]])
            let values = try #require(matrix.first?["values"] as? [[Any]])
            #expect(values.count == 3)
            #expect(values.allSatisfy { $0[1] as? String == "0.1" })
        }
    }

    @Test func labelsAndValues() async throws {
        try await APITestServer.run { client in
            _ = try await Self.store(client)
            let names = try MetricControllerTests.object(
                try await client.request(
                    .get, "/api/v1/label/__name__/values?limit=40000", headers: Self.admin
                ).text)
            #expect(names["data"] as? [String] == ["disk_io_read", "http_requests_total"])
            let methods = try MetricControllerTests.object(
                try await client.request(.get, "/api/v1/label/aggregation/values", headers: Self.admin).text)
            #expect(methods["data"] as? [String] == ["last", "max", "mean"])
            let labels = try MetricControllerTests.object(
                try await client.request(.get, "/api/v1/labels?match%5B%5D=disk_io_read", headers: Self.admin)
                    .text)
            let list = try #require(labels["data"] as? [String])
            #expect(list.contains("flavor") && !list.contains("method"))
            let limited = try MetricControllerTests.object(
                try await client.request(.get, "/api/v1/label/__name__/values?limit=1", headers: Self.admin)
                    .text)
            #expect((limited["data"] as? [String])?.count == 1)
            #expect((limited["warnings"] as? [String])?.isEmpty == false)
        }
    }

    @Test func refusalsAreInPrometheusJSON() async throws {
        try await APITestServer.run { client in
            for (path, status, type) in [
                ("/api/v1/query?query=sum(", 400, "bad_data"),
                ("/api/v1/query?query=up&time=yesterday", 400, "bad_data"),
                ("/api/v1/query_range?query=up&start=10&end=5&step=1", 400, "bad_data"),
                ("/api/v1/query_range?query=up&start=1&end=5&step=0", 400, "bad_data"),
                ("/api/v1/query_range?query=up&start=0&end=100000&step=1", 400, "bad_data"),
                ("/api/v1/query?query=histogram_quantile(0.9,up)", 501, "unavailable"),
                ("/api/v1/series", 400, "bad_data"),
                // Times and durations that would overflow milliseconds are refused, and a
                // subquery of billions of steps is an execution error, not an exhausted memory.
                ("/api/v1/query?query=up%20offset%201e300", 400, "bad_data"),
                ("/api/v1/query?query=up%20%40%201e300", 400, "bad_data"),
                ("/api/v1/query?query=up%5B300y%5D", 400, "bad_data"),
                ("/api/v1/query_range?query=1&start=-9e15&end=9e15&step=1e12", 400, "bad_data"),
                ("/api/v1/query?query=up%5B10000d%3A1ms%5D", 422, "execution"),
                ("/api/v1/label/1bad/values", 400, "bad_data"),
            ] {
                let answer = try await client.request(.get, path, headers: Self.admin)
                #expect(Int(answer.status.code) == status, "\(path)")
                let document = try MetricControllerTests.object(answer.text)
                #expect(document["status"] as? String == "error")
                #expect(document["errorType"] as? String == type, "\(path)")
                #expect((document["error"] as? String)?.isEmpty == false)
            }
        }
    }
}
