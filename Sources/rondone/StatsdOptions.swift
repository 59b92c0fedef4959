import ArgumentParser
import RondoneIngest

/// The statsd listener's options, named after Gnocchi's `[statsd]` section; `serve` runs
/// the listener when `--statsd-port` is given, `statsd` always.
struct StatsdOptions: ParsableArguments {
    @Option(help: "Address the statsd listener binds (Gnocchi's [statsd] host).")
    var statsdHost: String = "0.0.0.0"

    @Option(help: "UDP port of the statsd listener (serve: off unless given; statsd: 8125; 0 picks one).")
    var statsdPort: Int?

    @Option(help: "UUID of the generic resource the statsd metrics belong to (required with the listener).")
    var statsdResourceId: String?

    @Option(help: "Creator of the statsd resource and metrics; the forwarder's user name.")
    var statsdCreator: String?

    @Option(help: "Archive policy of new statsd metrics (default: the archive policy rule of the name).")
    var statsdArchivePolicyName: String?

    @Option(help: "Seconds between two statsd flushes.")
    var statsdFlushDelay: Double = 10

    @Flag(
        help: "Read +N/-N statsd gauges as changes of the last value (statsd's convention) instead of values."
    )
    var statsdGaugeDeltas = false

    func validate() throws {
        if let statsdPort, !(0...65535).contains(statsdPort) {
            throw ValidationError("--statsd-port must be 0…65535")
        }
        if let statsdResourceId, StatsdSettings.resourceID(statsdResourceId) == nil {
            throw ValidationError("--statsd-resource-id must be a UUID, not \(statsdResourceId)")
        }
        guard statsdFlushDelay > 0, statsdFlushDelay.isFinite else {
            throw ValidationError("--statsd-flush-delay must be a positive number of seconds")
        }
    }

    /// The listener's settings, or an error naming what is missing.
    func settings(defaultPort: Int) throws -> StatsdSettings {
        guard let text = statsdResourceId, let resourceID = StatsdSettings.resourceID(text) else {
            throw ValidationError("--statsd-resource-id is required to run the statsd listener")
        }
        return StatsdSettings(
            host: statsdHost, port: statsdPort ?? defaultPort, resourceID: resourceID, creator: statsdCreator,
            archivePolicyName: statsdArchivePolicyName, flushDelay: statsdFlushDelay,
            gaugeDeltas: statsdGaugeDeltas)
    }
}
