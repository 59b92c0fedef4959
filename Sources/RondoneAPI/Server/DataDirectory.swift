public import RondoneIndexer
public import RondoneProcessing
public import RondoneStorage

/// The embedded default's data directory, opened: one owner process, the SQLite index
/// in `index.sqlite`, the incoming log under `incoming/`, the aggregates under
/// `aggregates/`.
///
/// Opening takes `<dir>/LOCK` first, so a second `rondone serve` on the same directory
/// stops with a message naming the directory and the owner's PID before it touches
/// anything.
public struct DataDirectory: Sendable {
    public let path: String
    public let lock: DataDirectoryLock
    public let indexer: SQLiteIndexer
    public let incoming: FileIncomingStore
    public let aggregates: FileAggregateStore

    /// Opens (creating if needed) the directory and its stores.
    ///
    /// - Throws: `StorageError.directoryOwned` when another process holds it; storage
    ///   and index errors.
    public init(path: String, sacks: Int) throws {
        self.path = path
        lock = try DataDirectoryLock(directory: path)
        indexer = try SQLiteIndexer(path: path + "/index.sqlite")
        incoming = try FileIncomingStore(
            directory: path + "/incoming", options: .init(sacks: sacks))
        aggregates = try FileAggregateStore(directory: path + "/aggregates")
    }

    /// Creates or upgrades the index schema, as `gnocchi-upgrade` does; on a new index,
    /// `createDefaultPolicies` adds `low`/`medium`/`high`/`bool` and the default rule.
    public func upgrade(createDefaultPolicies: Bool) async throws {
        try await indexer.upgrade(createDefaultPolicies: createDefaultPolicies)
    }

    /// metricd over this directory, taking archive policies from the index.
    public func metricd(options: Metricd.Options = Metricd.Options(), log: @escaping ProcessingLog) -> Metricd
    {
        Metricd(
            incoming: incoming, aggregates: aggregates, catalog: IndexerMetricCatalog(indexer: indexer),
            options: options, log: log)
    }

    /// The background removal of deleted metrics' data; its housekeeping (every 2 s)
    /// also cuts back the index's write-ahead log once the index is idle.
    public func janitor(log: @escaping ProcessingLog) -> MetricJanitor {
        MetricJanitor(
            deleted: IndexerMetricCatalog(indexer: indexer), incoming: incoming, aggregates: aggregates,
            housekeeping: { [indexer] in await indexer.truncateIdleWAL() }, log: log)
    }

    /// Closes the stores, then gives the directory up.
    public func close() {
        incoming.close()
        aggregates.close()
        lock.release()
    }
}
