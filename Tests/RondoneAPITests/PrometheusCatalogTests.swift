import Foundation
import RondoneAPI
import RondoneAPITesting
import Testing

/// The series catalog follows the index: every write through the API shows in the
/// Prometheus API's next answer, though the catalog is read whole only once.
@Suite("Prometheus series catalog follows the index")
struct PrometheusCatalogTests {
    static var admin: [String: String] { MetricControllerTests.admin }

    static func values(_ client: APITestClient, _ label: String) async throws -> [String] {
        let document = try MetricControllerTests.object(
            try await client.request(.get, "/api/v1/label/\(label)/values", headers: admin).text)
        return try #require(document["data"] as? [String])
    }

    static func series(_ client: APITestClient, _ selector: String) async throws -> [[String: String]] {
        let query = selector.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? selector
        let document = try MetricControllerTests.object(
            try await client.request(.get, "/api/v1/series?match%5B%5D=\(query)", headers: admin).text)
        return try #require(document["data"] as? [[String: String]])
    }

    @Test func everyWriteShowsInTheNextAnswer() async throws {
        try await APITestServer.run { client in
            _ = try await PrometheusQueryAPITests.store(client)
            #expect(try await Self.values(client, "flavor") == ["m1.small"])

            // A resource's attribute changes: its metrics' labels change.
            #expect(
                try await client.request(
                    .patch, "/v1/resource/host/web-1", headers: Self.admin, body: #"{"flavor": "m1.large"}"#
                ).status == .ok)
            #expect(try await Self.values(client, "flavor") == ["m1.large"])

            // A metric created alone appears, and goes when deleted.
            let created = try MetricControllerTests.object(
                try await client.request(
                    .post, "/v1/metric", headers: Self.admin,
                    body: #"{"name": "fresh", "archive_policy_name": "p15"}"#
                ).text)
            let id = try #require(created["id"] as? String)
            #expect(
                try await Self.values(client, "__name__") == ["disk_io_read", "fresh", "http_requests_total"])
            #expect(try await Self.series(client, "fresh").first?["metric_id"] == id)
            #expect(
                try await client.request(.delete, "/v1/metric/\(id)", headers: Self.admin).status
                    == .noContent)
            #expect(try await Self.values(client, "__name__") == ["disk_io_read", "http_requests_total"])

            // A metric detached from its resource loses the resource's labels.
            #expect(
                try await client.request(
                    .patch, "/v1/resource/host/web-1", headers: Self.admin,
                    body:
                        #"{"metrics": {"disk.io-read": "\#(try await Self.metricID(client, "disk.io-read"))"}}"#
                ).status == .ok)
            let detached = try await Self.series(client, "http_requests_total")
            #expect(detached.count == 1 && detached.first?["resource_id"] == nil)
            #expect(detached.first?["code"] == "200")
            #expect(try await Self.series(client, "disk_io_read").first?["resource_id"] == "web-1")

            // A new attribute of the type (a change to everything) shows as a label.
            #expect(
                try await client.request(
                    .patch, "/v1/resource_type/host",
                    headers: [
                        "Authorization": APITestClient.admin, "Content-Type": "application/json-patch+json",
                    ],
                    body:
                        #"[{"op": "add", "path": "/attributes/zone", "value": {"type": "string", "required": true, "options": {"fill": "z1"}}}]"#
                ).status == .ok)
            #expect(try await Self.values(client, "zone") == ["z1"])

            // A deleted resource takes its metrics with it.
            #expect(
                try await client.request(.delete, "/v1/resource/host/web-1", headers: Self.admin).status
                    == .noContent)
            #expect(try await Self.values(client, "__name__") == ["http_requests_total"])
            #expect(try await Self.values(client, "flavor").isEmpty)
        }
    }

    static func metricID(_ client: APITestClient, _ name: String) async throws -> String {
        let resource = try MetricControllerTests.object(
            try await client.request(.get, "/v1/resource/host/web-1", headers: admin).text)
        let metrics = try #require(resource["metrics"] as? [String: String])
        return try #require(metrics[name])
    }
}
