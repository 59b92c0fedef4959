import ArgumentParser
import Foundation
import RondoneServer

/// The URLs of a scaled-out deployment (docs/SCALEOUT.md): every command that opens
/// backends takes them, and `migrate` moves a data directory into them.
struct DeploymentOptions: ParsableArguments {
    @Option(
        help: """
            The PostgreSQL database of the index (postgresql://USER[:PASSWORD]@HOST:PORT/DB). With \
            --storage-url, a scaled-out deployment instead of a data directory.
            """)
    var indexerURL: String?

    @Option(
        help: """
            The S3 bucket of the aggregates (s3://BUCKET?endpoint=http://HOST:PORT&region=REGION; \
            credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY).
            """)
    var storageURL: String?

    @Option(help: "The PostgreSQL database of the waiting measures (default: --indexer-url).")
    var incomingURL: String?

    @Option(help: "The PostgreSQL database of the coordination (default: --indexer-url).")
    var coordinationURL: String?

    func validate() throws {
        if (indexerURL == nil) != (storageURL == nil) {
            throw ValidationError("--indexer-url and --storage-url go together (a scaled-out deployment)")
        }
        if indexerURL == nil && (incomingURL != nil || coordinationURL != nil) {
            throw ValidationError(
                "--incoming-url and --coordination-url need --indexer-url and --storage-url")
        }
    }

    /// The settings of the deployment the URLs name (incoming measures over `sacks`
    /// sacks, default 128), nil when no URL is given.
    func settings(sacks: Int?) throws -> SharedBackendSettings? {
        guard let indexerURL, let storageURL else { return nil }
        do {
            return try SharedBackendSettings(
                indexer: indexerURL, storage: storageURL, incoming: incomingURL,
                coordination: coordinationURL,
                sacks: sacks ?? 128, environment: ProcessInfo.processInfo.environment)
        } catch {
            // One sentence and exit code 1 (a start-up error), not a usage text.
            throw StartupFailure("\(error)")
        }
    }
}
