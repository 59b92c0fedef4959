import RondoneIndexer
import RondoneStorage
import RondoneTimeSeries

// The removal steps gc takes on a data directory and on a deployment alike.
extension GarbageCollector {
    /// Counts removals and reports them as progress every 100 and at the end.
    struct Removals {
        let total: Int
        let output: any MaintenanceOutput
        private(set) var done = 0

        init(total: Int, output: any MaintenanceOutput) {
            self.total = total
            self.output = output
        }

        mutating func step() {
            done += 1
            if done % 100 == 0 || done == total {
                output.progress(step: "removing", done: done, total: total)
            }
        }
    }

    /// The janitor's steps for each `deleted` metric (waiting measures, aggregates, index
    /// row), then the aggregates of each `unknown` one.
    static func removeMetrics(
        deleted: [MetricID], unknown: [MetricID], indexer: any Indexer, incoming: any IncomingStore,
        aggregates: any AggregateStore, removals: inout Removals
    ) async throws {
        for metric in deleted {
            try await incoming.deleteUnprocessed(metric: metric)
            try await aggregates.deleteMetric(metric)
            do {
                try await indexer.purgeMetric(metric)
            } catch IndexerError.noSuchMetric(_) {
                // A janitor purged it meanwhile.
            }
            removals.step()
        }
        for metric in unknown {
            try await aggregates.deleteMetric(metric)
            removals.step()
        }
    }
}
