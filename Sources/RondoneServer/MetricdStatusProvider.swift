public import RondoneAPI
public import RondoneProcessing

/// `/v1/status` from metricd: the incoming backlog as Gnocchi reports it (`measures`
/// counts accepted POST bodies waiting, per metric with `details`), and the processors
/// the coordinator knows as live members (`null` when it cannot list them, as on the
/// embedded default and on a Gnocchi whose coordination backend cannot).
public struct MetricdStatusProvider: StatusProvider {
    public let metricd: Metricd
    public let coordinator: any Coordinator

    public init(metricd: Metricd, coordinator: any Coordinator) {
        self.metricd = metricd
        self.coordinator = coordinator
    }

    public func status(details: Bool) async throws -> ServiceStatus {
        let status = try await metricd.status(details: details)
        return ServiceStatus(
            metricsWithBacklog: status.backlog.metrics, measuresInBacklog: status.backlog.batches,
            measuresToProcess: status.perMetric.map { perMetric in
                perMetric.keys.sorted().map { (metric: $0.description, measures: perMetric[$0]!.batches) }
            },
            processors: try await coordinator.members())
    }
}
