import RondoneStorage
import RondoneTimeSeries

/// A query over several metrics: which series to read (Gnocchi 4.7's
/// `processor.get_measures`) and how to align, fill and evaluate them (`aggregated`).
///
/// It reads through a closure (``SeriesReader`` in the server, anything in tests), so it
/// knows nothing of HTTP or of the stores.
public struct CrossMetricQuery: Sendable {
    /// Most references a request may name (each is read at every granularity): the API
    /// refuses more before any lookup. The resource mode is bounded by the index instead
    /// (one reference per matching metric), as Gnocchi is.
    public static let maxReferences = 1000

    public var references: [ResolvedReference]
    public var operation: Operation
    public var start: Timestamp?
    public var stop: Timestamp?
    /// Nil: every granularity all references have in common.
    public var granularities: [TimeDelta]?
    /// Percentage of time stamps where every series must have a point (with no `fill`).
    public var neededOverlap: Double
    public var fill: FillMode?

    public init(
        references: [ResolvedReference], operation: Operation, start: Timestamp? = nil,
        stop: Timestamp? = nil,
        granularities: [TimeDelta]? = nil, neededOverlap: Double = 100, fill: FillMode? = nil
    ) {
        self.references = references
        self.operation = operation
        self.start = start
        self.stop = stop
        self.granularities = granularities
        self.neededOverlap = neededOverlap
        self.fill = fill
    }

    /// The granularities to read, checked as Gnocchi checks them: in common to all
    /// references when none is given (`No granularity match`), then each reference's
    /// method (`aggregationDoesNotExist`) and granularities (`Granularities are missing`).
    public func plannedGranularities() throws(QueryError) -> [TimeDelta] {
        let granularities: [TimeDelta]
        if let given = self.granularities {
            granularities = given
        } else {
            granularities = try commonGranularities()
        }
        var missing: [[QueryError.DetailItem]] = []
        for reference in references {
            let policy = reference.policy
            guard let aggregation = Aggregation(name: reference.key.aggregation),
                policy.aggregationMethods.contains(aggregation)
            else {
                throw .aggregationDoesNotExist(
                    metric: reference.metric, method: reference.key.aggregation,
                    granularity: policy.definition.first?.granularity ?? .zero)
            }
            let available = Set(policy.definition.map(\.granularity))
            if let absent = granularities.first(where: { !available.contains($0) }) {
                let key = reference.displayKey
                missing.append([.text(key.name), .text(key.aggregation), .seconds(absent.seconds)])
            }
        }
        if !missing.isEmpty { throw .unaggregable(detail: missing, reason: "Granularities are missing") }
        return granularities
    }

    /// The granularities every reference's policy has, in the order they first appear
    /// (Gnocchi counts them with a `Counter`), or `No granularity match`.
    public func commonGranularities() throws(QueryError) -> [TimeDelta] {
        var granularities: [TimeDelta] = []
        var counts: [TimeDelta: Int] = [:]
        for reference in references {
            for item in reference.policy.definition {
                if counts[item.granularity] == nil { granularities.append(item.granularity) }
                counts[item.granularity, default: 0] += 1
            }
        }
        granularities = granularities.filter { counts[$0] == references.count }
        if granularities.isEmpty {
            throw .unaggregable(
                detail: QueryError.detail(references.map(\.displayKey)), reason: "No granularity match")
        }
        return granularities
    }

    /// Reads every series with `read`, concurrently (``SeriesReader/concurrentReads`` at
    /// a time; results and errors as if read one by one), and evaluates the operations.
    public func run(reading read: @escaping @Sendable (SeriesRequest) async throws -> Series) async throws
        -> QueryResult
    {
        let granularities = try plannedGranularities().sorted(by: >)
        var requests: [SeriesRequest] = []
        requests.reserveCapacity(granularities.count * references.count)
        for granularity in granularities {
            for reference in references {
                // plannedGranularities() checked the name.
                let aggregation = Aggregation(name: reference.key.aggregation)!
                requests.append(
                    SeriesRequest(
                        metric: reference.metric, policy: reference.policy, aggregation: aggregation,
                        granularity: granularity, from: start, to: stop))
            }
        }
        let series = try await OrderedConcurrentMap.run(requests, width: SeriesReader.concurrentReads, read)
        let frames = granularities.enumerated().map { index, granularity in
            let first = index * references.count
            return (granularity, Array(series[first..<first + references.count]))
        }
        return try evaluate(frames)
    }

    /// Reads every series with `reader` and evaluates the operations.
    public func run(reader: SeriesReader) async throws -> QueryResult {
        try await run(reading: { try await reader.read($0) })
    }

