import RondoneAPI
import RondoneIndexer
import RondoneProcessing
import RondoneStorage

/// The embedded default's data directory, opened: one owner process, the SQLite index
/// in `index.sqlite`, the incoming log under `incoming/`, the aggregates under
/// `aggregates/`.
///
/// Opening takes `<dir>/LOCK` first, so a second `rondone serve` on the same directory
/// stops with a message naming the directory and the owner's PID before it touches
/// anything.
struct DataDirectory: Sendable {
    let path: String
    let lock: DataDirectoryLock
    let indexer: SQLiteIndexer
    let incoming: FileIncomingStore
    let aggregates: FileAggregateStore

    init(path: String, sacks: Int) throws {
        self.path = path
        lock = try DataDirectoryLock(directory: path)
        indexer = try SQLiteIndexer(path: path + "/index.sqlite")
        incoming = try FileIncomingStore(
            directory: path + "/incoming", options: .init(sacks: sacks))
        aggregates = try FileAggregateStore(directory: path + "/aggregates")
    }

    /// metricd over this directory, taking archive policies from the index.
    func metricd(log: @escaping ProcessingLog) -> Metricd {
        Metricd(
            incoming: incoming, aggregates: aggregates, catalog: IndexerMetricCatalog(indexer: indexer),
            log: log)
    }

    /// The background removal of deleted metrics' data.
    func janitor(log: @escaping ProcessingLog) -> MetricJanitor {
        MetricJanitor(
            deleted: IndexerMetricCatalog(indexer: indexer), incoming: incoming, aggregates: aggregates,
            log: log)
    }

    /// Closes the stores, then gives the directory up.
    func close() {
        incoming.close()
        aggregates.close()
        lock.release()
    }
}
