import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RondoneAPITesting
import RondoneWebConfig
import Testing

@testable import RondoneAPI

/// ``AuthMiddleware`` and ``RondoneRequestContext``: the credentials are read once, by
/// the middleware, in each auth mode, and a request without them fails only where a
/// route asks for the caller.
@Suite("Auth middleware and request context")
struct AuthMiddlewareTests {
    /// Removes every credential header after ``AuthMiddleware`` ran: a route that still
    /// sees the caller proves the identity was read once, before it, and not again.
    struct StripCredentials: RouterMiddleware {
        typealias Context = RondoneRequestContext

        func handle(
            _ request: Request, context: Context, next: (Request, Context) async throws -> Response
        ) async throws -> Response {
            var head = request.head
            head.headerFields = [:]
            return try await next(Request(head: head, body: request.body), context)
        }
    }

    /// A router with the middleware stack of the server (errors, then auth) and two
    /// routes: `/whoami` needs the caller (and asks twice), `/open` does not.
    static func router(_ mode: AuthMode?, webConfig: WebConfigStore? = nil) -> Router<RondoneRequestContext> {
        let router = Router(context: RondoneRequestContext.self)
        router.add(middleware: ErrorMiddleware())
        if let mode {
            router.add(
                middleware: AuthMiddleware(authenticator: Authenticator(mode: mode), webConfig: webConfig))
        }
        router.add(middleware: StripCredentials())
        router.get("/whoami") { _, context -> String in
            let identity = try context.identity()
            let again = try context.identity()
            return "\(identity.creator) admin=\(identity.isAdmin) same=\(identity == again)"
        }
        router.get("/open") { _, _ -> String in "open" }
        return router
    }

    /// `(status, body)` of GET `path` with `headers` in `mode`.
    static func get(
        _ mode: AuthMode?, _ path: String, _ headers: [String: String] = [:], webConfig: WebConfigStore? = nil
    ) async throws -> (HTTPResponse.Status, String) {
        var fields = HTTPFields()
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        let fieldsCopy = fields
        return try await Application(router: router(mode, webConfig: webConfig)).test(.router) { client in
            let response = try await client.execute(uri: path, method: .get, headers: fieldsCopy)
            return (response.status, String(buffer: response.body))
        }
    }

    @Test func basicModeReadsAuthorizationOnce() async throws {
        let admin = try await Self.get(.basic, "/whoami", ["Authorization": APITestClient.admin])
        #expect(admin.0 == .ok && admin.1 == "admin admin=true same=true")
        let foobar = try await Self.get(.basic, "/whoami", ["Authorization": APITestClient.foobar])
        #expect(foobar.0 == .ok && foobar.1 == "foobar admin=false same=true")
        // A remote-user header is not a credential in basic mode.
        #expect(try await Self.get(.basic, "/whoami", ["Remote-User": "admin"]).0 == .unauthorized)
        #expect(try await Self.get(.basic, "/whoami", ["Authorization": "Bearer abc"]).0 == .unauthorized)
    }

