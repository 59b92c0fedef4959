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
        func name(_ metric: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(
                namespace: "rondone", subsystem: "statsd", metricName: metric, unitName: "total",
                helpText: help)
        }
        datagrams = registry.makeCounter(descriptor: name("datagrams", "statsd datagrams received."))
        lines = registry.makeCounter(descriptor: name("lines", "Non-empty statsd lines received."))
        var refused: [StatsdRefusal: Counter] = [:]
        for reason in StatsdRefusal.allCases {
            refused[reason] = registry.makeCounter(
                descriptor: name("lines_refused", "statsd lines refused, by reason."),
                labels: [("reason", reason.rawValue)])
        }
        self.refused = refused
        measuresFlushed = registry.makeCounter(
            descriptor: name("measures_flushed", "Measures the statsd listener stored."))
        flushFailures = registry.makeCounter(
            descriptor: name("flush_failures", "statsd flushes that could not be stored."))
    }

    func count(_ lineCounts: StatsdLineCounts) {
        datagrams.increment()
        lines.increment(by: Int64(lineCounts.lines))
        for (reason, count) in lineCounts.refused { refused[reason]?.increment(by: Int64(count)) }
    }
}
