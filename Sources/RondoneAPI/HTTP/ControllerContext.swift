import RondoneIndexer
import RondoneQuery
import RondoneStorage

/// What every index-backed controller is built with: the configuration, the services,
/// and the policy shared by all routes (the caller comes with each request, in its
/// ``RondoneRequestContext``).
struct ControllerContext: Sendable {
    let configuration: APIConfiguration
    let indexer: any Indexer
    /// Only this process writes the index (``APIServices/indexIsExclusive``).
    let indexIsExclusive: Bool
    let incoming: any IncomingStore
    /// Reads stored aggregates (never through metricd).
    let reader: SeriesReader
    /// `?refresh=true`.
    let refresh: any RefreshProcessor
    /// Tells processing that measures arrived.
    let wake: @Sendable () -> Void
    let policy: PolicyEnforcer
}
