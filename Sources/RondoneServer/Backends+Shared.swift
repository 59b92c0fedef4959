public import Logging
import RondoneIndexerPostgreSQL
import RondonePostgreSQL
import RondoneProcessingPostgreSQL
import RondoneS3
import RondoneStorage
import RondoneStorageS3
import RondoneStoragePostgreSQL

extension Backends {
    /// The backends of a scaled-out deployment: the PostgreSQL index, incoming store
    /// and coordinator, and the aggregates on S3 with their pointers in the
    /// coordination database. Nothing is written until ``upgrade(createDefaultPolicies:)``
    /// (which creates or migrates every schema and the bucket) or use.
    public static func shared(_ settings: SharedBackendSettings, logger: Logger) -> Backends {
        let indexer = PostgreSQLIndexer(url: settings.indexer, logger: logger)
        let coordination = PostgreSQLDatabase(url: settings.coordination, logger: logger)
        let incomingDatabase =
            settings.incoming == settings.coordination
            ? coordination : PostgreSQLDatabase(url: settings.incoming, logger: logger)
        let incoming = PostgreSQLIncomingStore(database: incomingDatabase, sacks: settings.sacks)
        let coordinator = PostgreSQLCoordinator(database: coordination, logger: logger)
        let s3 = S3Client(url: settings.storage, logger: logger)
        let aggregates = S3AggregateStore(s3: s3, database: coordination, logger: logger)
        return Backends(
            indexer: indexer, incoming: incoming, aggregates: aggregates, coordinator: coordinator,
            location: settings.location,
            prepare: {
                try await coordinator.upgrade()
                try await incoming.upgrade()
                try await aggregates.upgrade()
            },
            housekeeping: {
                do {
                    try await aggregates.collectGarbage()
                } catch {
                    logger.warning("aggregate garbage collection failed: \(error)", metadata: ["component": "janitor"])
                }
            },
            unavailable: { error in
                if PostgreSQLErrors.isConnectionLost(error) { return "PostgreSQL" }
                if let error = error as? S3Error, error.isRetryable { return "The object store" }
                if case StorageError.backend = error { return "A shared backend" }
                return nil
            },
            close: {
                try? await s3.shutdown()
                await coordination.shutdown()
                if incomingDatabase !== coordination { await incomingDatabase.shutdown() }
                await indexer.shutdown()
            })
    }
}
