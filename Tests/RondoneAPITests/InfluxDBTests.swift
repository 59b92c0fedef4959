import Foundation
import HTTPTypes
import HummingbirdTesting
import RondoneAPITesting
import Testing

/// `/v1/influxdb/…` over HTTP with the real stores and metricd: what a write stores is
/// read back through the REST API.
@Suite("InfluxDB line protocol over HTTP")
struct InfluxDBTests {
    static let admin = ["Authorization": APITestClient.admin]

    static func measures(
        _ client: APITestClient, type: String, resource: String, metric: String
    ) async throws -> TestResponse {
        let encode = { (text: String) in text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }
        return try await client.request(
            .get, "/v1/resource/\(type)/\(encode(resource))/metric/\(encode(metric))/measures?refresh=true",
            headers: admin)
    }

    @Test func writeEveryFieldTypeWithEscapesAndPrecision() async throws {
        try await APITestServer.runWithStores(defaultPolicies: true) { client in
            let created = try await client.request(
                .post, "/v1/influxdb/query?q=create+database+influxtest", headers: Self.admin)
            #expect(created.status == .noContent)
            let body = #"""
                cpu\ load,host=web\ 1,region=eu/west,core=0 user=1.5,idle=90i,up=true,note="a \"b\", c" 1420070400
                # a comment

                cpu\ load,host=web\ 1,core=0,region=eu/west user=2.5,idle=-80i,up=F 1420070700
                """#
            let written = try await client.request(
                .post, "/v1/influxdb/write?db=influxtest&precision=s",
                headers: Self.admin.merging(["Content-Type": "text/plain"]) { $1 }, body: body)
            #expect(written.status == .noContent)
            #expect(written.text.isEmpty)
            let resource = try await client.request(
                .get, "/v1/resource/influxtest/web%201", headers: Self.admin)
            #expect(resource.text.contains(#""original_resource_id": "web 1""#))
            let tags = "@core=0,region=eu_west"
            let expected = [
                "user":
                    #"[["2015-01-01T00:00:00+00:00", 300.0, 1.5], ["2015-01-01T00:05:00+00:00", 300.0, 2.5]]"#,
                "idle":
                    #"[["2015-01-01T00:00:00+00:00", 300.0, 90.0], ["2015-01-01T00:05:00+00:00", 300.0, -80.0]]"#,
                "up":
                    #"[["2015-01-01T00:00:00+00:00", 300.0, 1.0], ["2015-01-01T00:05:00+00:00", 300.0, 0.0]]"#,
            ]
            for (field, points) in expected {
                let read = try await Self.measures(
                    client, type: "influxtest", resource: "web 1", metric: "cpu load.\(field)\(tags)")
                #expect(read.status == .ok, "\(field)")
                #expect(read.text == points, "\(field)")
            }
            let note = try await Self.measures(
                client, type: "influxtest", resource: "web 1", metric: "cpu load.note\(tags)")
            #expect(note.status == .notFound)
        }
    }

    @Test func resourceTagHeaderAndLaterWritesAddMetrics() async throws {
        try await APITestServer.runWithStores(defaultPolicies: true) { client in
            _ = try await client.request(
                .post, "/v1/influxdb/query?q=CREATE+DATABASE+%22db%22%3B", headers: Self.admin)
            for line in ["m,rack=r1,host=h a=1 1420070400000", "m,rack=r1,host=h b=2 1420070400000"] {
                let written = try await client.request(
                    .post, "/v1/influxdb/write?db=db&precision=ms",
                    headers: Self.admin.merging(["X-Gnocchi-InfluxDB-Tag-Resource-ID": "rack"]) { $1 },
                    body: line)
                #expect(written.status == .noContent)
            }
            for (metric, value) in [("m.a@host=h", "1.0"), ("m.b@host=h", "2.0")] {
                let read = try await Self.measures(client, type: "db", resource: "r1", metric: metric)
                #expect(read.text == #"[["2015-01-01T00:00:00+00:00", 300.0, \#(value)]]"#)
            }
        }
    }

    /// Writers creating one new resource at once, each with a metric of its own: all
    /// succeed (the loser of each creation race retries) and nothing is lost.
    @Test func concurrentWritersRaceOnOneNewResource() async throws {
        try await APITestServer.runWithStores(defaultPolicies: true) { client in
            _ = try await client.request(
                .post, "/v1/influxdb/query?q=create+database+race", headers: Self.admin)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        try await client.request(
                            .post, "/v1/influxdb/write?db=race&precision=s", headers: Self.admin,
                            body: "m,host=shared v=1,w\(writer)=\(writer) 1420070400"
                        ).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: .noContent, count: 8))
            for writer in 0..<8 {
                let read = try await Self.measures(
                    client, type: "race", resource: "shared", metric: "m.w\(writer)")
                #expect(read.text == #"[["2015-01-01T00:00:00+00:00", 300.0, \#(writer).0]]"#)
            }
            let resource = try await client.request(.get, "/v1/resource/race/shared", headers: Self.admin)
            #expect(resource.text.components(separatedBy: "\"m.").count - 1 == 9)
        }
    }

    @Test func refusals() async throws {
        try await APITestServer.runWithStores(defaultPolicies: true) { client in
            let unknown = try await client.request(
                .post, "/v1/influxdb/write?db=nope",
                headers: Self.admin.merging(["Accept": "application/json"]) { $1 },
                body: "m,host=h v=1")
            #expect(unknown.status == .notFound)
            #expect(unknown.text.contains("Resource type nope does not exist"))
            _ = try await client.request(
                .post, "/v1/influxdb/query?q=create+database+db", headers: Self.admin)
            let json = Self.admin.merging(["Accept": "application/json"]) { $1 }
            let bad = try await client.request(
                .post, "/v1/influxdb/write?db=db", headers: json, body: "m,host=h v=1\nm,host=h v=oops")
            #expect(bad.status == .badRequest)
            #expect(
                bad.text
                    == #"{"code": 400, "title": "Bad Request", "description": {"cause": "Value error", "detail": "line", "reason": "Unable to parse line 2"}}"#
            )
            let noHost = try await client.request(
                .post, "/v1/influxdb/write?db=db", headers: json, body: "m v=1")
            #expect(noHost.text.contains("Unable to find key `host' in tags"))
            let precision = try await client.request(
                .post, "/v1/influxdb/write?db=db&precision=y", headers: json, body: "m,host=h v=1")
            #expect(precision.status == .badRequest)
            let nothingStored = try await client.request(.get, "/v1/resource/db", headers: Self.admin)
            #expect(nothingStored.text == "[]")
        }
    }

    @Test func pingAndTheStockClientsQuery() async throws {
        try await APITestServer.runWithStores(defaultPolicies: true) { client in
            let ping = try await client.request(.get, "/v1/influxdb/ping")
            #expect(ping.status == .noContent)
            #expect(ping.headers[HTTPField.Name("X-Influxdb-Version")!]?.isEmpty == false)
            let msgpack = Self.admin.merging(["Accept": "application/x-msgpack"]) { $1 }
            for _ in 0..<2 {
                let created = try await client.request(
                    .post, "/v1/influxdb/query?q=CREATE+DATABASE+%22stock%22", headers: msgpack)
                #expect(created.status == .ok)
                #expect(created.text == #"{"results": [{"statement_id": 0}]}"#)
            }
            let type = try await client.request(.get, "/v1/resource_type/stock", headers: Self.admin)
            #expect(type.status == .ok)
            let select = try await client.request(
                .post, "/v1/influxdb/query?q=select+1",
                headers: Self.admin.merging(["Accept": "application/json"]) { $1 })
            #expect(select.status == .notImplemented)
        }
    }
}
