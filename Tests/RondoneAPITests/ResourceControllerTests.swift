import Foundation
import HTTPTypes
import RondoneAPITesting
import Testing

/// `/v1/resource/generic` over HTTP against the real embedded stores (default policies).
@Suite("Resources over HTTP")
struct ResourceControllerTests {
    static let json = MetricControllerTests.json
    static var admin: [String: String] { MetricControllerTests.admin }
    static var foobar: [String: String] { MetricControllerTests.foobar }
    static let id = "75c44741-cc60-4033-804e-2d3098c7d2e9"

    static func object(_ text: String) throws -> [String: Any] { try MetricControllerTests.object(text) }
    static func list(_ text: String) throws -> [[String: Any]] { try MetricControllerTests.list(text) }

    @Test func createGetPatchHistoryDelete() async throws {
        try await APITestServer.runWithStores(defaultPolicies: true) { client in
            let created = try await client.request(
                .post, "/v1/resource/generic", headers: Self.foobar,
                body: #"""
                    {"id": "75C44741-CC60-4033-804E-2D3098C7D2E9", "started_at": "2014-01-03T02:02:02.000000",
                     "user_id": "u1", "project_id": "p1", "metrics": {"cpu": {"archive_policy_name": "low"}}}
                    """#)
            #expect(created.status == .created)
            #expect(created.headers[.location]?.hasSuffix("/v1/resource/generic/\(Self.id)") == true)
            let body = try Self.object(created.text)
            #expect(body["id"] as? String == Self.id)
            #expect(body["original_resource_id"] as? String == "75C44741-CC60-4033-804E-2D3098C7D2E9")
            #expect(body["started_at"] as? String == "2014-01-03T02:02:02+00:00")
            #expect(body["creator"] as? String == "foobar")
            #expect(body["created_by_project_id"] as? String == "")
            #expect(body.count == 13)
            let metricID = try #require((body["metrics"] as? [String: String])?["cpu"])
            let etag = try #require(created.headers[.eTag])

            // Same id again: 409; the ETag answers conditional GETs.
            let again = try await client.request(
                .post, "/v1/resource/generic", headers: Self.foobar, body: #"{"id": "\#(Self.id)"}"#)
            #expect(again.status == .conflict)
            let notModified = try await client.request(
                .get, "/v1/resource/generic/\(Self.id)",
                headers: Self.foobar.merging(["If-None-Match": etag]) { $1 })
            #expect(notModified.status == .notModified)
            let failed = try await client.request(
                .patch, "/v1/resource/generic/\(Self.id)",
                headers: Self.foobar.merging(["If-Match": "\"nope\""]) { $1 }, body: #"{"user_id": "x"}"#)
            #expect(failed.status == .preconditionFailed)

            // A PATCH that changes nothing makes no revision; one that does makes one.
            let same = try await client.request(
                .patch, "/v1/resource/generic/\(Self.id)", headers: Self.foobar, body: #"{"user_id": "u1"}"#)
            #expect(
                try Self.object(same.text)["revision_start"] as? String == body["revision_start"] as? String)
            let patched = try await client.request(
                .patch, "/v1/resource/generic/\(Self.id)", headers: Self.foobar, body: #"{"user_id": "u2"}"#)
            #expect(patched.status == .ok)
            #expect(try Self.object(patched.text)["user_id"] as? String == "u2")
            let history = try await client.request(
                .get, "/v1/resource/generic/\(Self.id)/history?sort=revision_end:asc-nullslast&limit=1",
                headers: Self.foobar)
            let first = try Self.list(history.text)
            #expect(first.map { $0["user_id"] as? String } == ["u1"])
            let link = try #require(history.headers[HTTPField.Name("Link")!])
            #expect(link.contains("marker=\(Self.id)%401"))
            let rest = try await client.request(
                .get,
                "/v1/resource/generic/\(Self.id)/history?sort=revision_end:asc-nullslast&marker=\(Self.id)@1",
                headers: Self.foobar)
            #expect(try Self.list(rest.text).map { $0["user_id"] as? String } == ["u2"])

            // The metric by name, its measures, and the resource in the metric's JSON.
            let named = try await client.request(
                .get, "/v1/resource/generic/\(Self.id)/metric/cpu", headers: Self.foobar)
            let metric = try Self.object(named.text)
            #expect(metric["id"] as? String == metricID)
            #expect((metric["resource"] as? [String: Any])?["id"] as? String == Self.id)
            let posted = try await client.request(
                .post, "/v1/resource/generic/\(Self.id)/metric/cpu/measures", headers: Self.foobar,
                body: #"[{"timestamp": "2015-06-06T14:33:00", "value": 11}]"#)
            #expect(posted.status == .accepted)
            let measures = try await client.request(
                .get, "/v1/resource/generic/\(Self.id)/metric/cpu/measures?refresh=true", headers: Self.foobar
            )
            #expect(measures.text == #"[["2015-06-06T14:30:00+00:00", 300.0, 11.0]]"#)
            let unknown = try await client.request(
                .get, "/v1/resource/generic/\(Self.id)/metric/nope", headers: Self.foobar)
            #expect(unknown.status == .notFound && unknown.text.contains("Metric nope does not exist"))

            // Delete: the resource goes, its metrics with it.
            let forbidden = try await client.request(
                .delete, "/v1/resource/generic/\(Self.id)", headers: ["Authorization": "basic amQ6"])
            #expect(forbidden.status == .forbidden)
            let deleted = try await client.request(
                .delete, "/v1/resource/generic/\(Self.id)", headers: Self.foobar)
            #expect(deleted.status == .noContent)
            let gone = try await client.request(.get, "/v1/metric/\(metricID)", headers: Self.admin)
            #expect(gone.status == .notFound)
            let missing = try await client.request(
                .get, "/v1/resource/generic/\(Self.id)", headers: Self.foobar)
            #expect(missing.status == .notFound)
        }
    }

    @Test func nonUUIDIdsAreDerivedPerCreator() async throws {
        try await APITestServer.runWithStores(defaultPolicies: true) { client in
            let created = try await client.request(
                .post, "/v1/resource/generic", headers: Self.foobar, body: #"{"id": "1.2.3.4"}"#)
            // uuid5(RESOURCE_ID_NAMESPACE, "1.2.3.4\0foobar"), as Gnocchi derives it.
            #expect(try Self.object(created.text)["id"] as? String == "a9c729cc-d1b0-5e6b-b5ba-8b5a7f45f1fc")
            let byName = try await client.request(.get, "/v1/resource/generic/1.2.3.4", headers: Self.foobar)
            #expect(byName.status == .ok)
            let otherCreator = try await client.request(
                .get, "/v1/resource/generic/1.2.3.4", headers: Self.admin)
            #expect(otherCreator.status == .notFound)
            let slash = try await client.request(
                .post, "/v1/resource/generic", headers: Self.foobar, body: #"{"id": "a/b"}"#)
            #expect(slash.status == .badRequest && slash.text.contains("'/' is not supported in resource id"))
        }
    }

    @Test func badBodiesChangeNothing() async throws {
        try await APITestServer.runWithStores(defaultPolicies: true) { client in
            let cases: [(String, String)] = [
                (
                    #"{"id": "r", "started_at": "2014-12-15T02:59:43", "ended_at": "2001-12-15T02:59:43"}"#,
                    "Start timestamp cannot be after end timestamp"
                ),
                (
                    #"{"id": "r", "metrics": {"cpu": {"archive_policy_name": "nope"}}}"#,
                    "Archive policy nope does not exist"
                ),
                (
                    #"{"id": "r", "metrics": {"disk/io": {"archive_policy_name": "low"}}}"#,
                    "'/' is not supported in metric name"
                ),
                (
                    #"{"metrics": {"disk/io": {"archive_policy_name": "low"}}}"#,
                    "'/' is not supported in metric name"
                ),
                (
                    #"{"id": "r", "metrics": {"cpu": "f3d41b77-0cc1-4f0b-b94a-1d5be9c0e3ea"}}"#,
                    "Metric f3d41b77-0cc1-4f0b-b94a-1d5be9c0e3ea does not exist"
                ),
                (#"{"id": "r", "user_id": 5}"#, "not a valid value for dictionary value @ data['user_id']"),
                (#"{"id": "r", "color": "red"}"#, "extra keys not allowed @ data['color']"),
                (#"{"started_at": "now"}"#, "required key not provided @ data['id']"),
                (#"[1]"#, "expected a dictionary"),
            ]
            for (body, message) in cases {
                let response = try await client.request(
                    .post, "/v1/resource/generic", headers: Self.foobar, body: body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.text.contains(message), "\(body): \(response.text)")
            }
            let listed = try await client.request(.get, "/v1/resource/generic", headers: Self.foobar)
            #expect(listed.text == "[]")
            let metrics = try await client.request(.get, "/v1/metric", headers: Self.admin)
            #expect(metrics.text == "[]")
            let unknownType = try await client.request(.get, "/v1/resource/nope", headers: Self.foobar)
            #expect(
                unknownType.status == .notFound
                    && unknownType.text.contains("Resource type nope does not exist"))
        }
    }

    @Test func batchMeasuresByResourceCreatesMetrics() async throws {
        try await APITestServer.runWithStores(defaultPolicies: true) { client in
            _ = try await client.request(
                .post, "/v1/resource/generic", headers: Self.foobar, body: #"{"id": "\#(Self.id)"}"#)
            let unknown = try await client.request(
                .post, "/v1/batch/resources/metrics/measures", headers: Self.foobar,
                body: #"{"\#(Self.id)": {"cpu": [{"timestamp": "2015-03-06T14:33:57", "value": 1}]}}"#)
            #expect(unknown.status == .badRequest && unknown.text.contains("Unknown metrics: \(Self.id)/cpu"))
            let created = try await client.request(
                .post, "/v1/batch/resources/metrics/measures?create_metrics=true", headers: Self.foobar,
                body: #"""
                    {"\#(Self.id)": {"cpu": {"archive_policy_name": "medium", "unit": "%",
                     "measures": [{"timestamp": "2015-03-06T14:33:57", "value": 1}]}}}
                    """#)
            #expect(created.status == .accepted)
            let metric = try Self.object(
                try await client.request(
                    .get, "/v1/resource/generic/\(Self.id)/metric/cpu", headers: Self.foobar
                )
                .text)
            #expect(metric["unit"] as? String == "%")
            #expect((metric["archive_policy"] as? [String: Any])?["name"] as? String == "medium")
            let noResource = try await client.request(
                .post, "/v1/batch/resources/metrics/measures?create_metrics=true", headers: Self.foobar,
                body: #"{"foobar": {"cpu": [{"timestamp": "2015-03-06T14:33:57", "value": 1}]}}"#)
            #expect(noResource.status == .badRequest)
            #expect(noResource.text.contains("2fbfbb20-8d56-5e1e-afb9-b3007da11fdf"))
        }
    }

    @Test func resourceTypesAndTheirIndex() async throws {
        try await APITestServer.runWithStores(defaultPolicies: true) { client in
            let types = try await client.request(.get, "/v1/resource_type", headers: Self.foobar)
            #expect(types.text == #"[{"name": "generic", "attributes": {}, "state": "active"}]"#)
            let generic = try await client.request(.get, "/v1/resource_type/generic", headers: Self.foobar)
            #expect(generic.text == #"{"name": "generic", "attributes": {}, "state": "active"}"#)
            let missing = try await client.request(.get, "/v1/resource_type/nope", headers: Self.foobar)
            #expect(missing.status == .notFound && missing.text.contains("Resource type nope does not exist"))
            let anonymous = try await client.request(
                .get, "/v1/resource_type", headers: ["Accept": "application/json"])
            #expect(anonymous.status == .unauthorized)
            let index = try await client.request(.get, "/v1/resource/", headers: Self.foobar)
            #expect(try Self.object(index.text)["generic"] as? String != nil)
        }
    }
}
