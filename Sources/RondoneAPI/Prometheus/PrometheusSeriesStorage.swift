import RondonePromQL
import RondoneQuery
import RondoneTimeSeries

/// The stored aggregates as PromQL reads them: the catalog picks the series, each is
/// read at one granularity of its policy, and a point's time is its bucket's start.
///
/// The granularity is chosen per selection (docs/PROMQL.md): the policy's granularities
/// whose timespan still reaches back to the window's start "cover" it; among them the
/// coarsest that is no coarser than the resolution wanted, else the finest; when none
/// covers the window, the one that reaches furthest back. The resolution wanted is the
/// query's step for an instant selector (0 for an instant query: the finest), and for a
/// range selector a quarter of its range (so `rate` sees several points) and at most the
/// step.
struct PrometheusSeriesStorage: PromQLStorage {
    let catalog: PrometheusSeriesCatalog
    let reader: SeriesReader
    /// "Now" of the request, in nanoseconds, against which timespans are measured.
    let now: Int64
    /// Most series one selector may select.
    let maxSeries: Int

    func select(_ matchers: [PromQLMatcher], start: Int64, end: Int64, hints: PromQLSelectHints) async throws
        -> [PromQLSeries]
    {
        let selected = try catalog.select(matchers)
        guard selected.count <= maxSeries else {
            throw PromQLError.execution(
                "the selector selects \(selected.count) series, more than the \(maxSeries) a query may read")
        }
        guard !selected.isEmpty, end >= start else { return [] }
        var wanted = hints.step
        if hints.isRange { wanted = hints.step > 0 ? min(hints.step, hints.range / 4) : hints.range / 4 }
        let (from, to) = (
            start.multipliedReportingOverflow(by: 1_000_000), end.multipliedReportingOverflow(by: 1_000_000)
        )
        let first = from.overflow ? (start < 0 ? Int64.min : Int64.max) : from.partialValue
        let last = to.overflow ? (end < 0 ? Int64.min : Int64.max) : to.partialValue
        // Each request beside the series it is for, so the answers pair with their labels.
        let readable = selected.compactMap { series in Aggregation(name: series.method).map { (series, $0) } }
        var requests: [SeriesRequest] = []
        requests.reserveCapacity(readable.count)
        for (series, aggregation) in readable {
            let granularity = Self.granularity(
                of: series.entry.policy, wanted: min(wanted, Int64.max / 1_000_000) * 1_000_000,
                windowStart: first, now: now)
            requests.append(
                SeriesRequest(
                    metric: series.entry.metric.id, policy: series.entry.policy, aggregation: aggregation,
                    granularity: granularity, from: Timestamp(nanoseconds: first),
                    to: Timestamp(nanoseconds: last == Int64.max ? last : last + 1)))
        }
        let read = try await reader.read(requests)
        var result: [PromQLSeries] = []
        result.reserveCapacity(read.count)
        for ((series, _), points) in zip(readable, read) {
            var samples: [PromQLSample] = []
            samples.reserveCapacity(points.count)
            for index in 0..<points.count {
                let time = points.timestamps[index]
                // The reader returns the bucket that began before `from` too.
                guard time >= first else { continue }
                samples.append(PromQLSample(time / 1_000_000, points.values[index]))
            }
            if !samples.isEmpty { result.append(PromQLSeries(labels: series.labels, samples: samples)) }
        }
        return result
    }

    /// The granularity to read (nanoseconds in, the policy's item out).
    static func granularity(of policy: ArchivePolicy, wanted: Int64, windowStart: Int64, now: Int64)
        -> TimeDelta
    {
        let items = policy.definition.sorted { $0.granularity < $1.granularity }
        func covers(_ item: ArchivePolicyItem) -> Bool {
            guard let timespan = item.timespan else { return true }
            return now &- timespan.nanoseconds <= windowStart
        }
        let covering = items.filter(covers)
        if let coarsest = covering.last(where: { $0.granularity.nanoseconds <= wanted }) {
            return coarsest.granularity
        }
        if let finest = covering.first { return finest.granularity }
        let furthest = items.max { ($0.timespan?.nanoseconds ?? .max) < ($1.timespan?.nanoseconds ?? .max) }
        return (furthest ?? items[0]).granularity
    }
}
