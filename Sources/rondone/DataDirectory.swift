import RondoneProcessing
import RondoneStorage

/// The embedded default's data directory, opened: one owner process, the incoming
/// log under `incoming/`, the aggregates under `aggregates/`.
///
/// Opening takes `<dir>/LOCK` first, so a second `rondone serve` on the same directory
/// stops with a message naming the directory and the owner's PID before it touches
/// anything.
struct DataDirectory: Sendable {
    let path: String
    let lock: DataDirectoryLock
    let incoming: FileIncomingStore
    let aggregates: FileAggregateStore

    init(path: String, sacks: Int) throws {
        self.path = path
        lock = try DataDirectoryLock(directory: path)
        incoming = try FileIncomingStore(
            directory: path + "/incoming", options: .init(sacks: sacks))
        aggregates = try FileAggregateStore(directory: path + "/aggregates")
    }

    /// Closes the stores, then gives the directory up.
    func close() {
        incoming.close()
        aggregates.close()
        lock.release()
    }
}
