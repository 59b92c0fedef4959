import Foundation
import HTTPTypes
import RondoneAPITesting
import Testing

/// `/v1/metric` over HTTP against the real embedded stores (default policies: `low` etc.
/// and the `*` → `low` rule).
@Suite("Metrics over HTTP")
struct MetricControllerTests {
    static let json = ["Content-Type": "application/json", "Accept": "application/json"]
    static var admin: [String: String] { json.merging(["Authorization": APITestClient.admin]) { $1 } }
    static var foobar: [String: String] { json.merging(["Authorization": APITestClient.foobar]) { $1 } }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static func list(_ text: String) throws -> [[String: Any]] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    }

    @Test func createGetListDelete() async throws {
        try await APITestServer.runWithStores(defaultPolicies: true) { client in
            let created = try await client.request(
                .post, "/v1/metric", headers: Self.admin,
                body: #"{"archive_policy_name": "low", "name": "disk.io", "unit": "B/s"}"#)
            #expect(created.status == .created)
            let body = try Self.object(created.text)
            let id = try #require(body["id"] as? String)
            #expect(created.headers[.location]?.hasSuffix("/v1/metric/\(id)") == true)
            #expect(
                created.text
                    == #"{"id": "\#(id)", "creator": "admin", "name": "disk.io", "unit": "B/s", "resource_id": null, "archive_policy_name": "low", "created_by_user_id": "admin", "created_by_project_id": ""}"#
            )

            let one = try await client.request(.get, "/v1/metric/\(id)", headers: Self.admin)
            #expect(one.status == .ok)
            let detailed = try Self.object(one.text)
            #expect((detailed["archive_policy"] as? [String: Any])?["name"] as? String == "low")
            #expect(detailed.keys.contains("resource") && !detailed.keys.contains("archive_policy_name"))

            // By rule: no policy named.
            let byRule = try await client.request(
                .post, "/v1/metric", headers: Self.foobar, body: #"{"name": "cpu"}"#)
            #expect(byRule.status == .created)
            #expect(try Self.object(byRule.text)["archive_policy_name"] as? String == "low")

            // Unauthenticated list answers 200 in basic mode.
            let all = try await client.request(.get, "/v1/metric", headers: ["Accept": "application/json"])
            #expect(all.status == .ok)
            #expect(try Self.list(all.text).count == 2)
            let named = try await client.request(
                .get, "/v1/metric?name=cpu&sort=name:desc", headers: Self.admin)
            #expect(try Self.list(named.text).map { $0["name"] as? String } == ["cpu"])

            // foobar may not delete admin's metric.
            let forbidden = try await client.request(.delete, "/v1/metric/\(id)", headers: Self.foobar)
            #expect(forbidden.status == .forbidden)
            let deleted = try await client.request(.delete, "/v1/metric/\(id)", headers: Self.admin)
            #expect(deleted.status == .noContent)
            let again = try await client.request(.delete, "/v1/metric/\(id)", headers: Self.admin)
            #expect(again.status == .notFound)
            #expect(again.text.contains("Metric \(id) does not exist"))
        }
    }

    @Test func paginationLink() async throws {
        try await APITestServer.runWithStores(defaultPolicies: true) { client in
            for name in ["a", "b", "c"] {
                _ = try await client.request(
                    .post, "/v1/metric", headers: Self.admin,
                    body: #"{"archive_policy_name": "low", "name": "\#(name)"}"#)
            }
            let page = try await client.request(
                .get, "/v1/metric?archive_policy_name=low&sort=name:desc&limit=2", headers: Self.admin)
            let items = try Self.list(page.text)
            #expect(items.map { $0["name"] as? String } == ["c", "b"])
            let marker = try #require(items.last?["id"] as? String)
            let link = try #require(page.headers[HTTPField.Name("Link")!])
            #expect(
                link.hasSuffix(
                    "/v1/metric?archive_policy_name=low&limit=2&marker=\(marker)&sort=name%3Adesc>; rel=\"next\""
                ))
            let next = try await client.request(
                .get, "/v1/metric?archive_policy_name=low&sort=name:desc&limit=2&marker=\(marker)",
                headers: Self.admin)
            #expect(try Self.list(next.text).map { $0["name"] as? String } == ["a"])
            #expect(next.headers[HTTPField.Name("Link")!] == nil)
        }
    }

    @Test func errors() async throws {
        try await APITestServer.runWithStores { client in
            let notUUID = try await client.request(.get, "/v1/metric/foobar", headers: Self.admin)
            #expect(notUUID.status == .notFound)
            #expect(
                notUUID.text
                    == #"{"code": 404, "title": "Not Found", "description": "Metric foobar does not exist"}"#)
            let slash = try await client.request(
                .post, "/v1/metric", headers: Self.admin, body: #"{"name": "a/b"}"#)
            #expect(slash.status == .badRequest)
            #expect(slash.text.contains("'/' is not supported in metric name"))
            let noRule = try await client.request(
                .post, "/v1/metric", headers: Self.admin, body: #"{"name": "x"}"#)
            #expect(
                noRule.text.contains(
                    "No archive policy name specified and no archive policy rule found matching the metric name x"
                ))
            let badPolicy = try await client.request(
                .post, "/v1/metric", headers: Self.admin, body: #"{"archive_policy_name": "nope"}"#)
            #expect(badPolicy.status == .badRequest)
            #expect(badPolicy.text.contains("Archive policy nope does not exist"))
            let longUnit = try await client.request(
                .post, "/v1/metric", headers: Self.admin,
                body: #"{"archive_policy_name": "nope", "unit": "\#(String(repeating: "u", count: 32))"}"#)
            #expect(
                longUnit.text
                    == #"{"code": 400, "title": "Bad Request", "description": {"cause": "Invalid input", "reason": "length of value must be at most 31 for dictionary value @ data['unit']", "detail": ["unit"]}}"#
            )
            let extra = try await client.request(
                .post, "/v1/metric", headers: Self.admin, body: #"{"foo": "bar"}"#)
            #expect(extra.text.contains("extra keys not allowed @ data['foo']"))
            let notJSON = try await client.request(
                .post, "/v1/metric",
                headers: ["Authorization": APITestClient.admin, "Content-Type": "text/plain"],
                body: "{}")
            #expect(notJSON.status == .unsupportedMediaType)
            let unauthenticated = try await client.request(
                .post, "/v1/metric", headers: Self.json, body: "{}")
            #expect(unauthenticated.status == .unauthorized)
            let badSort = try await client.request(
                .get, "/v1/metric?sort=nonexistent_key:asc", headers: Self.admin)
            #expect(badSort.status == .badRequest)
            #expect(badSort.text.contains("Sort key supplied is invalid: nonexistent_key"))
            let badMarker = try await client.request(.get, "/v1/metric?marker=nope", headers: Self.admin)
            #expect(badMarker.status == .badRequest)
        }
    }
}
