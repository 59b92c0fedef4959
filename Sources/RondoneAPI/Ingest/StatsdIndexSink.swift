import Logging
import RondoneIndexer
public import RondoneIngest
import RondoneStorage

/// The statsd sink of `rondone serve`: gets or creates the `generic` resource and its
/// metrics through the index (``IngestResources``, as the InfluxDB and Prometheus
/// endpoints do) and adds each flush to the incoming store in one durable write, then
/// wakes metricd.
///
/// As gnocchi-statsd, a metric that cannot be created (no archive policy rule matches
/// its name, an unknown archive policy) loses its measure, logged; the others are stored.
/// A flush the incoming store refuses is thrown (counted and logged by the listener).
public struct StatsdIndexSink: StatsdSink {
    private let settings: StatsdSettings
    private let context: ControllerContext
    private let identity: Identity
    private let logger: Logger

    /// A sink writing into `services` for the resource and creator of `settings`.
    public init(settings: StatsdSettings, services: APIServices, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        context = ControllerContext(
            configuration: APIConfiguration(), indexer: services.indexer,
            indexIsExclusive: services.indexIsExclusive, incoming: services.incoming,
            reader: services.reader, refresh: services.refresh, wake: services.wake,
            policy: try PolicyEnforcer())
        // statsd writes as Gnocchi's statsd does, straight to the index: no policy applies.
        let user = settings.creator ?? "statsd"
        identity = Identity(
            userID: user, projectID: nil, roles: ["admin"], creator: user, credentials: ["user": user])
    }

    /// Gets or creates the `generic` resource (with no metric yet).
    public func prepare() async throws {
        _ = try await metrics([])
    }

    public func store(_ flush: StatsdFlush) async throws {
        let names = flush.keys.sorted()
        var ids: [String: MetricID]
        do {
            ids = try await metrics(names)
        } catch {
            // One bad name must not cost the others their measure: try each alone.
            ids = [:]
            for name in names {
                do {
                    ids.merge(try await metrics([name])) { first, _ in first }
                } catch {
                    logger.error("statsd: unable to add measure \(name): \(error)")
                }
            }
        }
        var batches: [IncomingBatch] = []
        batches.reserveCapacity(names.count)
        for name in names {
            guard let id = ids[name], let measures = flush[name] else { continue }
            batches.append(IncomingBatch(metric: id, measures: measures))
        }
        guard !batches.isEmpty else { return }
        try await context.incoming.add(batches)
        context.wake()
    }

    private func metrics(_ names: [String]) async throws -> [String: MetricID] {
        try await IngestResources.metrics(
            names, resource: settings.resourceID.description, type: ResourceType.generic, identity: identity,
            creator: settings.creator, archivePolicyName: settings.archivePolicyName, in: context)
    }
}
