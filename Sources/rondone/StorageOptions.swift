import ArgumentParser
import Foundation
import Logging
import RondoneServer
import RondoneStorage

#if canImport(Glibc)
    import Glibc
#endif

/// Options shared by every command that opens the backends: a data directory (the
/// embedded default), or the URLs of a scaled-out deployment (docs/SCALEOUT.md).
struct StorageOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Where the index and the data live (created if missing).")
    var dataDir: String = "./rondone-data"

    @OptionGroup var deployment: DeploymentOptions

    @Option(
        help: """
            Number of sacks incoming measures are spread over, fixed when the store is created \
            (default: 32 in a data directory, 128 in PostgreSQL).
            """)
    var sacks: Int?

    @Option(help: "metricd workers (default: one per two cores, at least one).")
    var workers: Int?

    @Flag(help: "Start empty: no archive policies low/medium/high/bool and no default rule.")
    var noDefaultArchivePolicies = false

    func validate() throws {
        _ = try deployment.settings(sacks: sacks)
    }

    /// The scale-out settings, nil for the embedded default.
    func sharedSettings() throws -> SharedBackendSettings? {
        try deployment.settings(sacks: sacks)
    }

    /// Opens the backends (the data directory, or the deployment's URLs) and creates or
    /// upgrades every schema (as `gnocchi-upgrade` does), or stops the command with a
    /// clear message.
    func open(logger: Logger) async throws -> Backends {
        let backends: Backends
        if let settings = try sharedSettings() {
            do {
                backends = try await Backends.shared(settings, logger: logger)
            } catch {
                var standardError = StandardError()
                print("rondone: cannot open \(settings.location): \(error)", to: &standardError)
                throw ExitCode.failure
            }
        } else {
            do {
                backends = Backends.embedded(
                    try DataDirectory(path: dataDir, sacks: sacks ?? FileIncomingStore.Options.defaultSacks))
            } catch {
                var standardError = StandardError()
                print("rondone: cannot open \(dataDir): \(error)", to: &standardError)
                throw ExitCode.failure
            }
        }
        do {
            try await backends.upgrade(createDefaultPolicies: !noDefaultArchivePolicies)
        } catch {
            var standardError = StandardError()
            print("rondone: cannot prepare \(backends.location): \(error)", to: &standardError)
            await backends.close()
            throw ExitCode.failure
        }
        return backends
    }
}

/// Standard error as a `TextOutputStream`, for messages that are not output.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var bytes = Array(string.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
