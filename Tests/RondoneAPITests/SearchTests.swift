import Foundation
import HTTPTypes
import RondoneAPITesting
import Testing

/// `POST /v1/search/resource/{type}` over HTTP against the real embedded stores: every
/// operator of both filter syntaxes, history, the list options and the refusals.
@Suite("Resource search over HTTP")
struct SearchTests {
    static var foobar: [String: String] { MetricControllerTests.foobar }
    static let first = "c1a3ce5e-4bf4-4f43-9a8a-8b8e5a9b0001"
    static let second = "c1a3ce5e-4bf4-4f43-9a8a-8b8e5a9b0002"

    /// Percent-encodes a query value.
    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    /// Three resources: one that lived an hour, one still running, one that lived ten
    /// seconds and was named rather than given a UUID.
    static func createResources(_ client: APITestClient) async throws -> String {
        let bodies = [
            #"{"id": "\#(first)", "user_id": "u1", "project_id": "p1", "started_at": "2014-01-01T00:00:00", "ended_at": "2014-01-01T01:00:00"}"#,
            #"{"id": "\#(second)", "user_id": "u2", "project_id": "p1", "started_at": "2014-01-02T00:00:00"}"#,
            #"{"id": "named-one", "user_id": "u3", "project_id": "p2", "started_at": "2014-01-03T00:00:00", "ended_at": "2014-01-03T00:00:10"}"#,
        ]
        var last = ""
        for body in bodies {
            let created = try await client.request(.post, "/v1/resource/generic", headers: foobar, body: body)
            #expect(created.status == .created, "\(created.text)")
            last = try MetricControllerTests.object(created.text)["id"] as? String ?? ""
        }
        return last
    }

    /// The ids a search answers, in order.
    static func ids(_ client: APITestClient, _ query: String = "", body: String?) async throws -> [String] {
        let response = try await client.request(
            .post, "/v1/search/resource/generic" + query, headers: foobar, body: body)
        #expect(response.status == .ok, "\(body ?? query): \(response.text)")
        guard response.status == .ok else { return [] }
        return try MetricControllerTests.list(response.text).compactMap { $0["id"] as? String }
    }

