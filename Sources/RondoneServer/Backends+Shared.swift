public import Logging
import RondoneIndexerPostgreSQL
import RondoneProcessingPostgreSQL
import RondoneS3
import RondoneStorage
import RondoneStoragePostgreSQL
import RondoneStorageS3

extension Backends {
    /// The backends of a scaled-out deployment: the PostgreSQL index, incoming store
    /// and coordinator, and the aggregates on S3 with their pointers in the
    /// coordination database (beside the leases that fence their commits).
    /// ``upgrade(createDefaultPolicies:)`` creates or migrates every schema and the
    /// bucket.
    ///
    /// - Throws: `StorageError` when the incoming store cannot be opened (PostgreSQL
    ///   unreachable, another sack count).
    public static func shared(_ settings: SharedBackendSettings, logger: Logger) async throws -> Backends {
        let incoming = try await PostgreSQLIncomingStore(
            url: settings.incoming, options: .init(sacks: settings.sacks), logger: logger)
        let indexer = PostgreSQLIndexer(url: settings.indexer, logger: logger)
        let coordinator = PostgreSQLCoordinator(url: settings.coordination, logger: logger)
        let s3 = S3Client(url: settings.storage, logger: logger)
        let aggregates = S3AggregateStore(s3: s3, url: settings.coordination, logger: logger)
        return Backends(
            indexer: indexer, incoming: incoming, aggregates: aggregates, coordinator: coordinator,
            location: settings.location,
            prepare: {
                try await coordinator.upgrade()
                try await aggregates.upgrade()
            },
            housekeeping: {
                do {
                    try await aggregates.collectGarbage()
                } catch {
                    logger.warning(
                        "aggregate garbage collection failed: \(error)", metadata: ["component": "janitor"])
                }
            },
            unavailable: { error in
                if PostgreSQLErrors.isConnectionLost(error) { return "PostgreSQL" }
                if let error = error as? S3Error, error.isRetryable { return "The object store" }
                if case StorageError.backend = error { return "A shared backend" }
                return nil
            },
            close: {
                await coordinator.shutdown()
                await aggregates.shutdown()
                try? await s3.shutdown()
                await incoming.shutdown()
                await indexer.shutdown()
            })
    }
}
