import Hummingbird
import RondoneJSON
import RondoneTimeSeries

/// `/v1/capabilities`: the aggregation methods archive policies accept (Gnocchi 4.7
/// answers only `aggregation_methods`; no authentication is needed).
struct CapabilitiesController {
    static let document: [UInt8] = JSONValue.object([
        ("aggregation_methods", .array(Aggregation.allValid.map { .string($0.name) }))
    ]).serialized()

    func register(on routes: RouteTable) {
        routes.add(.get, "/v1/capabilities") { _, _ in JSONResponse.make(bytes: Self.document) }
    }
}
