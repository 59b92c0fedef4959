import Foundation
import GRDB

/// The index as it was when ``SQLiteIndexer/snapshot()`` was called: a read
/// transaction kept open on its own connection, so writes go on meanwhile and the
/// copy still holds exactly that state.
public final class SQLiteIndexSnapshot: @unchecked Sendable {
    // @unchecked: GRDB's DatabaseSnapshot serialises every access on its own queue.
    private let snapshot: DatabaseSnapshot

    init(_ snapshot: DatabaseSnapshot) {
        self.snapshot = snapshot
    }

    /// Writes the snapshot to a new SQLite file at `path` with SQLite's backup API;
    /// `progress` gets the pages copied and the total after each step.
    ///
    /// - Throws: GRDB's `DatabaseError` (the file exists and is not empty, disk full…).
    public func write(to path: String, progress: @escaping (Int, Int) -> Void = { _, _ in }) throws {
        let destination = try DatabaseQueue(path: path)
        try snapshot.backup(to: destination, pagesPerStep: 256) { step in
            progress(step.completedPageCount, step.totalPageCount)
        }
        try destination.close()
    }
}

extension SQLiteIndexer {
    /// Opens a snapshot of the index now (a few milliseconds: a connection and a read
    /// transaction); copying it with ``SQLiteIndexSnapshot/write(to:progress:)`` can
    /// happen later while writers go on.
    public func snapshot() throws -> SQLiteIndexSnapshot {
        SQLiteIndexSnapshot(try pool.makeSnapshot())
    }
}
