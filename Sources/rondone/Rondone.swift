import ArgumentParser

/// The `rondone` command: one binary for the server, its workers and its tools.
@main
struct Rondone: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rondone",
        abstract: "A metric and resource database that speaks the Gnocchi v1 REST API.",
        version: RondoneVersion.current,
        subcommands: [Serve.self, MetricdCommand.self]
    )
}

/// The version printed by `rondone --version` and reported by the API.
enum RondoneVersion {
    static let current = "0.1.0"
}
