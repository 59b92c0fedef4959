import ArgumentParser

/// `rondone-bench`: release-build benchmarks that print throughput and sizes.
///
/// Run with `swift run -c release rondone-bench engine`. Figures are printed, never
/// asserted: speed claims in the project come from here.
@main
struct RondoneBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rondone-bench",
        abstract: "Benchmarks of Rondone's hot paths (use a release build).",
        subcommands: [
            EngineBench.self, StorageBenchCommand.self, APIBenchCommand.self, AggregatesBenchCommand.self,
            DiskBenchCommand.self,
        ]
    )
}

/// `rondone-bench engine`: the time-series engine, no I/O.
struct EngineBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Timestamp parsing, aggregation, split encode/decode and bytes per point."
    )

    @Option(help: "Scale the amount of work (1 = default).")
    var scale: Int = 1

    func run() throws {
        #if DEBUG
            print("warning: debug build; use `swift run -c release rondone-bench engine`")
        #endif
        for section in EngineSections.all {
            section(scale)
        }
    }
}

/// `rondone-bench storage`: durable ingest through the file incoming store.
struct StorageBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storage",
        abstract:
            "Measures made durable per second by concurrent writers, then processed by metricd (file drivers)."
    )

    @Option(help: "Scale the amount of work (1 = default).")
    var scale: Int = 1

    func run() throws {
        #if DEBUG
            print("warning: debug build; use `swift run -c release rondone-bench storage`")
        #endif
        StorageBench.run(scale: scale)
        ProcessingBench.run(scale: scale)
    }
}

/// `rondone-bench api`: the HTTP layer's hot paths (measures decoding).
struct APIBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract:
            "Measures JSON decoding (our byte scanner against Foundation's JSONDecoder), line-protocol decoding."
    )

    @Option(help: "Scale the amount of work (1 = default).")
    var scale: Int = 1

    func run() throws {
        #if DEBUG
            print("warning: debug build; use `swift run -c release rondone-bench api`")
        #endif
        MeasuresParseBench.run(scale: scale)
        LineProtocolBench.run(scale: scale)
    }
}

/// `rondone-bench aggregates`: `/v1/aggregates`' mean of many metrics, in process,
/// through the read path (`SeriesReader` over the file aggregate store).
struct AggregatesBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aggregates",
        abstract:
            "The mean of N metrics x one day of 1-minute points: reads, alignment and the whole query (file store)."
    )

    @Option(help: "Metrics per query; repeat for several sizes (default: 100, 1000 and 10000).")
    var metrics: [Int] = [100, 1000, 10_000]

    @Option(help: "Points per metric (1440: one day at 1 minute).")
    var points: Int = 1440

    @Option(help: "Timed runs per figure (the median is printed).")
    var runs: Int = 9

    func run() throws {
        #if DEBUG
            print("warning: debug build; use `swift run -c release rondone-bench aggregates`")
        #endif
        AggregatesBench.run(metricCounts: metrics, points: points, runs: runs)
    }
}
