public import Logging
public import PostgresNIO
public import RondoneStorage

/// The fence a store shared between processes runs inside its own commit transaction,
/// so that only the current holder of a sack's lease can change what the sack's
/// metrics store.
///
/// ``check(_:on:logger:)`` locks the leases' rows of `rondone_sack_lease` (the table
/// `PostgreSQLCoordinator` keeps, in the same database) `FOR SHARE` and throws
/// `StorageError.leaseLost` unless each (sack, token) is the sack's current lease and
/// has not expired by PostgreSQL's clock. Run it first in the transaction that makes a
/// commit visible (for the S3 store: the one that moves the metrics' "current object"
/// rows), and commit that transaction after it.
///
/// Why this makes a paused worker harmless: a coordinator hands a sack over by
/// updating its lease row (new holder, new token), and that update waits for every
/// transaction holding the row `FOR SHARE`. So a commit and a takeover are linearised:
/// either the commit took its locks first, and the takeover (and with it every write of
/// the new holder) comes after the commit; or the takeover came first, and the commit
/// sees a token that is no longer current and applies nothing. A worker that paused
/// past its lease (SIGSTOP, a long GC, a network partition) and wakes up mid-commit can
/// therefore leave orphans behind, never overwrite what the sack's new holder wrote.
/// Expiry alone is not enough: a lease may expire while the commit holding its row
/// runs, and that is fine, because nobody can take it over until the commit is done.
public enum PostgreSQLFence {
    /// Locks the rows of `leases` until the caller's transaction ends and checks that
    /// each is current and live. No lease: nothing to check.
    ///
    /// - Throws: `StorageError.leaseLost(lease)` for the first lease that is no longer
    ///   its sack's current one (taken over, released, or expired); the caller rolls
    ///   back. Any database error as is.
    public static func check(_ leases: [SackLease], on connection: PostgresConnection, logger: Logger)
        async throws
    {
        guard !leases.isEmpty else { return }
        let sacks = Array(Set(leases.map { Int32(truncatingIfNeeded: $0.sack) })).sorted()
        var current: [Int: (token: Int64, live: Bool)] = [:]
        let rows = try await connection.query(
            """
            SELECT sack, token, expires_at > clock_timestamp() AS live FROM rondone_sack_lease
            WHERE sack = ANY(\(sacks)::integer[]) ORDER BY sack FOR SHARE
            """, logger: logger)
        for try await (sack, token, live) in rows.decode((Int32, Int64, Bool).self) {
            current[Int(sack)] = (token, live)
        }
        for lease in leases {
            guard let row = current[lease.sack], row.token == lease.token, row.live else {
                throw StorageError.leaseLost(lease)
            }
        }
    }
}
