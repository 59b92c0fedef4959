extension PostgreSQLErrors {
    /// SQLSTATE 53100 `disk_full`: the server could not extend a file.
    static let diskFull = "53100"

    /// Whether the statement failed because the PostgreSQL server's disk is full.
    package static func isDiskFull(_ error: any Error) -> Bool {
        sqlState(error) == diskFull
    }
}
