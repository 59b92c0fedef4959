public import RondoneIndexerSQLite
public import RondoneStorage

/// The embedded default's data directory, opened: one owner process, the SQLite index
/// in `index.sqlite`, the incoming log under `incoming/`, the aggregates under
/// `aggregates/`. ``Backends/embedded(_:)`` makes the server's backends of it.
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

    /// Closes the stores, then gives the directory up.
    public func close() {
        incoming.close()
        aggregates.close()
        lock.release()
    }
}
