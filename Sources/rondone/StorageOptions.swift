import ArgumentParser
import RondoneServer
import RondoneStorage

#if canImport(Glibc)
    import Glibc
#endif

/// Options shared by every command that opens the data directory.
struct StorageOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Where the index and the data live (created if missing).")
    var dataDir: String = "./rondone-data"

    @Option(help: "Number of sacks incoming measures are spread over (fixed when the directory is created).")
    var sacks: Int = FileIncomingStore.Options.defaultSacks

    @Option(help: "metricd workers (default: one per two cores, at least one).")
    var workers: Int?

    @Flag(help: "Start empty: no archive policies low/medium/high/bool and no default rule.")
    var noDefaultArchivePolicies = false

    /// Opens the backends (the data directory) and creates or upgrades the index schema
    /// (as `gnocchi-upgrade` does), or stops the command with a clear message.
    func open() async throws -> Backends {
        let backends: Backends
        do {
            backends = Backends.embedded(try DataDirectory(path: dataDir, sacks: sacks))
        } catch let error as StorageError {
            var standardError = StandardError()
            print("rondone: cannot open \(dataDir): \(error)", to: &standardError)
            throw ExitCode.failure
        }
        try await backends.upgrade(createDefaultPolicies: !noDefaultArchivePolicies)
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
