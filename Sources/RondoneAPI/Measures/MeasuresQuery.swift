import RondoneJSON
import RondoneTimeSeries

/// The query of `GET /v1/metric/<id>/measures`, validated as Gnocchi 4.7's
/// `get_measures` does, in its order: `resample` (needs `granularity`; a calendar
/// letter `Y`, `H`, `Q`, `M`, `W` or a timespan), then `start`, `stop`, `granularity`
/// (`validate_qs`), then `aggregation` against the metric's policy, then each
/// granularity. Other arguments (`fill`, …) are ignored, as there.
struct MeasuresQuery {
    var start: Timestamp?
    var stop: Timestamp?
    var aggregation: Aggregation
    /// The series to read, coarsest first.
    var granularities: [TimeDelta]
    var resample: Sampling?
    var refresh: Bool

    /// A read decided elsewhere (`/v1/aggregation/metric` with one metric).
    init(
        start: Timestamp?, stop: Timestamp?, aggregation: Aggregation, granularities: [TimeDelta],
        resample: Sampling?, refresh: Bool
    ) {
        self.start = start
        self.stop = stop
        self.aggregation = aggregation
        self.granularities = granularities.sorted(by: >)
        self.resample = resample
        self.refresh = refresh
    }

    init(query: [(name: String, value: String)], metric: MetricID, policy: ArchivePolicy, now: Timestamp)
        throws(APIError)
    {
        func last(_ name: String) -> String? { query.last { $0.name == name }?.value }
        let granularityText = last("granularity")
        if let text = last("resample"), !text.isEmpty {
            guard let granularityText, !granularityText.isEmpty else {
                throw .badRequest("A granularity must be specified to resample")
            }
            resample = try Self.sampling(text)
        }
        start = try Self.timestamp(last("start"), "start", now: now)
        stop = try Self.timestamp(last("stop"), "stop", now: now)
        if let granularityText {
            do throws(TimespanError) {
                granularities = [try TimeDelta.parseTimespan(granularityText)]
            } catch {
                throw Self.argumentError("granularity", error.message)
            }
        } else {
            granularities = policy.definition.map(\.granularity)
        }
        granularities.sort(by: >)
        let name = last("aggregation") ?? "mean"
        guard let aggregation = Aggregation(name: name), policy.aggregationMethods.contains(aggregation)
        else {
            throw Self.noSuchAggregation(metric: metric, name: name)
        }
        self.aggregation = aggregation
        for granularity in granularities
        where !policy.definition.contains(where: { $0.granularity == granularity }) {
            throw .notFound(
                "Aggregation method '\(name)' at granularity '\(JSONValue.pythonRepr(granularity.seconds))' "
                    + "for metric \(metric) does not exist")
        }
        refresh =
            try last("refresh").map { text throws(APIError) in try QueryBoolean.parse("refresh", text) }
            ?? false
    }

    /// A `resample` argument as Gnocchi reads it: a calendar grouping, else a timespan
    /// (400 with `to_timespan`'s message).
    static func sampling(_ text: String) throws(APIError) -> Sampling {
        do throws(TimespanError) {
            return try Sampling.parse(text)
        } catch {
            throw .badRequest(error.message)
        }
    }

    /// The range to read at `granularity`: the query's, or with `resample` whole splits
    /// around it (Gnocchi resamples the splits it read, then cuts), starting early
    /// enough for the calendar period holding `start` to be complete.
    func readRange(at granularity: TimeDelta) -> (from: Timestamp?, to: Timestamp?) {
        guard let resample else { return (start, stop) }
        let from = start.map { start in
            let periodStart = resample.calendar.map { $0.periodStart(start.nanoseconds) }
            let first = Timestamp(nanoseconds: periodStart ?? start.nanoseconds)
            return SplitKey(containing: first, granularity: granularity).timestamp
        }
        let to = stop.map { SplitKey(containing: $0, granularity: granularity).next.timestamp }
        return (from, to)
    }

    /// The series read at `granularity` as the answer shows it: resampled if asked and
    /// cut to the periods from the one holding `start` to those starting before `stop`
    /// (Gnocchi's `fetch`), with the granularity it is shown with.
    func shown(_ series: Series, readAt granularity: TimeDelta) -> (granularity: Sampling, points: Series) {
        guard let resample else { return (.timespan(granularity), series) }
        let points = RondoneTimeSeries.resample(series, to: resample, aggregation: aggregation)
        let lower = start.map { points.lowerBound(resample.periodStart($0.nanoseconds)) } ?? 0
        let upper = stop.map { points.lowerBound($0.nanoseconds) } ?? points.count
        return (resample, lower < upper ? points.slice(lower..<upper) : Series())
    }

    /// 404 for a method the metric's policy does not keep.
    static func noSuchAggregation(metric: MetricID, name: String) -> APIError {
        APIError(
            .notFound,
            .json(
                .object([
                    ("cause", .string("Aggregation method does not exist for this metric")),
                    (
                        "detail",
                        .object([
                            ("metric", .string(metric.description)), ("aggregation_method", .string(name)),
                        ])
                    ),
                ])))
    }

    static func timestamp(_ text: String?, _ name: String, now: Timestamp) throws(APIError) -> Timestamp? {
        guard let text else { return nil }
        do throws(TimestampError) {
            return try Timestamp.parse(text, now: now)
        } catch {
            throw argumentError(name, "Must be a datetime or a timestamp")
        }
    }

    static func argumentError(_ name: String, _ reason: String) -> APIError {
        APIError(
            .badRequest,
            .json(
                .object([
                    ("cause", .string("Argument value error")), ("detail", .string(name)),
                    ("reason", .string(reason)),
                ])))
    }
}

/// Writes a measures read as Gnocchi answers it: `[[timestamp, granularity, value], …]`
/// with whole-second UTC timestamps, the granularity in seconds as a float (or the
/// letter of a calendar resampling, `"M"`) and Python's float spelling of values.
enum MeasuresRendering {
    static func render(sampled series: [(granularity: Sampling, points: Series)]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(2 + series.reduce(0) { $0 + $1.points.count * 48 })
        var first = true
        for (granularity, points) in series {
            let granularityText: [UInt8]
            switch granularity {
            case .timespan(let length): granularityText = Array(JSONValue.pythonRepr(length.seconds).utf8)
            case .calendar(let grouping): granularityText = Array("\"\(grouping.letter)\"".utf8)
            }
            for index in 0..<points.count {
                if !first { out.append(contentsOf: ", ".utf8) }
                first = false
                out.append(contentsOf: "[\"".utf8)
                Timestamp(nanoseconds: points.timestamps[index]).format(into: &out, style: .measure)
                out.append(contentsOf: "\", ".utf8)
                out.append(contentsOf: granularityText)
                out.append(contentsOf: ", ".utf8)
                out.append(contentsOf: JSONValue.pythonRepr(points.values[index]).utf8)
                out.append(UInt8(ascii: "]"))
            }
        }
        out.append(UInt8(ascii: "]"))
        return out
    }
}
