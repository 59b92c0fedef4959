import Foundation
import HTTPTypes
import HummingbirdTesting
import RondoneAPI
import RondoneAPITesting
import Testing

/// Batch delete (`DELETE /v1/resource/{type}` with a filter), and what a non-admin
/// keystone caller may search and delete.
@Suite("Batch delete and search policy over HTTP")
struct SearchPolicyAndDeleteTests {
    static var foobar: [String: String] { MetricControllerTests.foobar }

    static func keystone(user: String, project: String, roles: String = "member") -> [String: String] {
        MetricControllerTests.json.merging(["X-User-Id": user, "X-Project-Id": project, "X-Roles": roles]) {
            $1
        }
    }

    static func uuid(_ last: Int) -> String {
        "d2b4ce5e-4bf4-4f43-9a8a-8b8e5a9b" + String(format: "%04d", last)
    }

    @Test func batchDelete() async throws {
        try await APITestServer.runWithStores { client in
            for index in 1...5 {
                let created = try await client.request(
                    .post, "/v1/resource/generic", headers: Self.foobar,
                    body: #"{"id": "\#(Self.uuid(index))", "user_id": "u\#(index % 2)"}"#)
                #expect(created.status == .created)
            }
            func delete(_ query: String = "", body: String?) async throws -> TestResponse {
                try await client.request(
                    .delete, "/v1/resource/generic" + query, headers: Self.foobar, body: body)
            }
            let byBody = try await delete(body: #"{"=": {"user_id": "u0"}}"#)
            #expect(byBody.status == .ok)
            #expect(byBody.text == #"{"deleted": 2}"#)
            let byString = try await delete(
                "?filter=" + SearchTests.encoded("id in [\(Self.uuid(1)), \(Self.uuid(2)), \(Self.uuid(9))]"),
                body: nil)
            #expect(byString.text == #"{"deleted": 1}"#)
            let none = try await delete(body: #"{"=": {"user_id": "nobody"}}"#)
            #expect(none.text == #"{"deleted": 0}"#)
            let gone = try await client.request(
                .get, "/v1/resource/generic/\(Self.uuid(2))", headers: Self.foobar)
            #expect(gone.status == .notFound)
            let left = try await client.request(.get, "/v1/resource/generic", headers: Self.foobar)
            #expect(try MetricControllerTests.list(left.text).count == 2)

            for empty in [nil, "{}"] as [String?] {
                let refused = try await delete(body: empty)
                #expect(refused.status == .badRequest)
                #expect(refused.text.contains("caution: the query can not be empty"))
            }
            let invalid = try await delete(body: #"{"in": {"id": []}}"#)
            #expect(invalid.status == .badRequest)
            #expect(invalid.text.contains("length of value must be at least 1"))
            let unknownAttribute = try await delete(body: #"{"=": {"nope": 1}}"#)
            #expect(unknownAttribute.status == .badRequest)
            let unknownType = try await client.request(
                .delete, "/v1/resource/nope", headers: Self.foobar, body: #"{"=": {"user_id": "u1"}}"#)
            #expect(unknownType.status == .notFound)
        }
    }

    @Test func keystoneCallersSeeAndDeleteTheirProjectsResources() async throws {
        var configuration = APIConfiguration.testing
        configuration.authMode = .keystone
        try await APITestServer.runWithStores(configuration) { client in
            // Created by project A; created by B but owned by A; created by B.
            let resources = [
                (Self.uuid(1), Self.keystone(user: "ua", project: "A"), "A"),
                (Self.uuid(2), Self.keystone(user: "ub", project: "B"), "A"),
                (Self.uuid(3), Self.keystone(user: "ub", project: "B"), "B"),
            ]
            for (id, headers, owner) in resources {
                let created = try await client.request(
                    .post, "/v1/resource/generic", headers: headers,
                    body: #"{"id": "\#(id)", "project_id": "\#(owner)"}"#)
                #expect(created.status == .created, "\(created.text)")
            }
            func search(_ headers: [String: String], _ body: String = "{}") async throws -> Set<String> {
                let response = try await client.request(
                    .post, "/v1/search/resource/generic", headers: headers, body: body)
                #expect(response.status == .ok, "\(response.text)")
                return Set(try MetricControllerTests.list(response.text).compactMap { $0["id"] as? String })
            }
            #expect(
                try await search(Self.keystone(user: "ua", project: "A")) == [Self.uuid(1), Self.uuid(2)])
            #expect(
                try await search(Self.keystone(user: "ub", project: "B")) == [Self.uuid(2), Self.uuid(3)])
            #expect(try await search(Self.keystone(user: "uc", project: "C")) == [])
            #expect(
                try await search(Self.keystone(user: "root", project: "C", roles: "admin"))
                    == [Self.uuid(1), Self.uuid(2), Self.uuid(3)])
            // The policy filter is ANDed with the caller's.
            #expect(
                try await search(Self.keystone(user: "ua", project: "A"), #"{"=": {"project_id": "B"}}"#)
                    == [])

            // `delete resources` lets a project delete what it created, not what it owns.
            let deleted = try await client.request(
                .delete, "/v1/resource/generic", headers: Self.keystone(user: "ua", project: "A"),
                body: #"{"=": {"project_id": "A"}}"#)
            #expect(deleted.text == #"{"deleted": 1}"#)
            #expect(
                try await search(Self.keystone(user: "ub", project: "B")) == [Self.uuid(2), Self.uuid(3)])
        }
    }
}
