/// Measures of one metric waiting in an incoming store.
public struct WaitingMeasures: Sendable {
    /// How many records (accepted batches, a huge batch counting per 4 Mi points) wait.
    public var batches: Int
    /// Their measures, concatenated in log order.
    public var measures: IncomingBatch
}

// Reading what waits without claiming it (`rondone dump`).
extension FileIncomingStore {
    /// What waits for processing in `sack`, by metric: the records' count and their
    /// measures concatenated in log order (as a claim would hand them out), each record
    /// checked again as it is read. Nothing is claimed, so this runs beside metricd.
    ///
    /// - Throws: `StorageError.invalidSack`; I/O errors.
    public func waitingMeasures(sack: Int) async throws -> [MetricID: WaitingMeasures] {
        try checkSack(sack)
        let refs = index.sacks.withLock { $0[sack].metrics }
        guard !refs.isEmpty else { return [:] }
        let read = try await io.run { try self.read(sack: sack, refs, wholeSegments: false) }
        var result: [MetricID: WaitingMeasures] = [:]
        for (metric, measures) in read {
            result[metric] = WaitingMeasures(batches: refs[metric]?.count ?? 0, measures: measures)
        }
        return result
    }
}
