import ArgumentParser

/// `rondone upgrade`: creates or upgrades the data directory's index schema (and, on a
/// new directory, the default archive policies), as `gnocchi-upgrade` does. `serve`
/// does the same on start; this runs it alone.
struct Upgrade: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create or upgrade the index schema and the default archive policies, then exit."
    )

    @OptionGroup var storage: StorageOptions

    func run() async throws {
        let backends = try await storage.open()
        backends.close()
        print("rondone: \(storage.dataDir) is up to date")
    }
}
