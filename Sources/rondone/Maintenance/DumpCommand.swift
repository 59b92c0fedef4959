import ArgumentParser
import RondoneServer

/// `rondone dump`: prints everything a data directory stores, one JSON line per metric
/// (docs/STORAGE.md, "Reading a data directory"), like `promtool tsdb dump`.
struct DumpCommand: DirectoryMaintenanceCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print every metric's waiting measures, buffer and splits as JSON lines.",
        discussion: """
            Reads the data directory through the server's own stores and codecs and prints one \
            line per metric, sorted by UUID: {"buffer", "incoming", "metric", "splits"}, values \
            as IEEE 754 bit patterns. tools/read_data_directory.py --json prints the same lines \
            without Rondone, so the two readers can be compared.
            """)

    @Option(name: .customLong("data-dir"), help: "The data directory to read.")
    var dataDir: String = "./rondone-data"

    var runsWhileServing: Bool { true }

    func run(on directory: DataDirectory, output: any MaintenanceOutput) async throws -> Int32 {
        _ = try await DataDirectoryDump.run(
            incoming: directory.incoming, aggregates: directory.aggregates, output: output)
        return 0
    }
}
