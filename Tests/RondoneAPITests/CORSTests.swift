import RondoneAPI
import RondoneAPITesting
import RondoneTesting
import Testing

@Suite("CORS as oslo.middleware")
struct CORSTests {
    @Test func preflight() async throws {
        try await APITestServer.run { client in
            let denied = try await client.request(
                .options, "/v1/status",
                headers: ["Origin": "http://notallowed.com", "Access-Control-Request-Method": "GET"])
            #expect(denied.status == .ok)
            #expect(denied.headers[.accessControlAllowOrigin] == nil)
            let allowed = try await client.request(
                .options, "/v1/metric",
                headers: [
                    "Origin": "http://foobar.com", "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "content-type, authorization",
                ])
            #expect(allowed.status == .ok)
            #expect(allowed.headers[.accessControlAllowOrigin] == "http://foobar.com")
            #expect(allowed.headers[.accessControlAllowMethods] == "POST")
            #expect(allowed.headers[.accessControlAllowHeaders] == "content-type,authorization")
            #expect(allowed.headers[.accessControlAllowCredentials] == "true")
            #expect(allowed.headers[.accessControlMaxAge] == "3600")
            #expect(allowed.headers[.vary] == "Origin")
        }
    }

    @Test func actualRequest() async throws {
        try await APITestServer.run { client in
            let response = try await client.request(.get, "/", headers: ["Origin": "http://foobar.com"])
            #expect(response.headers[.accessControlAllowOrigin] == "http://foobar.com")
            let other = try await client.request(.get, "/", headers: ["Origin": "http://nope.com"])
            #expect(other.headers[.accessControlAllowOrigin] == nil)
        }
    }
}
