public import Logging
public import RondoneIndexerPostgreSQL
import RondoneS3
import RondoneStorage
public import RondoneStoragePostgreSQL
public import RondoneStorageS3

/// A PostgreSQL + S3 deployment opened for a maintenance command (`fsck`, `gc`):
/// its stores by their concrete types, which hold the checks the protocols do not.
///
/// Opening creates nothing: a database without Rondone's index is refused with a
/// sentence before any store is opened, and the incoming store takes the sack count
/// the deployment was made with, whatever `--sacks` says.
public struct MaintainedDeployment: Sendable {
    public let settings: SharedBackendSettings
    public let indexer: PostgreSQLIndexer
    public let incoming: PostgreSQLIncomingStore
    public let aggregates: S3AggregateStore
    private let s3: S3Client

    /// Opens the deployment `settings` names.
    ///
    /// - Throws: an ``FsckFailure`` saying what is missing or unreachable.
    public static func open(_ settings: SharedBackendSettings, logger: Logger) async throws
        -> MaintainedDeployment
    {
        let indexer = PostgreSQLIndexer(url: settings.indexer, logger: logger)
        do {
            _ = try await indexer.archivePolicies()
        } catch {
            await indexer.shutdown()
            throw FsckFailure(
                "\(settings.indexer) holds no Rondone index that can be read (run `rondone upgrade` for a new "
                    + "deployment): \(error)")
        }
        let incoming: PostgreSQLIncomingStore
        do {
            incoming = try await openIncoming(settings, sacks: settings.sacks, logger: logger)
        } catch StorageError.sackCountMismatch(let stored, _) {
            incoming = try await openIncoming(settings, sacks: stored, logger: logger)
        } catch {
            await indexer.shutdown()
            throw error
        }
        let s3 = S3Client(url: settings.storage, logger: logger)
        let aggregates = S3AggregateStore(s3: s3, url: settings.coordination, logger: logger)
        return MaintainedDeployment(
            settings: settings, indexer: indexer, incoming: incoming, aggregates: aggregates, s3: s3)
    }

    private static func openIncoming(_ settings: SharedBackendSettings, sacks: Int, logger: Logger)
        async throws
        -> PostgreSQLIncomingStore
    {
        try await PostgreSQLIncomingStore(
            url: settings.incoming, options: .init(sacks: sacks), logger: logger)
    }

    /// Where the data lives (no password, no secret).
    public var location: String { settings.location }

    /// Closes every connection.
    public func close() async {
        await aggregates.shutdown()
        try? await s3.shutdown()
        await incoming.shutdown()
        await indexer.shutdown()
    }
}
