import Hummingbird

/// `/v1/status`: the processing backlog (`get status` policy: admin only). `details`
/// defaults to true, as in Gnocchi, and adds `measures_to_process`.
struct StatusController {
    let provider: any StatusProvider
    let policy: PolicyEnforcer

    func register(on routes: RouteTable) {
        routes.add(.get, "/v1/status") { request, requestContext in
            let identity = try requestContext.identity()
            try policy.enforce("get status", identity: identity)
            let details =
                try request.queryPairs.last { $0.name == "details" }.map {
                    try QueryBoolean.parse("details", $0.value)
                } ?? true
            let status = try await provider.status(details: details)
            return JSONResponse.make(status.json)
        }
    }
}
