import ArgumentParser

/// `rondone serve`: everything in one process on the embedded default.
///
/// The API, indexer and metricd workers arrive with later issues; until then the
/// command reports the version and that there is nothing to serve yet.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the API, the index and the processing workers in one process."
    )

    func run() async throws {
        print("rondone \(RondoneVersion.current): the time-series engine is built; the HTTP API is not yet.")
    }
}
