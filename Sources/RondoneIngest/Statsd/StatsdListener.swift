public import Logging
import NIOCore
import NIOPosix
public import Prometheus
import RondoneTimeSeries
import Synchronization

/// The statsd UDP listener (SwiftNIO): decodes every datagram into one
/// ``StatsdAccumulator`` and hands its content to a ``StatsdSink`` every flush delay.
///
/// ``stop()`` closes the socket, then flushes what is pending once more, so nothing
/// received is left behind by a clean shutdown. A refused line is counted (in `/metrics`)
/// and logged, a failed flush is counted and logged; neither stops the listener.
public final class StatsdListener: Sendable {
    /// The port the socket is bound to (the configured one, or the one picked for 0).
    public let port: Int

    private let channel: any Channel
    private let state: StatsdState
    private let sink: any StatsdSink
    private let logger: Logger
    private let loop: Mutex<Task<Void, Never>?>

    private init(
        channel: any Channel, port: Int, state: StatsdState, sink: any StatsdSink, logger: Logger
    ) {
        self.channel = channel
        self.port = port
        self.state = state
        self.sink = sink
        self.logger = logger
        self.loop = Mutex(nil)
    }

    /// Binds `settings.host:settings.port` and starts flushing into `sink` every
    /// `settings.flushDelay` seconds; counters go to `registry`.
    public static func start(
        settings: StatsdSettings, sink: any StatsdSink, registry: PrometheusCollectorRegistry, logger: Logger
    ) async throws -> StatsdListener {
        do {
            try await sink.prepare()
        } catch {
            logger.warning(
                "statsd: resource \(settings.resourceID) not created at start (the first flush will): \(error)"
            )
        }
        let state = StatsdState(
            accumulator: StatsdAccumulator(gaugeDeltas: settings.gaugeDeltas),
            counters: StatsdCounters(registry: registry), logger: logger)
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.socketOption(.so_rcvbuf), value: 8 << 20)
            // A statsd datagram may be as large as UDP allows; NIO's default reads 2 KiB.
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(StatsdHandler(state: state))
                }
            }
            .bind(host: settings.host, port: settings.port).get()
        let listener = StatsdListener(
            channel: channel, port: channel.localAddress?.port ?? settings.port, state: state, sink: sink,
            logger: logger)
        let delay = settings.flushDelay
        listener.loop.withLock {
            $0 = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
                    if Task.isCancelled { break }
                    await listener.flush()
                }
            }
        }
        logger.info(
            "statsd listening on \(settings.host):\(listener.port), flush delay \(delay) s, resource \(settings.resourceID)"
        )
        return listener
    }

    /// Hands what is pending to the sink now (nothing when nothing is pending).
    public func flush() async {
        let flush = state.takeFlush()
        guard !flush.isEmpty else { return }
        do {
            try await sink.store(flush)
            state.counters.measuresFlushed.increment(by: Int64(flush.count))
        } catch {
            state.counters.flushFailures.increment()
            logger.error("statsd flush of \(flush.count) measures failed: \(error)")
        }
    }

    /// Closes the socket, waits for the flush loop to end and flushes what is pending.
    public func stop() async {
        try? await channel.close()
        let task = loop.withLock { task in
            defer { task = nil }
            return task
        }
        task?.cancel()
        await task?.value
        await flush()
        logger.info("statsd stopped")
    }
}

/// The accumulator shared by the socket's handler and the flush loop.
final class StatsdState: Sendable {
    let counters: StatsdCounters
    let logger: Logger
    private let accumulator: Mutex<StatsdAccumulator>

    init(accumulator: StatsdAccumulator, counters: StatsdCounters, logger: Logger) {
        self.accumulator = Mutex(accumulator)
        self.counters = counters
        self.logger = logger
    }

    func receive(_ buffer: ByteBuffer) {
        let now = Timestamp.now().nanoseconds
        let counts = buffer.withUnsafeReadableBytes { bytes in
            accumulator.withLock { $0.add(datagram: bytes, at: now) }
        }
        counters.count(counts)
        for (reason, line) in counts.examples {
            logger.warning("statsd line refused (\(reason.rawValue)): \(line)")
        }
    }

    func takeFlush() -> StatsdFlush {
        accumulator.withLock { $0.flush() }
    }
}

/// Feeds each received datagram to the shared state.
final class StatsdHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    let state: StatsdState

    init(state: StatsdState) {
        self.state = state
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        state.receive(Self.unwrapInboundIn(data).data)
    }
}
