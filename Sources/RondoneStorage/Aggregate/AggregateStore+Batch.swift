import RondoneTimeSeries

/// Batched calls in terms of the single-blob ones, for drivers without a better way.
extension AggregateStore {
    /// A store with one owner process has no other writer to fence off.
    public func commit(_ changes: [MetricChanges], fencedBy leases: [SackLease]) async throws {
        try await commit(changes)
    }

    public func splits(_ keys: [SplitAddress], of metric: MetricID) async throws -> [[UInt8]?] {
        var result: [[UInt8]?] = []
        result.reserveCapacity(keys.count)
        for key in keys { result.append(try await split(key, of: metric)) }
        return result
    }

    /// One put or delete at a time, each durable before the next; every metric's
    /// splits go before any buffer, which keeps `commit`'s ordering rule.
    public func commit(_ changes: [MetricChanges]) async throws {
        for change in changes {
            let deleted = Set(change.deletedSplits)
            // Sorted so that a failure part-way leaves a reproducible state in tests.
            let writes = change.splits.filter { !deleted.contains($0.key) }.sorted {
                ($0.key.granularity, $0.key.key, $0.key.aggregation) < (
                    $1.key.granularity, $1.key.key, $1.key.aggregation
                )
            }
            for (address, bytes) in writes { try await putSplit(bytes, address, for: change.metric) }
            for address in change.deletedSplits { try await deleteSplit(address, of: change.metric) }
        }
        for change in changes {
            if let buffer = change.buffer { try await putBuffer(buffer, for: change.metric) }
        }
    }
}