    /// `Authorization: Basic` for `user:password`.
    static func basic(_ user: String, _ password: String) -> String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }

    @Test func aWebConfigWithUsersChecksPasswordsOnEveryRequest() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("web-\(UUID()).yml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let hash = WebConfig.hashPassword("pw", cost: 4)
        try "basic_auth_users:\n  alice: \(hash)\n  bob: \(hash)\nadmins: [alice]\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let store = try WebConfigStore(path: path)
        let alice = try await Self.get(
            .basic, "/whoami", ["Authorization": Self.basic("alice", "pw")], webConfig: store)
        #expect(alice.0 == .ok && alice.1 == "alice admin=true same=true")
        let bob = try await Self.get(
            .basic, "/whoami", ["Authorization": Self.basic("bob", "pw")], webConfig: store)
        #expect(bob.0 == .ok && bob.1 == "bob admin=false same=true")
        // Refused before any route runs, even one that never asks for the caller.
        for headers in [
            ["Authorization": Self.basic("bob", "nope")], ["Authorization": APITestClient.admin], [:],
        ] {
            #expect(try await Self.get(.basic, "/open", headers, webConfig: store).0 == .unauthorized)
        }
        #expect(try await Self.get(.basic, "/healthcheck", webConfig: store).0 == .notFound)  // not refused
        // The console's files hold no data; every call the console makes is checked.
        #expect(try await Self.get(.basic, "/ui", webConfig: store).0 == .notFound)
        #expect(try await Self.get(.basic, "/ui/app.js", webConfig: store).0 == .notFound)
        #expect(try await Self.get(.basic, "/uix", webConfig: store).0 == .unauthorized)
        // Other modes keep their own identity: the file's users are basic mode's.
        let keystone = try await Self.get(.keystone, "/whoami", ["X-User-Id": "u1"], webConfig: store)
        #expect(keystone.0 == .ok && keystone.1 == "u1: admin=false same=true")
    }

    @Test func remoteUserModeReadsRemoteUserOnce() async throws {
        let user = try await Self.get(.remoteuser, "/whoami", ["Remote-User": "foobar"])
        #expect(user.0 == .ok && user.1 == "foobar admin=false same=true")
        let admin = try await Self.get(.remoteuser, "/whoami", ["Remote-User": "admin"])
        #expect(admin.1 == "admin admin=true same=true")
        #expect(
            try await Self.get(.remoteuser, "/whoami", ["Authorization": APITestClient.admin]).0
                == .unauthorized)
    }

    @Test func keystoneModeReadsTheIdentityHeadersOnce() async throws {
        let member = try await Self.get(
            .keystone, "/whoami", ["X-User-Id": "u1", "X-Project-Id": "p1", "X-Roles": "member,Admin"])
        #expect(member.0 == .ok && member.1 == "u1:p1 admin=true same=true")
        let projectOnly = try await Self.get(.keystone, "/whoami", ["X-Project-Id": "p1"])
        #expect(projectOnly.1 == ":p1 admin=false same=true")
        #expect(try await Self.get(.keystone, "/whoami", ["X-Roles": "admin"]).0 == .unauthorized)
    }

    @Test(arguments: [AuthMode.basic, .remoteuser, .keystone])
    func missingCredentialsFailOnlyWhereTheCallerIsNeeded(mode: AuthMode) async throws {
        let open = try await Self.get(mode, "/open")
        #expect(open.0 == .ok && open.1 == "open")
        let closed = try await Self.get(mode, "/whoami", ["Accept": "application/json"])
        #expect(closed.0 == .unauthorized)
        #expect(closed.1.contains(#""code": 401"#))
    }

    @Test func aRouterWithoutTheMiddlewareIsABugNotAnAnonymousCaller() async throws {
        let response = try await Self.get(nil, "/whoami", ["Authorization": APITestClient.admin])
        #expect(response.0 == .internalServerError)
        #expect(try await Self.get(nil, "/open").0 == .ok)
    }

    /// Over HTTP on the real server: Gnocchi's order holds (404 for a missing metric
    /// before the 401; 401 only on the operations needing a caller).
    @Test func serverAnswersInGnocchisOrder() async throws {
        try await APITestServer.run(defaultPolicies: true, workers: 0) { client in
            #expect(try await client.request(.get, "/v1/").status == .ok)
            #expect(try await client.request(.get, "/v1/status").status == .unauthorized)
            #expect(
                try await client.request(.get, "/v1/status", headers: ["Authorization": APITestClient.admin])
                    .status == .ok)
            let missing = "/v1/metric/00000000-0000-0000-0000-000000000001"
            #expect(try await client.request(.get, missing).status == .notFound)
            #expect(try await client.request(.get, "/v1/archive_policy").status == .unauthorized)
            let policies = try await client.request(
                .get, "/v1/archive_policy", headers: ["Authorization": APITestClient.foobar])
            #expect(policies.status == .ok && policies.text.contains(#""name": "low""#))
        }
    }
}