    /// Gnocchi's `aggregated`: per granularity (coarsest first) the series on one time
    /// axis, filled or checked for overlap, then the operations.
    public func evaluate(_ frames: [(TimeDelta, [Series])]) throws(QueryError) -> QueryResult {
        let keys = references.map(\.key)
        let evaluator = Evaluator(references: keys)
        var results: [(TimeDelta, Frame)] = []
        var isAggregated = false
        for (granularity, series) in frames {
            let filler: Double
            if case .value(let number) = fill { filler = number } else { filler = .nan }
            var frame = Frame(granularity: granularity.nanoseconds, series: series, filler: filler)
            switch fill {
            case .forward: frame.forwardFill()
            case .backward: frame.backwardFill()
            case .fullForward:
                frame.forwardFill()
                frame.backwardFill()
            case .fullBackward:
                frame.backwardFill()
                frame.forwardFill()
            case nil: try checkOverlap(&frame, keys: keys)
            default: break
            }
            let result = try evaluator.evaluate(operation, over: frame)
            // Gnocchi keeps the flag of the last granularity evaluated.
            isAggregated = result.isAggregated
            results.append((TimeDelta(nanoseconds: result.frame.granularity), result.frame))
        }
        let dropsNaN = fill?.dropsNaN ?? false
        func output(_ frame: Frame, column: Int, granularity: TimeDelta) -> GranularSeries {
            var points = Series()
            guard column < frame.columns.count else {
                return GranularSeries(granularity: granularity, points: points, calendar: frame.calendar)
            }
            points.reserveCapacity(frame.rowCount)
            for (timestamp, value) in zip(frame.timestamps, frame.columns[column])
            where !dropsNaN || value.isFinite {
                points.append(timestamp, value)
            }
            return GranularSeries(granularity: granularity, points: points, calendar: frame.calendar)
        }
        if isAggregated {
            return .aggregated(results.map { output($1, column: 0, granularity: $0) })
        }
        func add(
            _ entry: (String, [GranularSeries]), named name: String, to list: inout [QueryResult.PerReference]
        ) {
            if let group = list.firstIndex(where: { $0.name == name }) {
                list[group].aggregations.append(entry)
            } else {
                list.append((name, [entry]))
            }
        }
        var grouped: [QueryResult.PerReference] = []
        var byResource: [(resource: String, metrics: [QueryResult.PerReference])] = []
        var positions: [String: Int] = [:]
        for (index, reference) in references.enumerated() {
            let entry = (
                reference.key.aggregation, results.map { output($1, column: index, granularity: $0) }
            )
            guard let place = reference.resource else {
                add(entry, named: reference.key.name, to: &grouped)
                continue
            }
            if let position = positions[place.resourceID] {
                add(entry, named: place.metricName, to: &byResource[position].metrics)
            } else {
                positions[place.resourceID] = byResource.count
                byResource.append((place.resourceID, [(place.metricName, [entry])]))
            }
        }
        return byResource.isEmpty ? .perReference(grouped) : .perResource(byResource)
    }

    /// With no `fill`: every series must have a point at `neededOverlap` percent of the
    /// time stamps; without `start` / `stop`, the axis is first cut to the first / last
    /// time stamp where all series have a point.
    func checkOverlap(_ frame: inout Frame, keys: [ReferenceKey]) throws(QueryError) {
        let complete = (0..<frame.rowCount).filter { frame.isComplete(row: $0) }
        if complete.isEmpty && neededOverlap > 0 {
            throw .unaggregable(detail: QueryError.detail(keys), reason: "No overlap")
        }
        guard frame.rowCount > 0 else { return }
        if let first = complete.first, let last = complete.last {
            let lower = start == nil ? first : 0
            let upper = stop == nil ? last + 1 : frame.rowCount
            frame.keepRows(lower..<upper)
        }
        let percent = Double(complete.count) * 100 / Double(frame.rowCount)
        if percent < neededOverlap {
            throw .unaggregable(
                detail: QueryError.detail(keys),
                reason: "Less than \(formatFixed(neededOverlap, decimals: 6))% of datapoints overlap in this "
                    + "timespan (\(formatFixed(percent, decimals: 2))%)")
        }
    }
}

/// Python's `'%.Nf' % value` for the values overlap messages print.
func formatFixed(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : value < 0 ? "-inf" : "inf" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (value.magnitude * scale).rounded(.toNearestOrEven)
    guard scaled < 9e18 else { return value.description }
    let digits = String(UInt64(scaled))
    let padded = String(repeating: "0", count: max(0, decimals + 1 - digits.count)) + digits
    let integer = padded.dropLast(decimals)
    let fraction = padded.suffix(decimals)
    return (value < 0 ? "-" : "") + integer + (decimals > 0 ? "." + fraction : "")
}
