import RondoneAPI
import RondoneIndexerPostgreSQL
import RondoneIndexerSQLite

/// Recognises every driver's full-disk error, for the API's 507 (the composition root
/// knows the drivers; the API knows only the stores' own ``StorageFailure``).
enum DiskFullErrors {
    /// Where the disk is full: a store file's path, the SQLite index in `index` (the data
    /// directory), or the PostgreSQL server; nil when `error` is not a full disk.
    static func location(of error: any Error, index: String) -> String? {
        if let path = StorageFailure.diskFullLocation(of: error) { return path }
        if SQLiteIndexer.isDiskFull(error) { return "the index (\(index)/index.sqlite)" }
        if PostgreSQLErrors.isDiskFull(error) { return "the PostgreSQL server" }
        return nil
    }
}
