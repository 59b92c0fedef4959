import Hummingbird

/// `GET /v1/openapi.json`: the OpenAPI 3.1 description of the whole API.
///
/// The description is `OpenAPI/openapi.json`, compiled into the binary (SwiftPM's
/// `embedInCode`), so `rondone` stays one file. Like `/v1/`, it needs no caller (with
/// `--web-config` users every request but `/healthcheck` needs a password anyway).
/// `OpenAPIDescriptionTests` fails when a route is served but not described, or
/// described but not served; see docs/OPENAPI.md.
struct OpenAPIController {
    func register(on routes: RouteTable) {
        // RouteTable's default negotiation answers a non-JSON `Accept` with pecan's 406.
        routes.add(.get, "/v1/openapi.json") { _, _ in
            JSONResponse.make(bytes: PackageResources.openapi_json)
        }
    }
}
