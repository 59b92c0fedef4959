import RondoneIndexer
import RondoneJSON
import RondoneQuery
import RondoneTimeSeries

/// `/v1/aggregates?groupby=…&use_history=true` as Gnocchi 4.7's `Grouper` computes it:
/// every revision of the matching resources is grouped by the values it had, and each
/// revision contributes the measures of its own time window — from the query's `start`
/// for a resource's first revision (from its `revision_start` for later ones) to its
/// `revision_end` (or `stop`). A point whose period straddles a window's edge is scaled
/// by the share of the period inside the window, and the points of one group falling on
/// the same time are summed. The operations must aggregate (a `{"aggregated": …}`).
struct AggregatesHistory {
    let mode: AggregatesResourceMode
    let groupby: [String]

    /// A revision with the window its measures are read in.
    private struct Window {
        var revision: Resource
        var start: Timestamp?
        var end: Timestamp?
    }

    /// One point of a group, with the window it was read in.
    private struct Point {
        var time: Int64
        var granularity: Sampling
        var value: Double
    }

    /// The answer's JSON: `[{"measures": {"measures": {"aggregated": […]}, "references": …}, "group": {…}}]`,
    /// groups without points left out; empty when no group has any.
    func groups(type: String, filter: ResourceFilter?, sorts: [ResourceSort]) async throws -> [UInt8] {
        let start = mode.arguments.start
        let stop = mode.arguments.stop
        var condition = filter
        if let start, let stop {
            // Only revisions that overlap the period.
            let period = ResourceFilter.and([
                .compare(attribute: "revision_start", .lt, .string(stop.formatted(.datetime))),
                .or([
                    .compare(attribute: "revision_end", .ge, .string(start.formatted(.datetime))),
                    .compare(attribute: "revision_end", .eq, .null),
                ]),
            ])
            condition = ResourceFilter.all(period, filter)
        }
        let revisions = try await mode.context.indexer.resources(
            ResourceQuery(type: type, history: true, filter: condition, sorts: sorts))
        var out: [UInt8] = Array("[".utf8)
        var any = false
        for (key, windows) in grouped(windows(revisions, start: start, stop: stop)) {
            var points: [Point] = []
            var references: [Resource] = []
            for window in joined(windows) {
                let answer: (result: QueryResult, resources: [Resource])
                do {
                    answer = try await mode.query([window.revision], start: window.start, stop: window.end)
                } catch is AggregatesResourceMode.NoMetric {
                    continue
                }
                guard case .aggregated(let series) = answer.result else {
                    throw APIError.badRequest("Operations must aggregate the metrics when use_history is set")
                }
                references = answer.resources
                for granular in series {
                    for index in 0..<granular.points.count {
                        let time = granular.points.timestamps[index]
                        // The share of the period [time, end) inside the window (calendar
                        // periods after `resample … M` differ in length).
                        let end = granular.sampling.periodEnd(ofPeriodStartingAt: time) ?? .max
                        let lower = max(window.start?.nanoseconds ?? time, time)
                        let upper = min(window.end?.nanoseconds ?? end, end)
                        let share = (Double(upper) - Double(lower)) / (Double(end) - Double(time))
                        points.append(
                            Point(
                                time: time, granularity: granular.sampling,
                                value: granular.points.values[index] * share))
                    }
                }
            }
            // Consecutive points at the same time are summed (the last one is kept).
            var summed: [Point] = []
            for point in points {
                if let last = summed.last, last.time == point.time {
                    summed[summed.count - 1] = Point(
                        time: point.time, granularity: point.granularity, value: point.value + last.value)
                } else {
                    summed.append(point)
                }
            }
            guard !summed.isEmpty else { continue }
            if any { out += Array(", ".utf8) }
            any = true
            out += Array(#"{"measures": {"measures": {"aggregated": "#.utf8)
            out += MeasuresRendering.render(
                sampled: summed.map { point in
                    var one = Series()
                    one.append(point.time, point.value)
                    return (point.granularity, one)
                })
            out += Array("}".utf8)
            if mode.details {
                out += Array(#", "references": "#.utf8)
                JSONValue.array(references.map { ResourceJSON.render($0) }).write(into: &out)
            }
            out += Array(#"}, "group": "#.utf8)
            JSONValue.object(key).write(into: &out)
            out += Array("}".utf8)
        }
        return any ? out + Array("]".utf8) : []
    }

    /// Each revision's window: revisions of one resource in order of `revision_start`,
    /// the first opened at `start`, the others at their `revision_start` (not before
    /// `start`), all closed at their `revision_end` (not after `stop`).
    private func windows(_ revisions: [Resource], start: Timestamp?, stop: Timestamp?) -> [Window] {
        let ordered = revisions.sorted {
            ($0.originalResourceID, $0.revisionStart) < ($1.originalResourceID, $1.revisionStart)
        }
        var windows: [Window] = []
        var previous: String?
        for revision in ordered {
            let first = revision.originalResourceID != previous
            previous = revision.originalResourceID
            var window = Window(revision: revision, start: revision.revisionStart, end: revision.revisionEnd)
            if first {
                window.start = start
            } else if let start {
                window.start = max(revision.revisionStart, start)
            }
            if let stop { window.end = window.end.map { min($0, stop) } ?? stop }
            windows.append(window)
        }
        return windows
    }

    /// Windows grouped by the values of `groupby` their revision had (sorted by their
    /// text, as Gnocchi sorts them before grouping consecutive equal keys).
    private func grouped(_ windows: [Window]) -> [([(String, JSONValue)], [Window])] {
        let keyed = windows.map { (AggregatesResourceMode.groupKey($0.revision, groupby), $0) }
        let sorted = keyed.sorted { left, right in
            left.0.map { sortText($0.1) }.lexicographicallyPrecedes(right.0.map { sortText($0.1) })
        }
        var groups: [([(String, JSONValue)], [Window])] = []
        for (key, window) in sorted {
            if let last = groups.last, JSONValue.object(last.0) == JSONValue.object(key) {
                groups[groups.count - 1].1.append(window)
            } else {
                groups.append((key, [window]))
            }
        }
        return groups
    }

    /// `str(value or '')` of a group value.
    private func sortText(_ value: JSONValue) -> String {
        switch value {
        case .null: ""
        case .string(let text): text
        default: value.text
        }
    }

    /// Gnocchi's `join_sequential_groups`: windows in order of start; one starting
    /// where the previous started extends it instead.
    private func joined(_ windows: [Window]) -> [Window] {
        let ordered = windows.sorted { ($0.start?.nanoseconds ?? .min) < ($1.start?.nanoseconds ?? .min) }
        var joined: [Window] = []
        for window in ordered {
            if let last = joined.last, last.start == window.start {
                joined[joined.count - 1].end = window.end
                continue
            }
            joined.append(window)
        }
        return joined
    }
}
