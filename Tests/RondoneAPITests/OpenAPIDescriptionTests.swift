import Foundation
import HummingbirdTesting
import RondoneAPITesting
import Synchronization
import Testing

@testable import RondoneAPI

/// `/v1/openapi.json` against the routes the server really registers: every served
/// method and path is described, and nothing described is unserved.
@Suite("OpenAPI description")
struct OpenAPIDescriptionTests {
    /// The routes of the router the test server built, as its ``RouteTable`` saw them.
    final class ServedRoutes: Sendable {
        let routes = Mutex<[RouteTable.ServedRoute]>([])
    }

    @Test func describesEveryServedRouteAndNothingElse() async throws {
        let recorded = ServedRoutes()
        let body = try await RouteTable.$finishedObserver.withValue({ routes in
            recorded.routes.withLock { $0 += routes }
        }) {
            try await APITestServer.run { client in
                let response = try await client.request(
                    .get, "/v1/openapi.json", headers: ["Accept": "application/json"])
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                return Data(response.text.utf8)
            }
        }
        let document = try Self.object(body)
        let served = Set(recorded.routes.withLock { $0 }.map { Self.key($0.method.rawValue, $0.path) })
        #expect(!served.isEmpty)
        let paths = try #require(document["paths"] as? [String: Any])
        var described = Set<String>()
        for (path, item) in paths {
            let operations = try #require(item as? [String: Any], "\(path)")
            for method in operations.keys where Self.methods.contains(method) {
                described.insert(Self.key(method, path))
            }
        }
        let undescribed = served.subtracting(described).sorted()
        let unserved = described.subtracting(served).sorted()
        #expect(undescribed.isEmpty, "served but not described in openapi.json: \(undescribed)")
        #expect(unserved.isEmpty, "described in openapi.json but not served: \(unserved)")
    }

    @Test func documentIsOpenAPI31WithResolvableReferences() throws {
        let document = try Self.object(Data(PackageResources.openapi_json))
        let version = try #require(document["openapi"] as? String)
        #expect(version.hasPrefix("3.1."))
        #expect(document["info"] is [String: Any])
        var unresolved: [String] = []
        Self.visitReferences(document) { reference in
            var node: Any? = document
            for part in reference.dropFirst(2).split(separator: "/") {
                node = (node as? [String: Any])?[String(part)]
            }
            if !reference.hasPrefix("#/") || node == nil { unresolved.append(reference) }
        }
        #expect(unresolved.isEmpty, "unresolved $ref: \(Set(unresolved).sorted())")
    }

    @Test func servedWithoutCredentialsButNegotiated() async throws {
        try await APITestServer.run { client in
            let anonymous = try await client.request(.get, "/v1/openapi.json")
            #expect(anonymous.status == .ok)
            let refused = try await client.request(.get, "/v1/openapi.json", headers: ["Accept": "text/html"])
            #expect(refused.status == .notAcceptable)
        }
    }

    static let methods: Set<String> = ["get", "head", "post", "put", "patch", "delete", "options", "trace"]

    /// `METHOD /path/{}`: parameter names dropped (`{id}` and `{name}` are one template)
    /// and the trailing slash too (the router serves `/v1` and `/v1/` alike).
    static func key(_ method: String, _ path: String) -> String {
        var normalised = path.replacingOccurrences(
            of: #"\{[^}]*\}"#, with: "{}", options: .regularExpression)
        if normalised.count > 1 && normalised.hasSuffix("/") { normalised.removeLast() }
        return method.uppercased() + " " + normalised
    }

    static func object(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func visitReferences(_ node: Any, _ visit: (String) -> Void) {
        if let object = node as? [String: Any] {
            if let reference = object["$ref"] as? String { visit(reference) }
            for value in object.values { visitReferences(value, visit) }
        } else if let array = node as? [Any] {
            for value in array { visitReferences(value, visit) }
        }
    }
}