    @Test func everyOperatorOfTheJSONLanguage() async throws {
        try await APITestServer.runWithStores { client in
            let third = try await Self.createResources(client)
            let (a, b, c) = (Self.first, Self.second, third)
            let cases: [(String, Set<String>)] = [
                (#"{"=": {"user_id": "u1"}}"#, [a]), (#"{"==": {"user_id": "u1"}}"#, [a]),
                (#"{"eq": {"user_id": "u1"}}"#, [a]), (#"{"!=": {"user_id": "u1"}}"#, [b, c]),
                (#"{"≠": {"user_id": "u1"}}"#, [b, c]), (#"{"ne": {"user_id": "u1"}}"#, [b, c]),
                (#"{"<": {"started_at": "2014-01-02"}}"#, [a]),
                (#"{"lt": {"started_at": "2014-01-02"}}"#, [a]),
                (#"{"<=": {"started_at": "2014-01-02"}}"#, [a, b]),
                (#"{"≤": {"started_at": "2014-01-02"}}"#, [a, b]),
                (#"{"le": {"started_at": "2014-01-02"}}"#, [a, b]),
                (#"{">": {"started_at": "2014-01-02"}}"#, [c]),
                (#"{"gt": {"started_at": "2014-01-02"}}"#, [c]),
                (#"{">=": {"started_at": "2014-01-02"}}"#, [b, c]),
                (#"{"≥": {"started_at": "2014-01-02"}}"#, [b, c]),
                (#"{"ge": {"started_at": "2014-01-02"}}"#, [b, c]),
                (#"{"in": {"user_id": ["u1", "u3", "nobody"]}}"#, [a, c]),
                (#"{"like": {"project_id": "%2"}}"#, [c]),
                (#"{"like": {"user_id": "u_"}}"#, [a, b, c]), (#"{"=": {"ended_at": null}}"#, [b]),
                (#"{"!=": {"ended_at": null}}"#, [a, c]),
                (#"{"and": [{"=": {"project_id": "p1"}}, {"=": {"user_id": "u2"}}]}"#, [b]),
                (#"{"∧": [{"=": {"project_id": "p1"}}, {"=": {"user_id": "u2"}}]}"#, [b]),
                (#"{"or": [{"=": {"user_id": "u1"}}, {"=": {"project_id": "p2"}}]}"#, [a, c]),
                (#"{"∨": [{"=": {"user_id": "u1"}}, {"=": {"project_id": "p2"}}]}"#, [a, c]),
                (#"{"not": {"=": {"project_id": "p1"}}}"#, [c]),
                (#"{"not": {"or": [{"=": {"user_id": "u1"}}, {"=": {"user_id": "u2"}}]}}"#, [c]),
                (#"{">": {"lifespan": "1 minute"}}"#, [a]), (#"{"<": {"lifespan": 60}}"#, [c]),
                (#"{"!=": {"lifespan": 3600}}"#, [b, c]),
                (#"{"=": {"id": "named-one"}}"#, [c]), (#"{"in": {"id": ["\#(a)", "named-one"]}}"#, [a, c]),
                (#"{"=": {"original_resource_id": "named-one"}}"#, [c]),
                (#"{"=": {"creator": "foobar"}}"#, [a, b, c]),
                ("{}", [a, b, c]),
            ]
            for (filter, expected) in cases {
                #expect(Set(try await Self.ids(client, body: filter)) == expected, "\(filter)")
            }
        }
    }

    @Test func theStringSyntax() async throws {
        try await APITestServer.runWithStores { client in
            let third = try await Self.createResources(client)
            let cases: [(String, Set<String>)] = [
                ("user_id = u1 or project_id = p2", [Self.first, third]),
                ("not (project_id = p1)", [third]),
                ("started_at >= '2014-01-02' and ended_at = null", [Self.second]),
                ("user_id in [u1, \"u2\"] ∧ project_id eq p1", [Self.first, Self.second]),
                ("id = 'named-one'", [third]),
                ("id in [\(Self.first), \(Self.second)]", [Self.first, Self.second]),
                ("lifespan ≥ 3600", [Self.first]),
                ("user_id like 'u%' and not user_id ne u3", [third]),
            ]
            for (filter, expected) in cases {
                let found = try await Self.ids(client, "?filter=" + Self.encoded(filter), body: nil)
                #expect(Set(found) == expected, "\(filter)")
            }
            // A body wins over filter=.
            let both = try await Self.ids(
                client, "?filter=" + Self.encoded("user_id = u1"), body: #"{"=": {"user_id": "u2"}}"#)
            #expect(both == [Self.second])
        }
    }

    @Test func historyAttrsSortLimitMarkerAndLink() async throws {
        try await APITestServer.runWithStores { client in
            _ = try await Self.createResources(client)
            let patched = try await client.request(
                .patch, "/v1/resource/generic/\(Self.first)", headers: Self.foobar,
                body: #"{"user_id": "u9"}"#)
            #expect(patched.status == .ok)
            let filter = #"{"=": {"id": "\#(Self.first)"}}"#
            #expect(try await Self.ids(client, body: filter) == [Self.first])
            let history = try await client.request(
                .post, "/v1/search/resource/generic?history=true", headers: Self.foobar, body: filter)
            #expect(
                try MetricControllerTests.list(history.text).map { $0["user_id"] as? String } == ["u1", "u9"])
            let old = try await Self.ids(client, "?history=true", body: #"{"=": {"user_id": "u1"}}"#)
            #expect(old == [Self.first])

            let attrs = try await client.request(
                .post, "/v1/search/resource/generic?attrs=id&attrs=user_id&attrs=nope", headers: Self.foobar,
                body: filter)
            #expect(try MetricControllerTests.list(attrs.text).map { Set($0.keys) } == [["id", "user_id"]])

            let page = try await client.request(
                .post, "/v1/search/resource/generic?sort=user_id:desc&limit=2", headers: Self.foobar,
                body: #"{"like": {"user_id": "u%"}}"#)
            #expect(
                try MetricControllerTests.list(page.text).map { $0["user_id"] as? String } == ["u9", "u3"])
            let link = try #require(page.headers[HTTPField.Name("Link")!])
            let next = try #require(
                link.split(separator: "<").last?.split(separator: ">").first.map(String.init))
            #expect(
                next.contains("marker=") && next.contains("sort=user_id%3Adesc") && next.contains("limit=2"))
            let path = try #require(URL(string: next)).path + "?" + (URL(string: next)?.query ?? "")
            let rest = try await client.request(
                .post, path, headers: Self.foobar, body: #"{"like": {"user_id": "u%"}}"#)
            #expect(try MetricControllerTests.list(rest.text).map { $0["user_id"] as? String } == ["u2"])
            #expect(rest.headers[HTTPField.Name("Link")!] == nil)

            let details = try await client.request(
                .post, "/v1/search/resource/generic?details=true", headers: Self.foobar, body: filter)
            #expect(details.status == .ok)
        }
    }

    @Test func refusals() async throws {
        try await APITestServer.runWithStores { client in
            _ = try await Self.createResources(client)
            func check(
                _ query: String, body: String?, headers: [String: String] = Self.foobar,
                _ status: HTTPResponse.Status,
                _ expected: String, sourceLocation: SourceLocation = #_sourceLocation
            ) async throws {
                let response = try await client.request(
                    .post, "/v1/search/resource/generic" + query, headers: headers, body: body)
                #expect(response.status == status, sourceLocation: sourceLocation)
                #expect(
                    expected.isEmpty || response.text.contains(expected), "\(response.text)",
                    sourceLocation: sourceLocation)
            }
            try await check(
                "", body: #"{"foo": {"a": 1}}"#, .badRequest, #""reason": "not a valid value @ data['foo']""#)
            try await check(
                "", body: #"{"ilike": {"a": "x"}}"#, .badRequest, #""detail": ["ilike"]"#)
            try await check(
                "", body: #"{"=": {"nope": 1}}"#, .badRequest, "Resource type generic has no nope attribute")
            try await check(
                "", body: #"{"=": {"started_at": "not a date"}}"#, .badRequest,
                "Invalid value: `not a date' for field `started_at'")
            try await check(
                "", body: #"{"and": {"project_id": "x"}}"#, .badRequest,
                #""reason": "expected a list for dictionary value @ data['and']", "detail": ["and"]"#)
            try await check(
                "", body: #"{"like": {"id": "fa%"}}"#, .badRequest, "value must not be one of ['id']")
            try await check(
                "", body: #"{"in": {"id": []}}"#, .badRequest, "length of value must be at least 1")
            try await check("", body: #"{"not": {}}"#, .badRequest, "Unable to parse this query")
            try await check(
                "?filter=" + Self.encoded("id == foobar"), body: nil, .badRequest,
                "Invalid filter: Expected condition")
            try await check(
                "?filter=" + Self.encoded("(user_id = u1"), body: nil, .badRequest,
                "Invalid filter: Unbalanced parentheses or expression syntax error, found end of text  (at char 13)"
            )
            try await check("?sort=nope:asc", body: "{}", .badRequest, "Invalid pagination")
            try await check("?history=maybe", body: "{}", .badRequest, "Unable to parse `history'")
            let deep = String(repeating: #"{"not": "#, count: 100) + "{}" + String(repeating: "}", count: 100)
            try await check("", body: deep, .badRequest, "filter too large")
            try await check("", body: "{nope", .badRequest, "Unable to decode body")
            try await check(
                "", body: "{}",
                headers: ["Content-Type": "text/plain", "Authorization": APITestClient.foobar],
                .unsupportedMediaType, "")
            try await check("", body: "{}", headers: MetricControllerTests.json, .unauthorized, "")

            let unknownType = try await client.request(
                .post, "/v1/search/resource/nope", headers: Self.foobar, body: "{}")
            #expect(unknownType.status == .notFound)
            #expect(unknownType.text.contains("Resource type nope does not exist"))
            let getUnknown = try await client.request(.get, "/v1/search/resource/nope", headers: Self.foobar)
            #expect(getUnknown.status == .notFound)
            let get = try await client.request(.get, "/v1/search/resource/generic", headers: Self.foobar)
            #expect(get.status == .methodNotAllowed)
            #expect(get.headers[.allow] == "POST")
            let typo = try await client.request(
                .post, "/v1/search/notexists", headers: Self.foobar, body: "{}")
            #expect(typo.status == .notFound)
        }
    }
}
