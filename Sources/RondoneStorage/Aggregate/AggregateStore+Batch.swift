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

    /// Each range in two calls (its keys, then its splits), ``SplitRange/concurrentReads``
    /// ranges at a time; the first error in range order is thrown.
    public func splits(in ranges: [SplitRange]) async throws -> [[SplitBlob]] {
        try await OrderedConcurrentMap.run(ranges, width: SplitRange.concurrentReads) { range in
            try await self.splits(in: range)
        }
    }

    private func splits(in range: SplitRange) async throws -> [SplitBlob] {
        let keys = try await splitKeys(
            of: range.metric, aggregation: range.aggregation, granularity: range.granularity
        )
        .filter(range.contains)
        let addresses = keys.map {
            SplitAddress(aggregation: range.aggregation, granularity: range.granularity, key: $0)
        }
        let stored = try await splits(addresses, of: range.metric)
        return zip(keys, stored).compactMap { key, bytes in bytes.map { SplitBlob(key: key, bytes: $0) } }
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
