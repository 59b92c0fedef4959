import Prometheus

/// The listener's counters in `/metrics` (swift-prometheus): datagrams, lines, lines
/// refused by reason, measures flushed and flushes that failed.
struct StatsdCounters: Sendable {
    let datagrams: Counter
    let lines: Counter
    let refused: [StatsdRefusal: Counter]
    let measuresFlushed: Counter
    let flushFailures: Counter

    init(registry: PrometheusCollectorRegistry) {
        datagrams = registry.makeCounter(
            name: "rondone_statsd_datagrams_total", help: "statsd datagrams received.")
        lines = registry.makeCounter(
            name: "rondone_statsd_lines_total", help: "Non-empty statsd lines received.")
        var refused: [StatsdRefusal: Counter] = [:]
        for reason in StatsdRefusal.allCases {
            refused[reason] = registry.makeCounter(
                name: "rondone_statsd_lines_refused_total", labels: [("reason", reason.rawValue)],
                help: "statsd lines refused, by reason.")
        }
        self.refused = refused
        measuresFlushed = registry.makeCounter(
            name: "rondone_statsd_measures_flushed_total", help: "Measures the statsd listener stored.")
        flushFailures = registry.makeCounter(
            name: "rondone_statsd_flush_failures_total", help: "statsd flushes that could not be stored.")
    }

    func count(_ lineCounts: StatsdLineCounts) {
        datagrams.increment()
        lines.increment(by: Int64(lineCounts.lines))
        for (reason, count) in lineCounts.refused { refused[reason]?.increment(by: Int64(count)) }
    }
}
