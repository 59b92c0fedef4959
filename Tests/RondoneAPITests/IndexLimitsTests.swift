import Foundation
import HTTPTypes
import HummingbirdTesting
import RondoneAPITesting
import Testing

/// Every name and string the index keeps has a maximum (docs/LIMITS.md): longer input
/// is a 400 with a clear message, and nothing is stored.
@Suite("Index limits over HTTP")
struct IndexLimitsTests {
    static var admin: [String: String] { MetricControllerTests.admin }
    static let long = String(repeating: "n", count: 70_000)
    static let just256 = String(repeating: "n", count: 256)

    static func reason(_ response: TestResponse) throws -> String {
        let body = try MetricControllerTests.object(response.text)
        let description = try #require(body["description"] as? [String: Any])
        return try #require(description["reason"] as? String)
    }

    /// `POST path` with `body` is refused with `expected` in its reason, and `GET list`
    /// answers the same before and after.
    static func expectRefused(
        _ client: APITestClient, _ path: String, _ body: String, reason expected: String, list: String
    ) async throws {
        let before = try await client.request(.get, list, headers: admin).text
        let response = try await client.request(.post, path, headers: admin, body: body)
        #expect(response.status == .badRequest, "\(path): \(response.status)")
        #expect(response.headers[.location] == nil)
        #expect(try reason(response).contains(expected), "\(path): \(response.text.prefix(200))")
        #expect(try await client.request(.get, list, headers: admin).text == before)
    }

    @Test func namesOfPoliciesRulesAndTypes() async throws {
        try await APITestServer.runWithStores(defaultPolicies: true) { client in
            try await Self.expectRefused(
                client, "/v1/archive_policy",
                #"{"name": "\#(Self.long)", "definition": [{"granularity": "1s", "points": 5}]}"#,
                reason: "length of value must be at most 255 for dictionary value @ data['name']",
                list: "/v1/archive_policy")
            try await Self.expectRefused(
                client, "/v1/archive_policy_rule",
                #"{"name": "\#(Self.long)", "metric_pattern": "*", "archive_policy_name": "low"}"#,
                reason: "length of value must be at most 255 for dictionary value @ data['name']",
                list: "/v1/archive_policy_rule")
            try await Self.expectRefused(
                client, "/v1/archive_policy_rule",
                #"{"name": "r", "metric_pattern": "\#(Self.just256)", "archive_policy_name": "low"}"#,
                reason: "@ data['metric_pattern']", list: "/v1/archive_policy_rule")
            try await Self.expectRefused(
                client, "/v1/resource_type", #"{"name": "\#(Self.long)"}"#,
                reason: "length of value must be at most 255 for dictionary value @ data['name']",
                list: "/v1/resource_type")
            // A 255-character name is fine and comes back in the Location header.
            let name = String(repeating: "p", count: 255)
            let created = try await client.request(
                .post, "/v1/archive_policy", headers: Self.admin,
                body: #"{"name": "\#(name)", "definition": [{"granularity": "1s", "points": 5}]}"#)
            #expect(created.status == .created)
            #expect(created.headers[.location]?.hasSuffix("/v1/archive_policy/\(name)") == true)
        }
    }

    @Test func metricNamesUnitsAndResourceFields() async throws {
        try await APITestServer.runWithStores(defaultPolicies: true) { client in
            try await Self.expectRefused(
                client, "/v1/metric", #"{"name": "\#(Self.just256)", "archive_policy_name": "low"}"#,
                reason: "length of value must be at most 255 for dictionary value @ data['name']",
                list: "/v1/metric")
            try await Self.expectRefused(
                client, "/v1/metric",
                #"{"unit": "\#(String(repeating: "u", count: 32))", "archive_policy_name": "low"}"#,
                reason: "length of value must be at most 31", list: "/v1/metric")
            try await Self.expectRefused(
                client, "/v1/resource/generic", #"{"id": "\#(String(repeating: "r", count: 290))"}"#,
                reason: "transformable resource id >289 max allowed characters", list: "/v1/resource/generic")
            try await Self.expectRefused(
                client, "/v1/resource/generic",
                #"{"id": "a", "project_id": "\#(Self.just256)"}"#,
                reason: "length of value must be at most 255 for dictionary value @ data['project_id']",
                list: "/v1/resource/generic")
            try await Self.expectRefused(
                client, "/v1/resource/generic",
                #"{"id": "a", "metrics": {"\#(Self.just256)": {"archive_policy_name": "low"}}}"#,
                reason: "at most 255", list: "/v1/resource/generic")
            let batch = try await client.request(
                .post, "/v1/batch/resources/metrics/measures?create_metrics=true", headers: Self.admin,
                body: #"{"a": {"\#(Self.just256)": [{"timestamp": "2020-01-01", "value": 1}]}}"#)
            #expect(batch.status == .badRequest)
        }
    }

    @Test func attributeNamesAndValues() async throws {
        try await APITestServer.runWithStores(defaultPolicies: true) { client in
            let longAttribute = String(repeating: "a", count: 64)
            let refused = try await client.request(
                .post, "/v1/resource_type", headers: Self.admin,
                body: #"{"name": "host", "attributes": {"\#(longAttribute)": {"type": "string"}}}"#)
            #expect(refused.status == .badRequest)
            #expect(refused.text.contains("Resource attribute name \(longAttribute) is invalid"))
            let tooWide = try await client.request(
                .post, "/v1/resource_type", headers: Self.admin,
                body: #"{"name": "host", "attributes": {"a": {"type": "string", "max_length": 257}}}"#)
            #expect(tooWide.status == .badRequest)
            #expect(try Self.reason(tooWide).contains("value must be at most 256"))
            #expect(
                try await client.request(.get, "/v1/resource_type/host", headers: Self.admin).status
                    == .notFound)
        }
    }
}
