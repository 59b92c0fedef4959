import HTTPTypes
import RondoneAPITesting
import Testing

/// `/v1/archive_policy_rule` over HTTP against the real embedded stores; expected bodies
/// are the real Gnocchi 4.7.1's.
@Suite("Archive policy rules over HTTP")
struct ArchivePolicyRuleControllerTests {
    static let json = ArchivePolicyControllerTests.json
    static var admin: [String: String] { ArchivePolicyControllerTests.admin }
    static var foobar: [String: String] { ArchivePolicyControllerTests.foobar }

    static func createPolicy(_ client: APITestClient) async throws {
        let created = try await client.request(
            .post, "/v1/archive_policy", headers: admin,
            body: #"{"name": "low", "definition": [{"granularity": 3600}]}"#)
        #expect(created.status == .created)
    }

    static func rule(_ name: String, _ pattern: String) -> String {
        #"{"name": "\#(name)", "archive_policy_name": "low", "metric_pattern": "\#(pattern)"}"#
    }

    @Test func createListRenameDelete() async throws {
        try await APITestServer.runWithStores { client in
            try await Self.createPolicy(client)
            for (name, pattern) in [("r1", "*"), ("r2", "disk.foo.*"), ("r3", "disk.*")] {
                let created = try await client.request(
                    .post, "/v1/archive_policy_rule", headers: Self.admin,
                    body:
                        #"{"name": "\#(name)", "metric_pattern": "\#(pattern)", "archive_policy_name": "low"}"#
                )
                #expect(created.status == .created)
                #expect(created.headers[.location]?.hasSuffix("/v1/archive_policy_rule/\(name)") == true)
                #expect(created.text == Self.rule(name, pattern))
            }
            let list = try await client.request(.get, "/v1/archive_policy_rule", headers: Self.foobar)
            #expect(
                list.text == "["
                    + [Self.rule("r2", "disk.foo.*"), Self.rule("r3", "disk.*"), Self.rule("r1", "*")]
                    .joined(separator: ", ") + "]")

            let renamed = try await client.request(
                .patch, "/v1/archive_policy_rule/r3", headers: Self.admin, body: #"{"name": "r3b"}"#)
            #expect(renamed.status == .ok && renamed.text == Self.rule("r3b", "disk.*"))
            #expect(
                try await client.request(.get, "/v1/archive_policy_rule/r3", headers: Self.admin).status
                    == .notFound)
            let fetched = try await client.request(.get, "/v1/archive_policy_rule/r3b", headers: Self.foobar)
            #expect(fetched.text == Self.rule("r3b", "disk.*"))
            let conflict = try await client.request(
                .patch, "/v1/archive_policy_rule/r2", headers: Self.admin, body: #"{"name": "r3b"}"#)
            #expect(
                conflict.text
                    == #"{"code": 400, "title": "Bad Request", "description": "Archive policy rule r2 does not support change: Archive policy rule r3b already exists."}"#
            )
            let inUse = try await client.request(.delete, "/v1/archive_policy/low", headers: Self.admin)
            #expect(inUse.status == .badRequest)

            #expect(
                try await client.request(.delete, "/v1/archive_policy_rule/r1", headers: Self.foobar).status
                    == .forbidden)
            for name in ["r1", "r2", "r3b"] {
                let deleted = try await client.request(
                    .delete, "/v1/archive_policy_rule/\(name)", headers: Self.admin)
                #expect(deleted.status == .noContent)
            }
            let again = try await client.request(.delete, "/v1/archive_policy_rule/r1", headers: Self.admin)
            #expect(
                again.text
                    == #"{"code": 404, "title": "Not Found", "description": "Archive policy rule r1 does not exist"}"#
            )
            #expect(
                try await client.request(.delete, "/v1/archive_policy/low", headers: Self.admin).status
                    == .noContent)
        }
    }

    @Test func refusals() async throws {
        try await APITestServer.runWithStores { client in
            try await Self.createPolicy(client)
            let body = #"{"name": "r", "metric_pattern": "disk.*", "archive_policy_name": "low"}"#
            #expect(
                try await client.request(.post, "/v1/archive_policy_rule", headers: Self.json, body: body)
                    .status == .unauthorized)
            #expect(
                try await client.request(.post, "/v1/archive_policy_rule", headers: Self.foobar, body: body)
                    .status == .forbidden)
            let unknownPolicy = try await client.request(
                .post, "/v1/archive_policy_rule", headers: Self.admin,
                body: #"{"name": "r", "metric_pattern": "disk.*", "archive_policy_name": "nope"}"#)
            #expect(
                unknownPolicy.text
                    == #"{"code": 400, "title": "Bad Request", "description": {"cause": "Archive policy does not exist", "detail": "nope"}}"#
            )
            let missingKey = try await client.request(
                .post, "/v1/archive_policy_rule", headers: Self.admin,
                body: #"{"name": "r", "metric_pattern": "x"}"#)
            #expect(
                missingKey.text
                    == ArchivePolicyControllerTests.invalid(
                        "required key not provided @ data['archive_policy_name']", ["archive_policy_name"]))
            let extra = try await client.request(
                .post, "/v1/archive_policy_rule", headers: Self.admin, body: #"{"whaa": 1}"#)
            #expect(
                extra.text
                    == ArchivePolicyControllerTests.invalid("extra keys not allowed @ data['whaa']", ["whaa"])
            )
            #expect(
                try await client.request(.post, "/v1/archive_policy_rule", headers: Self.admin, body: body)
                    .status == .created)
            let duplicate = try await client.request(
                .post, "/v1/archive_policy_rule", headers: Self.admin, body: body)
            #expect(duplicate.status == .conflict)

            // The rename body is checked before the caller; the rule's existence before both.
            let badRename = try await client.request(
                .patch, "/v1/archive_policy_rule/r", headers: Self.json, body: #"{"name": 3}"#)
            #expect(
                badRename.text
                    == ArchivePolicyControllerTests.invalid(
                        "expected str for dictionary value @ data['name']", ["name"]))
            let anonymousRename = try await client.request(
                .patch, "/v1/archive_policy_rule/r", headers: Self.json, body: #"{"name": "s"}"#)
            #expect(anonymousRename.status == .unauthorized)
            let emptyRename = try await client.request(
                .patch, "/v1/archive_policy_rule/r", headers: Self.admin)
            #expect(emptyRename.status == .badRequest)
            let missing = try await client.request(
                .get, "/v1/archive_policy_rule/nope", headers: ["Accept": "text/plain"])
            #expect(missing.status == .notFound)
            let post = try await client.request(
                .post, "/v1/archive_policy_rule/r", headers: Self.admin, body: "{}")
            #expect(post.status == .methodNotAllowed && post.headers[.allow] == "DELETE, GET, PATCH")
            let postMissing = try await client.request(
                .post, "/v1/archive_policy_rule/nope", headers: Self.admin, body: "{}")
            #expect(postMissing.status == .notFound)
        }
    }
}
