import HTTPTypes
import RondoneAPITesting
import Testing

/// `/v1/archive_policy` over HTTP against the real embedded stores, starting empty; the
/// expected bodies are the real Gnocchi 4.7.1's, byte for byte.
@Suite("Archive policies over HTTP")
struct ArchivePolicyControllerTests {
    static let json = ["Content-Type": "application/json", "Accept": "application/json"]
    static var admin: [String: String] { json.merging(["Authorization": APITestClient.admin]) { $1 } }
    static var foobar: [String: String] { json.merging(["Authorization": APITestClient.foobar]) { $1 } }

    static func invalid(_ reason: String, _ detail: [String]) -> String {
        let path = detail.map { "\"\($0)\"" }.joined(separator: ", ")
        return
            #"{"code": 400, "title": "Bad Request", "description": {"cause": "Invalid input", "reason": "\#(reason)", "detail": [\#(path)]}}"#
    }

    static func plain(_ code: Int, _ title: String, _ message: String) -> String {
        #"{"code": \#(code), "title": "\#(title)", "description": "\#(message)"}"#
    }

    @Test func createGetListPatchDelete() async throws {
        try await APITestServer.runWithStores { client in
            let created = try await client.request(
                .post, "/v1/archive_policy", headers: Self.admin,
                body: #"""
                    {"name": "ap-1", "back_window": "2", "aggregation_methods": ["-mean", "+last"],
                     "definition": [{"granularity": "1 second", "points": 20}, {"granularity": 2},
                                    {"timespan": "1 day", "granularity": "1h"}, {"timespan": "1 hour", "points": 1000}]}
                    """#)
            #expect(created.status == .created)
            #expect(created.headers[.location]?.hasSuffix("/v1/archive_policy/ap-1") == true)
            let rendered =
                #"{"name": "ap-1", "back_window": 2, "definition": ["#
                + #"{"timespan": "0:00:20", "granularity": "0:00:01", "points": 20}, "#
                + #"{"timespan": null, "granularity": "0:00:02", "points": null}, "#
                + #"{"timespan": "1 day, 0:00:00", "granularity": "1:00:00", "points": 24}, "#
                + #"{"timespan": "1:00:00", "granularity": "0:00:03.600000", "points": 1000}], "#
                + #""aggregation_methods": ["count", "last", "max", "min", "std", "sum"]}"#
            #expect(created.text == rendered)

            let one = try await client.request(.get, "/v1/archive_policy/ap-1", headers: Self.foobar)
            #expect(one.status == .ok && one.text == rendered)
            let list = try await client.request(.get, "/v1/archive_policy", headers: Self.foobar)
            #expect(list.status == .ok && list.text == "[\(rendered)]")

            let patched = try await client.request(
                .patch, "/v1/archive_policy/ap-1", headers: Self.admin,
                body: #"""
                    {"back_window": 0, "definition": [{"granularity": 1, "points": 50}, {"granularity": 2},
                     {"granularity": 3600, "points": 2}, {"granularity": 3.6, "points": 10}]}
                    """#)
            #expect(patched.status == .ok)
            #expect(patched.text.contains(#""back_window": 0"#))
            #expect(
                patched.text.contains(#"{"timespan": "0:00:50", "granularity": "0:00:01", "points": 50}"#))
            let again = try await client.request(.get, "/v1/archive_policy/ap-1", headers: Self.admin)
            #expect(again.text == patched.text)

            let deleted = try await client.request(.delete, "/v1/archive_policy/ap-1", headers: Self.admin)
            #expect(deleted.status == .noContent && deleted.text.isEmpty)
            let gone = try await client.request(.get, "/v1/archive_policy/ap-1", headers: Self.admin)
            #expect(gone.status == .notFound)
            #expect(gone.text == Self.plain(404, "Not Found", "Archive policy ap-1 does not exist"))
        }
    }

    @Test func validationErrorsAreGnocchis() async throws {
        try await APITestServer.runWithStores { client in
            let cases: [(String, String)] = [
                ("{}", Self.invalid("required key not provided @ data['name']", ["name"])),
                ("[]", Self.invalid("expected a dictionary", [])),
                (
                    #"{"cow": 1, "name": 5, "definition": [{"granularity": 1}]}"#,
                    Self.invalid("extra keys not allowed @ data['cow']", ["cow"])
                ),
                (
                    #"{"name": 5, "cow": 1, "definition": [{"granularity": 1}]}"#,
                    Self.invalid("expected str for dictionary value @ data['name']", ["name"])
                ),
                (
                    #"{"name": "x", "definition": [5]}"#,
                    Self.invalid("expected a dictionary @ data['definition'][0]", ["definition", "0"])
                ),
                (
                    #"{"name": "x", "definition": {"granularity": 1}}"#,
                    Self.invalid("expected a list for dictionary value @ data['definition']", ["definition"])
                ),
                (
                    #"{"name": "x", "definition": []}"#,
                    Self.invalid(
                        "length of value must be at least 1 for dictionary value @ data['definition']",
                        ["definition"])
                ),
                (
                    #"{"name": "x", "definition": [{"granularity": null, "points": 2}]}"#,
                    Self.invalid(
                        "Invalid timespan for dictionary value @ data['definition'][0]['granularity']",
                        ["definition", "0", "granularity"])
                ),
                (
                    #"{"name": "x", "definition": [{"granularity": "1 shenanigan"}]}"#,
                    Self.invalid(
                        "Unable to parse timespan for dictionary value @ data['definition'][0]['granularity']",
                        ["definition", "0", "granularity"])
                ),
                (
                    #"{"name": "x", "definition": [{"granularity": 0, "points": 0}]}"#,
                    Self.invalid(
                        "Timespan must be positive for dictionary value @ data['definition'][0]['granularity']",
                        ["definition", "0", "granularity"])
                ),
                (
                    #"{"name": "x", "definition": [{"granularity": 1, "points": "x"}]}"#,
                    Self.invalid(
                        "expected int for dictionary value @ data['definition'][0]['points']",
                        ["definition", "0", "points"])
                ),
                (
                    #"{"name": "x", "definition": [{"granularity": 1, "cow": 1}]}"#,
                    Self.invalid(
                        "extra keys not allowed @ data['definition'][0]['cow']", ["definition", "0", "cow"])
                ),
                (
                    #"{"name": "x", "back_window": -1, "definition": [{"granularity": 1}]}"#,
                    Self.invalid(
                        "value must be at least 0 for dictionary value @ data['back_window']", ["back_window"]
                    )
                ),
                (
                    #"{"name": "x", "aggregation_methods": ["mean", "wtf"], "definition": [{"granularity": 1}]}"#,
                    Self.invalid(
                        "not a valid value @ data['aggregation_methods'][1]", ["aggregation_methods", "1"])
                ),
                (
                    #"{"name": "x", "definition": [{"points": 5}]}"#,
                    Self.plain(
                        400, "Bad Request", "At least two of granularity/points/timespan must be provided")
                ),
                (
                    #"{"name": "x", "definition": [{"granularity": "1 hour", "timespan": "1 minute"}]}"#,
                    Self.plain(400, "Bad Request", "Calculated number of points is < 0")
                ),
                (
                    #"{"name": "x", "definition": [{"granularity": 1, "points": 2}, {"granularity": 1.0}]}"#,
                    Self.plain(400, "Bad Request", "More than one archive policy uses granularity `1.0'")
                ),
                (
                    #"{"name": "x", "definition": [{"granularity": 1, "points": 2, "timespan": 3}]}"#,
                    Self.plain(400, "Bad Request", #"timespan \u2260 granularity \u00d7 points"#)
                ),
            ]
            for (body, expected) in cases {
                let response = try await client.request(
                    .post, "/v1/archive_policy", headers: Self.admin, body: body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.text == expected, "\(body)")
            }
            let nothing = try await client.request(.get, "/v1/archive_policy", headers: Self.admin)
            #expect(nothing.text == "[]")
        }
    }

    @Test func authAndConflicts() async throws {
        try await APITestServer.runWithStores { client in
            let body = #"{"name": "ap-2", "definition": [{"granularity": "1 hour"}]}"#
            let anonymous = try await client.request(
                .post, "/v1/archive_policy", headers: Self.json, body: body)
            #expect(anonymous.status == .unauthorized)
            let forbidden = try await client.request(
                .post, "/v1/archive_policy", headers: Self.foobar, body: body)
            #expect(forbidden.status == .forbidden)
            let textPlain = try await client.request(
                .post, "/v1/archive_policy",
                headers: ["Authorization": APITestClient.admin, "Content-Type": "text/plain"],
                body: body)
            #expect(textPlain.status == .unsupportedMediaType)
            #expect(
                try await client.request(.post, "/v1/archive_policy", headers: Self.admin, body: body).status
                    == .created)
            let duplicate = try await client.request(
                .post, "/v1/archive_policy", headers: Self.admin, body: body)
            #expect(duplicate.status == .conflict)
            #expect(duplicate.text == Self.plain(409, "Conflict", "Archive policy ap-2 already exists"))

            let list = try await client.request(
                .get, "/v1/archive_policy", headers: ["Accept": "application/json"])
            #expect(list.status == .unauthorized)
            let html = try await client.request(.get, "/v1/archive_policy", headers: ["Accept": "text/html"])
            #expect(html.status == .notAcceptable)
            // A missing policy is a 404 before authentication; an existing one needs a user.
            let missing = try await client.request(
                .get, "/v1/archive_policy/nope", headers: ["Accept": "application/json"])
            #expect(missing.status == .notFound)
            let anonymousGet = try await client.request(
                .get, "/v1/archive_policy/ap-2", headers: ["Accept": "application/json"])
            #expect(anonymousGet.status == .unauthorized)

            let patchForbidden = try await client.request(
                .patch, "/v1/archive_policy/ap-2", headers: Self.foobar, body: #"{"definition": []}"#)
            #expect(patchForbidden.status == .forbidden)
            let dropped = try await client.request(
                .patch, "/v1/archive_policy/ap-2", headers: Self.admin,
                body: #"{"definition": [{"granularity": "1 hour"}, {"granularity": 60}]}"#)
            #expect(
                dropped.text
                    == Self.plain(
                        400, "Bad Request",
                        "Archive policy ap-2 does not support change: Cannot add or drop granularities"))
            let changed = try await client.request(
                .patch, "/v1/archive_policy/ap-2", headers: Self.admin,
                body: #"{"definition": [{"granularity": 60}]}"#)
            #expect(
                changed.text
                    == Self.plain(
                        400, "Bad Request",
                        "Archive policy ap-2 does not support change: 3600.0 granularity interval was changed"
                    ))

            let put = try await client.request(.put, "/v1/archive_policy/ap-2", headers: Self.admin)
            #expect(put.status == .methodNotAllowed && put.headers[.allow] == "DELETE, GET, PATCH")
            let deleteForbidden = try await client.request(
                .delete, "/v1/archive_policy/ap-2", headers: Self.foobar)
            #expect(deleteForbidden.status == .forbidden)
            let deleteMissing = try await client.request(
                .delete, "/v1/archive_policy/%C3%A6", headers: Self.admin)
            #expect(
                deleteMissing.text == Self.plain(404, "Not Found", #"Archive policy \u00e6 does not exist"#))
        }
    }

    @Test func policyInUseAndUnicodeNames() async throws {
        try await APITestServer.runWithStores { client in
            let unicode = try await client.request(
                .post, "/v1/archive_policy", headers: Self.admin,
                body: #"{"name": "✔éñ☃", "definition": [{"granularity": "1 minute", "points": 20}]}"#)
            #expect(unicode.status == .created)
            #expect(
                unicode.headers[.location]?.hasSuffix("/v1/archive_policy/%E2%9C%94%C3%A9%C3%B1%E2%98%83")
                    == true)
            let fetched = try await client.request(
                .get, "/v1/archive_policy/%E2%9C%94%C3%A9%C3%B1%E2%98%83", headers: Self.admin)
            #expect(fetched.status == .ok && fetched.text.hasPrefix(#"{"name": "\u2714\u00e9\u00f1\u2603""#))

            let rule = try await client.request(
                .post, "/v1/archive_policy_rule", headers: Self.admin,
                body: #"{"name": "r", "metric_pattern": "*", "archive_policy_name": "✔éñ☃"}"#)
            #expect(rule.status == .created)
            let inUse = try await client.request(
                .delete, "/v1/archive_policy/%E2%9C%94%C3%A9%C3%B1%E2%98%83", headers: Self.admin)
            #expect(inUse.status == .badRequest)
            #expect(
                inUse.text
                    == Self.plain(
                        400, "Bad Request", #"Archive policy \u2714\u00e9\u00f1\u2603 is still in use"#))
        }
    }
}
