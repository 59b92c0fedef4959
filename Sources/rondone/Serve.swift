import ArgumentParser
import RondoneProcessing
import RondoneStorage

#if canImport(Glibc)
    import Glibc
#endif

/// Standard error as a `TextOutputStream`, for messages that are not output.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var bytes = Array(string.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}

/// `rondone serve`: everything in one process on the embedded default.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the API, the index and the processing workers in one process."
    )

    @OptionGroup var storage: StorageOptions

    func run() async throws {
        let directory = try storage.open()
        let metricd = Metricd(
            incoming: directory.incoming, aggregates: directory.aggregates,
            catalog: InMemoryMetricCatalog([:]), log: { print("metricd: \($0)") })
        await metricd.start(workers: storage.workers ?? Metricd.defaultWorkerCount)
        print("rondone \(RondoneVersion.current): serving \(directory.path) (metricd only; no HTTP API yet)")
        let signal = await ShutdownSignal.wait()
        print("rondone: \(signal), stopping")
        await metricd.stop()
        directory.close()
    }
}

/// Options shared by every command that opens the data directory.
struct StorageOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Where the index and the data live (created if missing).")
    var dataDir: String = "./rondone-data"

    @Option(help: "Number of sacks incoming measures are spread over (fixed when the directory is created).")
    var sacks: Int = 128

    @Option(help: "metricd workers (default: one per core).")
    var workers: Int?

    /// Opens the data directory, or stops the command with a clear message.
    func open() throws -> DataDirectory {
        do {
            return try DataDirectory(path: dataDir, sacks: sacks)
        } catch let error as StorageError {
            var standardError = StandardError()
            print("rondone: cannot open \(dataDir): \(error)", to: &standardError)
            throw ExitCode.failure
        }
    }
}
