import GRDB

extension SQLiteIndexer {
    /// Whether `error` says the index could not grow: SQLITE_FULL (the disk holding the
    /// database or its write-ahead log is full, or the database reached its page limit).
    /// The transaction was rolled back; the same write succeeds once space is freed.
    public static func isDiskFull(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return error.resultCode == .SQLITE_FULL
    }
}

extension SQLiteIndexer {
    /// Caps the database at its current size plus `extraPages` pages (`PRAGMA
    /// max_page_count` on the writing connection), or removes the cap with nil: a test
    /// makes the index full (SQLITE_FULL) without filling a disk (package-internal).
    package func capPages(extra extraPages: Int?) async throws {
        try await pool.write { db in
            if let extraPages {
                let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
                try db.execute(sql: "PRAGMA max_page_count = \(pages + extraPages)")
            } else {
                try db.execute(sql: "PRAGMA max_page_count = 4294967294")
            }
        }
    }
}
