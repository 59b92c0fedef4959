import Foundation
import HTTPTypes
import HummingbirdTesting
import RondoneAPITesting
import Testing

/// `/v1/resource_type` and resources of a custom type over HTTP.
@Suite("Resource types over HTTP")
struct ResourceTypeControllerTests {
    static var admin: [String: String] { MetricControllerTests.admin }
    static var foobar: [String: String] { MetricControllerTests.foobar }
    static var patchHeaders: [String: String] {
        admin.merging(["Content-Type": "application/json-patch+json"]) { $1 }
    }

    static func object(_ text: String) throws -> [String: Any] { try MetricControllerTests.object(text) }

    static let hostType = #"""
        {"name": "host", "attributes": {
            "name": {"type": "string", "required": true, "min_length": 2, "max_length": 8},
            "cores": {"type": "number", "required": false, "min": 1, "max": 512},
            "rack": {"type": "uuid", "required": false},
            "up": {"type": "bool", "required": false},
            "since": {"type": "datetime", "required": false}}}
        """#

    @Test func createShowListDelete() async throws {
        try await APITestServer.runWithStores { client in
            #expect(
                try await client.request(
                    .post, "/v1/resource_type", headers: Self.foobar, body: Self.hostType
                )
                .status == .forbidden)
            let created = try await client.request(
                .post, "/v1/resource_type", headers: Self.admin, body: Self.hostType)
            #expect(created.status == .created)
            #expect(created.headers[.location]?.hasSuffix("/v1/resource_type/host") == true)
            let body = try Self.object(created.text)
            #expect(body["state"] as? String == "active")
            let attributes = try #require(body["attributes"] as? [String: [String: Any]])
            #expect(attributes["name"]?["max_length"] as? Int == 8)
            #expect(attributes["cores"]?["min"] as? Int == 1)
            #expect(attributes["rack"]?["required"] as? Bool == false)
            #expect(attributes.count == 5)
            let again = try await client.request(
                .post, "/v1/resource_type", headers: Self.admin, body: Self.hostType)
            #expect(again.status == .conflict)
            #expect(again.text.contains("Resource type host already exists"))
            // Anyone may read types.
            let shown = try await client.request(.get, "/v1/resource_type/host", headers: Self.foobar)
            #expect(try Self.object(shown.text)["name"] as? String == "host")
            let list = try MetricControllerTests.list(
                try await client.request(.get, "/v1/resource_type", headers: Self.foobar).text)
            #expect(list.map { $0["name"] as? String } == ["generic", "host"])
            #expect(
                try await client.request(.delete, "/v1/resource_type/host", headers: Self.foobar).status
                    == .forbidden)
            #expect(
                try await client.request(.delete, "/v1/resource_type/host", headers: Self.admin).status
                    == .noContent)
            #expect(
                try await client.request(.delete, "/v1/resource_type/host", headers: Self.admin).status
                    == .notFound)
            let generic = try await client.request(.delete, "/v1/resource_type/generic", headers: Self.admin)
            #expect(generic.status == .badRequest)
        }
    }

    @Test func badDefinitions() async throws {
        try await APITestServer.runWithStores { client in
            let cases: [(String, String)] = [
                (#"{"attributes": {}}"#, "required key not provided @ data['name']"),
                (#"{"name": "t", "extra": 1}"#, "extra keys not allowed @ data['extra']"),
                (#"{"name": "t", "attributes": {"a": {"type": "nope"}}}"#, "@ data['attributes']['a']"),
                (
                    #"{"name": "t", "attributes": {"a": {"type": "string", "min_length": 5, "max_length": 2}}}"#,
                    "Resource attribute value min (or min_length) 5 must be less  than or equal to max (or max_length) 2!"
                ),
                (
                    #"{"name": "t", "attributes": {"id": {"type": "string"}}}"#,
                    "Resource attribute name id is invalid"
                ),
                (
                    #"{"name": "t", "attributes": {"-x": {"type": "bool"}}}"#,
                    "Resource attribute name -x is invalid"
                ),
                (
                    #"{"name": "t", "attributes": {"n": {"type": "number", "min": 8, "max": 3}}}"#,
                    "min (or min_length) 8"
                ),
                (#"{"name": "a/b"}"#, "data['name']"),
            ]
            for (body, message) in cases {
                let response = try await client.request(
                    .post, "/v1/resource_type", headers: Self.admin, body: body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.text.contains(message), "\(body): \(response.text)")
            }
            let list = try MetricControllerTests.list(
                try await client.request(.get, "/v1/resource_type", headers: Self.admin).text)
            #expect(list.count == 1)
        }
    }

    @Test func resourcesOfACustomType() async throws {
        try await APITestServer.runWithStores(defaultPolicies: true) { client in
            _ = try await client.request(.post, "/v1/resource_type", headers: Self.admin, body: Self.hostType)
            let bad: [(String, String)] = [
                (#"{"id": "h1"}"#, "required key not provided @ data['name']"),
                (
                    #"{"id": "h1", "name": "x"}"#,
                    "length of value must be at least 2 for dictionary value @ data['name']"
                ),
                (
                    #"{"id": "h1", "name": "web", "cores": 0}"#,
                    "value must be at least 1 for dictionary value @ data['cores']"
                ),
                (
                    #"{"id": "h1", "name": "web", "cores": "4"}"#,
                    "expected Real for dictionary value @ data['cores']"
                ),
                (#"{"id": "h1", "name": "web", "rack": "nope"}"#, "badly formed hexadecimal UUID string"),
                (#"{"id": "h1", "name": "web", "up": 1}"#, "expected bool for dictionary value @ data['up']"),
                (#"{"id": "h1", "name": "web", "since": "never"}"#, "@ data['since']"),
                (#"{"id": "h1", "name": "web", "color": "red"}"#, "extra keys not allowed @ data['color']"),
            ]
            for (body, message) in bad {
                let response = try await client.request(
                    .post, "/v1/resource/host", headers: Self.admin, body: body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.text.contains(message), "\(body): \(response.text)")
            }
            let created = try await client.request(
                .post, "/v1/resource/host", headers: Self.admin,
                body: #"{"id": "h1", "name": "web", "cores": 4, "up": true, "since": "2020-01-02T03:04:05Z"}"#
            )
            #expect(created.status == .created)
            var body = try Self.object(created.text)
            #expect(body["name"] as? String == "web")
            #expect(body["cores"] as? Double == 4)
            #expect(body["up"] as? Bool == true)
            #expect(body["since"] as? String == "2020-01-02T03:04:05+00:00")
            #expect(body["rack"] is NSNull)
            #expect(body["type"] as? String == "host")
            let patched = try await client.request(
                .patch, "/v1/resource/host/h1", headers: Self.admin, body: #"{"cores": 8}"#)
            #expect(try Self.object(patched.text)["cores"] as? Double == 8)
            let history = try MetricControllerTests.list(
                try await client.request(.get, "/v1/resource/host/h1/history", headers: Self.admin).text)
            #expect(history.map { $0["cores"] as? Double } == [4, 8])
            // Through `generic`, the common fields only.
            body = try Self.object(
                try await client.request(.get, "/v1/resource/generic/h1", headers: Self.admin).text)
            #expect(body["type"] as? String == "host")
        }
    }

    @Test func patchAddsFillsAndRemoves() async throws {
        try await APITestServer.runWithStores(defaultPolicies: true) { client in
            _ = try await client.request(.post, "/v1/resource_type", headers: Self.admin, body: Self.hostType)
            _ = try await client.request(
                .post, "/v1/resource/host", headers: Self.admin, body: #"{"id": "h1", "name": "a1"}"#)
            _ = try await client.request(
                .patch, "/v1/resource/host/h1", headers: Self.admin, body: #"{"name": "a2"}"#)
            // JSON content type: 415; non-admin: 403.
            let wrongType = try await client.request(
                .patch, "/v1/resource_type/host", headers: Self.admin,
                body: #"[{"op": "remove", "path": "/attributes/up"}]"#)
            #expect(wrongType.status == .unsupportedMediaType)
            let forbidden = try await client.request(
                .patch, "/v1/resource_type/host",
                headers: Self.foobar.merging(["Content-Type": "application/json-patch+json"]) { $1 },
                body: #"[{"op": "remove", "path": "/attributes/up"}]"#)
            #expect(forbidden.status == .forbidden)
            let patched = try await client.request(
                .patch, "/v1/resource_type/host", headers: Self.patchHeaders,
                body: #"""
                    [{"op": "add", "path": "/attributes/zone", "value": {"type": "string", "required": true, "options": {"fill": "z1"}}},
                     {"op": "add", "path": "/attributes/name", "value": {"type": "string", "required": false, "min_length": 2, "max_length": 8}},
                     {"op": "remove", "path": "/attributes/up"}]
                    """#)
            #expect(patched.status == .ok, "\(patched.text)")
            let attributes = try #require(
                try Self.object(patched.text)["attributes"] as? [String: [String: Any]])
            #expect(attributes["zone"]?["required"] as? Bool == true)
            #expect(attributes["name"]?["required"] as? Bool == false)
            #expect(attributes["up"] == nil)
            let resource = try Self.object(
                try await client.request(.get, "/v1/resource/host/h1", headers: Self.admin).text)
            #expect(resource["zone"] as? String == "z1")
            #expect(resource["up"] == nil)
            let history = try MetricControllerTests.list(
                try await client.request(.get, "/v1/resource/host/h1/history", headers: Self.admin).text)
            #expect(history.map { $0["zone"] as? String } == ["z1", "z1"])
            // Errors, each changing nothing.
            let errors: [(String, String)] = [
                (
                    #"[{"op": "add", "path": "/attributes/name", "value": {"type": "number"}}]"#,
                    "Type update is not available yet. Changing string to number for attribute name of resource host"
                ),
                (
                    #"[{"op": "add", "path": "/attributes/m", "value": {"type": "bool", "required": true, "options": {}}}]"#,
                    "Invalid input: Option 'fill' of resource attribute m is invalid: must not be empty if required=True"
                ),
                (
                    #"[{"op": "add", "path": "/attributes/m", "value": {"type": "number", "required": true, "options": {"fill": "x"}}}]"#,
                    "Invalid input: Option 'fill' of resource attribute m is invalid: expected Real"
                ),
                (
                    #"[{"op": "remove", "path": "/attributes/nope"}]"#,
                    "can't remove a non-existent object 'nope'"
                ),
                (
                    #"[{"op": "replace", "path": "/attributes/name", "value": {}}]"#,
                    "not a valid value for dictionary value @ data[0]['op']"
                ),
                (#"[{"op": "add", "path": "/name", "value": {}}]"#, "@ data[0]['path']"),
            ]
            for (body, message) in errors {
                let response = try await client.request(
                    .patch, "/v1/resource_type/host", headers: Self.patchHeaders, body: body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.text.contains(message), "\(body): \(response.text)")
            }
            // A patch that re-adds attributes as they are changes nothing (ceilometer-upgrade).
            let same = try await client.request(
                .patch, "/v1/resource_type/host", headers: Self.patchHeaders,
                body:
                    #"[{"op": "add", "path": "/attributes/cores", "value": {"type": "number", "required": false, "min": 1, "max": 512}}]"#
            )
            #expect(same.status == .ok)
            #expect(try Self.object(same.text)["attributes"] as? [String: Any] != nil)
            // Still in use.
            let inUse = try await client.request(.delete, "/v1/resource_type/host", headers: Self.admin)
            #expect(inUse.status == .badRequest)
            #expect(inUse.text.contains("Resource type host is still in use"))
        }
    }
}
