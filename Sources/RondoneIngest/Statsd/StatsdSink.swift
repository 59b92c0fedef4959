/// Where the statsd listener hands each flush: the index and incoming store of the same
/// process (`rondone serve`) or a Gnocchi-compatible API over HTTP (`rondone statsd`).
public protocol StatsdSink: Sendable {
    /// Creates the resource the flushes go to, if missing, as gnocchi-statsd does when it
    /// starts (so the resource exists before the first datagram). The listener calls it
    /// once at start and logs a failure: each flush creates the resource anyway.
    func prepare() async throws
    /// Stores one flush: gets or creates the resource and its metrics, then adds the
    /// measures. A sink that keeps what it could not store for its next call says so in
    /// its documentation; thrown errors are counted and logged by the listener.
    func store(_ flush: StatsdFlush) async throws
}

extension StatsdSink {
    /// Nothing to create ahead of the first flush.
    public func prepare() async throws {}
}
