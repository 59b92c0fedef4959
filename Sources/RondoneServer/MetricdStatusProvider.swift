public import RondoneAPI
public import RondoneProcessing

/// `/v1/status` from metricd: the incoming backlog as Gnocchi reports it (`measures`
/// counts accepted POST bodies waiting, per metric with `details`). Processors are
/// `null`, as on a Gnocchi whose coordinator cannot list its members (the reference's).
public struct MetricdStatusProvider: StatusProvider {
    public let metricd: Metricd

    public init(metricd: Metricd) {
        self.metricd = metricd
    }

    public func status(details: Bool) async throws -> ServiceStatus {
        let status = try await metricd.status(details: details)
        return ServiceStatus(
            metricsWithBacklog: status.backlog.metrics, measuresInBacklog: status.backlog.batches,
            measuresToProcess: status.perMetric.map { perMetric in
                perMetric.keys.sorted().map { (metric: $0.description, measures: perMetric[$0]!.batches) }
            })
    }
}
