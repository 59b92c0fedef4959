/// Where the statsd listener hands each flush: the index and incoming store of the same
/// process (`rondone serve`) or a Gnocchi-compatible API over HTTP (`rondone statsd`).
public protocol StatsdSink: Sendable {
    /// Stores one flush: gets or creates the resource and its metrics, then adds the
    /// measures. A sink that keeps what it could not store for its next call says so in
    /// its documentation; thrown errors are counted and logged by the listener.
    func store(_ flush: StatsdFlush) async throws
}
