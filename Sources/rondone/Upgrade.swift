import ArgumentParser
import Logging

/// `rondone upgrade`: creates or upgrades the index schema and the stores (the data
/// directory, or a deployment's databases and bucket) and, on a new index, the default
/// archive policies, as `gnocchi-upgrade` does. Every other command does the same on
/// start; this runs it alone.
struct Upgrade: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or upgrade the index schema and the default archive policies, then exit."
    )

    @OptionGroup var storage: StorageOptions

    func run() async throws {
        var logger = Logger(label: "rondone.upgrade")
        logger.logLevel = .warning
        let backends = try await storage.open(logger: logger)
        await backends.close()
        print("rondone: \(backends.location) is up to date")
    }
}
