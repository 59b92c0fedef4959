import HummingbirdTesting
import RondoneAPI
import RondoneAPITesting
import RondoneTesting
import Testing

@Suite("Index-free endpoints over HTTP")
struct IndexFreeEndpointsTests {
    @Test func versionsDocument() async throws {
        try await APITestServer.run { client in
            let response = try await client.request(.get, "/")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(
                response.text
                    == #"{"build": "4.7.1", "versions": [{"status": "CURRENT", "links": [{"rel": "self", "href": "http://localhost/v1/"}], "id": "v1.0", "updated": "2015-03-19"}]}"#
            )
            let deleted = try await client.request(.delete, "/")
            #expect(deleted.status == .ok)
        }
    }

    @Test func forwardedHeaderChangesLinks() async throws {
        try await APITestServer.run { client in
            let response = try await client.request(
                .get, "/",
                headers: [
                    "Forwarded": "for=192.0.2.60;proto=http;host=foobar", "X-Forwarded-Prefix": "/gnocchi",
                ])
            #expect(response.text.contains(#""href": "http://foobar/gnocchi/v1/""#))
            let xf = try await client.request(
                .get, "/", headers: ["X-Forwarded-Proto": "https", "X-Forwarded-Host": "h:443"])
            #expect(xf.text.contains(#""href": "https://h/v1/""#))
        }
    }

    @Test func proxyHeadersIgnoredWhenDisabled() async throws {
        var configuration = APIConfiguration.testing
        configuration.proxyHeaders = false
        try await APITestServer.run(configuration) { client in
            let response = try await client.request(
                .get, "/", headers: ["Forwarded": "proto=https;host=foobar"])
            #expect(response.text.contains(#""href": "http://localhost/v1/""#))
        }
    }

    @Test func v1LinksAndRedirect() async throws {
        try await APITestServer.run { client in
            let links = try await client.request(.get, "/v1/")
            #expect(links.status == .ok)
            #expect(
                links.text.hasPrefix(
                    #"{"version": "1.0", "links": [{"rel": "self", "href": "http://localhost/v1"}, {"rel": "aggregates""#
                ))
            #expect(links.text.contains(#"{"rel": "status", "href": "http://localhost/v1/status"}]}"#))
            let redirect = try await client.request(.get, "/v1")
            #expect(redirect.status == .found)
            #expect(redirect.headers[.location] == "http://localhost/v1/")
        }
    }

    @Test func healthcheck() async throws {
        try await APITestServer.run { client in
            let get = try await client.request(.get, "/healthcheck")
            #expect(get.status == .ok)
            #expect(get.text == "")
            let head = try await client.request(.head, "/healthcheck")
            #expect(head.status == .noContent)
        }
    }

    /// Gnocchi answers HEAD only on `/`, `/v1/` and `/healthcheck`; elsewhere a 405 whose
    /// `Allow` names the methods served (checked on the reference).
    @Test func headIsRefusedWhereGnocchiRefusesIt() async throws {
        try await APITestServer.run { client in
            #expect(try await client.request(.head, "/").status == .ok)
            #expect(try await client.request(.head, "/v1/").status == .ok)
            for path in ["/v1/status", "/v1/capabilities"] {
                let head = try await client.request(
                    .head, path, headers: ["Authorization": APITestClient.admin])
                #expect(head.status == .methodNotAllowed, "\(path)")
                #expect(head.headers[.allow] == "GET", "\(path)")
            }
        }
    }

    @Test func capabilities() async throws {
        try await APITestServer.run { client in
            let response = try await client.request(.get, "/v1/capabilities")
            #expect(response.status == .ok)
            #expect(response.text.hasPrefix(#"{"aggregation_methods": ["#))
            #expect(response.text.contains(#""rate:99pct""#))
            #expect(response.text.split(separator: ",").count == 216)
        }
    }

    @Test func statusNeedsAdmin() async throws {
        try await APITestServer.run { client in
            let json = ["Accept": "application/json"]
            let anonymous = try await client.request(.get, "/v1/status", headers: json)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.text == #"{"code": 401, "title": "Unauthorized", "description": ""}"#)
            let user = try await client.request(
                .get, "/v1/status", headers: json.merging(["Authorization": APITestClient.foobar]) { $1 })
            #expect(user.status == .forbidden)
            #expect(user.text == #"{"code": 403, "title": "Forbidden", "description": ""}"#)
            let admin = try await client.request(
                .get, "/v1/status", headers: ["Authorization": APITestClient.admin])
            #expect(
                admin.text
                    == #"{"storage": {"summary": {"metrics": 0, "measures": 0}, "measures_to_process": {}}, "metricd": {"processors": null, "statistics": {}}}"#
            )
            let noDetails = try await client.request(
                .get, "/v1/status?details=false", headers: ["Authorization": APITestClient.admin])
            #expect(
                noDetails.text
                    == #"{"storage": {"summary": {"metrics": 0, "measures": 0}}, "metricd": {"processors": null, "statistics": {}}}"#
            )
            let bad = try await client.request(
                .get, "/v1/status?details=maybe",
                headers: json.merging(["Authorization": APITestClient.admin]) { $1 })
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("Unable to parse `details': Unrecognized value 'maybe'"))
        }
    }

    @Test func statusUsesProvider() async throws {
        struct Fixed: StatusProvider {
            func status(details: Bool) async throws -> ServiceStatus {
                ServiceStatus(
                    metricsWithBacklog: 2, measuresInBacklog: 5,
                    measuresToProcess: details ? [("m1", 3), ("m2", 2)] : nil, processors: ["w1"],
                    statistics: [("w1", .object([("metrics_processed", .int(9))]))])
            }
        }
        try await APITestServer.run(services: { $0.status = Fixed() }) { client in
            let response = try await client.request(
                .get, "/v1/status", headers: ["Authorization": APITestClient.admin])
            #expect(
                response.text
                    == #"{"storage": {"summary": {"metrics": 2, "measures": 5}, "measures_to_process": {"m1": 3, "m2": 2}}, "metricd": {"processors": ["w1"], "statistics": {"w1": {"metrics_processed": 9}}}}"#
            )
        }
    }

    @Test func selfMetrics() async throws {
        try await APITestServer.run { client in
            _ = try await client.request(.get, "/healthcheck")
            let response = try await client.request(.get, "/metrics")
            #expect(response.status == .ok)
            #expect(response.text.contains("rondone_http_requests_total"))
            #expect(response.text.contains("rondone_http_request_duration_seconds"))
        }
    }
}
