import RondoneIndexer
import RondoneProcessing
import RondoneStorage

/// What every index-backed controller is built with: the configuration, the services,
/// and the request authentication and policy shared by all routes.
struct ControllerContext: Sendable {
    let configuration: APIConfiguration
    let indexer: any Indexer
    let incoming: (any IncomingStore)?
    let metricd: Metricd?
    let authenticator: Authenticator
    let policy: PolicyEnforcer
}
