import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RondoneAPI
import RondoneAPITesting
import RondoneTesting
import Testing

/// `POST /v1/prometheus/write` over HTTP with the real Prometheus payloads of Gnocchi's
/// `prometheus.yaml`: resources, metrics and measures read back through the REST API.
@Suite("Prometheus remote write over HTTP")
struct PrometheusWriteTests {
    static var admin: [String: String] { MetricControllerTests.admin }
    static let target = "/v1/resource/prometheus/prometheus@localhost:9090"

    static func post(_ client: APITestClient, _ body: [UInt8], user: String = APITestClient.admin)
        async throws
        -> TestResponse
    {
        let headers: HTTPFields = [
            .authorization: user, .contentType: "application/x-protobuf", .contentEncoding: "snappy",
        ]
        return try await client.client.execute(
            uri: "/v1/prometheus/write", method: .post, headers: headers, body: ByteBuffer(bytes: body))
    }

    /// An archive policy of one-second points for every metric, as prometheus.yaml.
    static func secondsPolicy(_ client: APITestClient) async throws {
        let policy = #"{"name": "space", "definition": [{"granularity": "1 second"}]}"#
        #expect(
            try await client.request(.post, "/v1/archive_policy", headers: admin, body: policy).status
                == .created)
        let rule = #"{"name": "all", "metric_pattern": "*", "archive_policy_name": "space"}"#
        #expect(
            try await client.request(.post, "/v1/archive_policy_rule", headers: admin, body: rule).status
                == .created)
    }

    static func metricNames(_ client: APITestClient) async throws -> Set<String> {
        let resource = try MetricControllerTests.object(
            try await client.request(.get, target, headers: admin).text)
        return Set(try #require(resource["metrics"] as? [String: String]).keys)
    }

    @Test func storesTheRealPayloadsAsGnocchi() async throws {
        try await APITestServer.run { client in
            try await Self.secondsPolicy(client)
            for (_, body) in PrometheusFixtures.payloads {
                #expect(try await Self.post(client, body).status == .accepted)
            }
            let resources = try MetricControllerTests.list(
                try await client.request(.get, "/v1/resource/prometheus", headers: Self.admin).text)
            #expect(resources.count == 1)
            #expect(resources.first?["job"] as? String == "prometheus")
            #expect(resources.first?["instance"] as? String == "localhost:9090")
            #expect(resources.first?["original_resource_id"] as? String == "prometheus@localhost:9090")
            // 105 distinct __name__ over the three payloads (remote_pb2 counts the same).
            #expect(try await Self.metricNames(client).count == 105)
            let type = try MetricControllerTests.object(
                try await client.request(.get, "/v1/resource_type/prometheus", headers: Self.admin).text)
            let attributes = try #require(type["attributes"] as? [String: [String: Any]])
            #expect(attributes["job"]?["max_length"] as? Int == 512)
            #expect(attributes["instance"]?["required"] as? Bool == true)
            for (metric, expected) in [
                ("scrape_samples_scraped", #"[["2017-09-23T06:02:58+00:00",1.0,558.0]]"#),
                ("go_goroutines", #"[["2017-09-23T06:03:03+00:00",1.0,140.0]]"#),
            ] {
                let measures = try await client.request(
                    .get, "\(Self.target)/metric/\(metric)/measures?refresh=true", headers: Self.admin)
                #expect(measures.text.replacingOccurrences(of: " ", with: "") == expected)
            }
        }
    }

    /// Several Prometheus servers (or shards) writing the same new target at once: the
    /// type, the resource and its metrics are each created once, every write lands.
    @Test func concurrentFirstWritesCreateEverythingOnce() async throws {
        try await APITestServer.run { client in
            try await Self.secondsPolicy(client)
            let body = PrometheusFixtures.payloads[0].body
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<6 { group.addTask { try await Self.post(client, body).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: .accepted, count: 6))
            let resources = try MetricControllerTests.list(
                try await client.request(.get, "/v1/resource/prometheus", headers: Self.admin).text)
            #expect(resources.count == 1)
            #expect(try await Self.metricNames(client).count == 56)
        }
    }

    @Test func keptLabelsMakeOneMetricPerSeries() async throws {
        var configuration = APIConfiguration.testing
        configuration.prometheusKeepLabels = true
        try await APITestServer.run(configuration) { client in
            try await Self.secondsPolicy(client)
            for (_, body) in PrometheusFixtures.payloads {
                #expect(try await Self.post(client, body).status == .accepted)
            }
            // 300 distinct label sets once job and instance are taken out.
            let names = try await Self.metricNames(client)
            #expect(names.count == 300)
            #expect(names.contains("http_response_size_bytes@handler=flags,quantile=0.99"))
            #expect(names.contains("scrape_samples_scraped"))
        }
    }

    @Test func malformedBodiesStoreNothing() async throws {
        try await APITestServer.run { client in
            try await Self.secondsPolicy(client)
            let valid = PrometheusFixtures.payloads[0].body
            // A series without __name__: `labels {job: a}`, `samples {value 1}`, uncompressed
            // as a snappy block of one literal.
            let message: [UInt8] =
                [0x0a, 0x14, 0x0a, 0x08, 0x0a, 0x03] + Array("job".utf8) + [0x12, 0x01, 0x61]
                + [0x12, 0x09, 0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]
            let unnamed = [UInt8(message.count), UInt8((message.count - 1) << 2)] + message
            let bodies: [[UInt8]] = [
                [], Array("not snappy".utf8), Array(valid.dropLast(7)), [3, 8] + Array("abc".utf8), unnamed,
            ]
            for body in bodies {
                let response = try await Self.post(client, body)
                #expect(response.status == .badRequest, "\(body.prefix(8))")
                #expect(response.text.contains("Invalid Prometheus remote write request"))
            }
            #expect(
                try await client.request(.get, "/v1/resource/prometheus", headers: Self.admin).status
                    == .notFound)
            #expect(try await client.request(.get, "/v1/metric", headers: Self.admin).text == "[]")
            #expect(
                try await client.server.services.incoming.backlogSummary().sacks.allSatisfy {
                    $0.metrics == 0
                })
        }
    }

    @Test func creatingTheTypeNeedsTheRightToCreateResourceTypes() async throws {
        try await APITestServer.run { client in
            try await Self.secondsPolicy(client)
            let body = PrometheusFixtures.payloads[0].body
            #expect(try await Self.post(client, body, user: APITestClient.foobar).status == .forbidden)
            #expect(try await Self.post(client, body).status == .accepted)
            // Once the type exists, any user may write: the resource is theirs.
            #expect(try await Self.post(client, body, user: APITestClient.foobar).status == .accepted)
        }
    }
}
