import Foundation
import HTTPTypes
import HummingbirdTesting
import RondoneAPITesting
import Testing

/// collectd-gnocchi's start-up, request for request as its plugin (1.7.1) makes them:
/// a batch with `create_metrics=true` for resource `collectd:<host>` answers 400
/// (unknown resource); the plugin then creates the resource in type `collectd`, which
/// answers 404 (no such type) the first time; it creates the type (409 tolerated),
/// the resource again (409 tolerated), and retries the batch.
@Suite("collectd-gnocchi start-up over HTTP")
struct CollectdStartupTests {
    static var admin: [String: String] { MetricControllerTests.admin }
    static let typeBody =
        #"{"name": "collectd", "attributes": {"host": {"required": true, "type": "string"}}}"#

    /// One daemon's flush: the statuses it saw, in order.
    static func flush(_ client: APITestClient, host: String, value: Double) async throws -> [HTTPResponse
        .Status]
    {
        let resource = "collectd:\(host)"
        let batch = #"""
            {"\#(resource)": {"cpu-0@percent-user": [{"timestamp": 1700000000, "value": \#(value)}],
                              "load@load-1min": [{"timestamp": 1700000000, "value": 0.5}]}}
            """#
        let path = "/v1/batch/resources/metrics/measures?create_metrics=true"
        var statuses: [HTTPResponse.Status] = []
        let first = try await client.request(.post, path, headers: admin, body: batch)
        statuses.append(first.status)
        guard first.status == .badRequest else { return statuses }
        let resourceBody = #"{"id": "\#(resource)", "host": "\#(host)"}"#
        var created = try await client.request(
            .post, "/v1/resource/collectd", headers: admin, body: resourceBody)
        statuses.append(created.status)
        if created.status == .notFound {
            let type = try await client.request(.post, "/v1/resource_type", headers: admin, body: typeBody)
            statuses.append(type.status)
            created = try await client.request(
                .post, "/v1/resource/collectd", headers: admin, body: resourceBody)
            statuses.append(created.status)
        }
        let retry = try await client.request(.post, path, headers: admin, body: batch)
        statuses.append(retry.status)
        return statuses
    }

    @Test func oneDaemonCreatesTypeResourceAndMetrics() async throws {
        try await APITestServer.runWithStores(defaultPolicies: true) { client in
            let statuses = try await Self.flush(client, host: "web-1", value: 12)
            #expect(statuses == [.badRequest, .notFound, .created, .created, .accepted])
            // The next flush goes straight through.
            #expect(try await Self.flush(client, host: "web-1", value: 13) == [.accepted])
            let resource = try MetricControllerTests.object(
                try await client.request(.get, "/v1/resource/collectd/collectd:web-1", headers: Self.admin)
                    .text)
            #expect(resource["host"] as? String == "web-1")
            #expect(resource["type"] as? String == "collectd")
            let metrics = try #require(resource["metrics"] as? [String: String])
            #expect(Set(metrics.keys) == ["cpu-0@percent-user", "load@load-1min"])
            let measures = try await client.request(
                .get, "/v1/resource/collectd/collectd:web-1/metric/cpu-0@percent-user/measures?refresh=true",
                headers: Self.admin)
            #expect(measures.text.contains("13.0"))
        }
    }

    @Test func twoDaemonsRaceOnOneResource() async throws {
        try await APITestServer.runWithStores(defaultPolicies: true) { client in
            // Both daemons reach each step together: the first flushes both fail, then
            // both create the type and then the resource at once; the loser of each race
            // sees 409, which the plugin tolerates, and both retries are accepted.
            let resourceBody = #"{"id": "collectd:db-1", "host": "db-1"}"#
            func both(_ method: HTTPRequest.Method, _ path: String, _ body: String) async throws
                -> [HTTPResponse.Status]
            {
                async let one = client.request(method, path, headers: Self.admin, body: body)
                async let two = client.request(method, path, headers: Self.admin, body: body)
                return try await [one.status, two.status].sorted { $0.code < $1.code }
            }
            #expect(try await both(.post, "/v1/resource/collectd", resourceBody) == [.notFound, .notFound])
            #expect(try await both(.post, "/v1/resource_type", Self.typeBody) == [.created, .conflict])
            #expect(try await both(.post, "/v1/resource/collectd", resourceBody) == [.created, .conflict])
            let batch = #"{"collectd:db-1": {"cpu-0@percent-user": [{"timestamp": 1700000000, "value": 1}]}}"#
            #expect(
                try await both(.post, "/v1/batch/resources/metrics/measures?create_metrics=true", batch) == [
                    .accepted, .accepted,
                ])
            let list = try MetricControllerTests.list(
                try await client.request(.get, "/v1/resource/collectd", headers: Self.admin).text)
            #expect(list.count == 1)
            #expect((list.first?["metrics"] as? [String: String])?.count == 1)
        }
    }
}
