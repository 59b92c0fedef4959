import Foundation
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

    /// Opens a directory that must already hold an index, with the sack count its
    /// incoming store was created with (what `rondone migrate` reads from).
    ///
    /// - Throws: ``MigrationError`` when `path` holds no data directory; what
    ///   ``init(path:sacks:)`` throws.
    public static func existing(path: String) throws -> DataDirectory {
        guard FileManager.default.fileExists(atPath: path + "/index.sqlite") else {
            throw MigrationError("\(path) holds no Rondone data directory (no index.sqlite)")
        }
        let sacksFile = path + "/incoming/sacks"
        let text = (try? String(contentsOfFile: sacksFile, encoding: .utf8)) ?? ""
        let sacks = Int(text.split(separator: "\n").first ?? "") ?? FileIncomingStore.Options.defaultSacks
        return try DataDirectory(path: path, sacks: sacks)
    }

    /// Closes the stores, then gives the directory up.
    public func close() {
        incoming.close()
        aggregates.close()
        lock.release()
    }
}
