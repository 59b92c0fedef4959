import Hummingbird

/// The content negotiation a route's response gets, done once by ``RouteTable`` before
/// the route's handler runs (after its lookup, when it has one), so that no handler
/// checks `Accept` itself.
public enum ContentNegotiation: Sendable {
    /// pecan's JSON routes (`@pecan.expose('json')`): 406 with an empty description
    /// unless the request accepts `application/json` (pecan checks this before the
    /// controller runs, so it comes before any 401).
    case json
    /// As ``json``, except for a request whose `Accept` names `mediaType`: the InfluxDB
    /// client asks for `application/x-msgpack`, and is answered anyway.
    case jsonUnlessAccepting(String)
    /// No check: the route answers something other than pecan's JSON (the health check,
    /// `/metrics`, the ingest protocols' empty answers) or only refuses the method.
    case none

    /// Throws Gnocchi's 406 when `request` does not accept what this negotiation offers.
    func check(_ request: Request) throws(APIError) {
        switch self {
        case .json:
            break
        case .jsonUnlessAccepting(let mediaType):
            if request.headers[.accept]?.contains(mediaType) ?? false { return }
        case .none:
            return
        }
        let accept = AcceptHeader(request.headers[.accept])
        guard accept.bestOffer(["application/json"]) != nil else { throw APIError(.notAcceptable, .text("")) }
    }
}
