/// Evaluates PromQL with Prometheus 2's semantics over any ``PromQLStorage``: instant
/// queries at one time, range queries at `start`, `start + step`, … `end`.
///
/// * An instant vector selector takes, at each step, the latest sample at most
///   ``lookback`` (5 minutes) old, `offset` and `@` applied: `[t - lookback, t]`.
/// * A range `[r]` takes the samples in `[t - r, t]` (both ends included, as Prometheus 2).
/// * `rate`, `increase` and `delta` extrapolate to the range's ends as Prometheus does
///   (counter resets added back; no extrapolation below zero for counters).
/// * Subqueries evaluate their expression at multiples of their step.
///
/// Every step is evaluated together, node by node, so a range query reads each selected
/// series once.
public struct PromQLEngine: Sendable {
    public let storage: any PromQLStorage
    /// Milliseconds an instant selector looks back for a sample.
    public var lookback: Int64 = 300_000
    /// Most samples a query may hold at once (Prometheus's `--query.max-samples`).
    public var maxSamples = 50_000_000

    public init(storage: any PromQLStorage) {
        self.storage = storage
    }

    /// The value of `query` at `time` (milliseconds).
    public func instant(_ query: String, at time: Int64) async throws -> PromQLResult {
        let expression = try PromQLParser.parse(query)
        let context = Steps(start: time, end: time, step: 1)
        let value = try await evaluate(expression, context)
        switch value {
        case .scalar(let values): return .scalar(time: time, value: values[0])
        case .string(let text): return .string(time: time, value: text)
        case .vector(let series):
            var out: [PromQLSeries] = []
            for element in series {
                if let value = element.values[0] {
                    out.append(PromQLSeries(labels: element.labels, samples: [PromQLSample(time, value)]))
                }
            }
            return .vector(time: time, Self.ordered(out, by: expression))
        case .matrix(let matrix):
            return .matrix(
                matrix.series.compactMap { series in
                    let reference = matrix.reference(time)
                    let window = series.window(from: reference - matrix.range, through: reference)
                    return window.isEmpty ? nil : PromQLSeries(labels: series.labels, samples: Array(window))
                })
        }
    }

    /// The values of `query` at every step from `start` through `end` (milliseconds).
    public func range(_ query: String, start: Int64, end: Int64, step: Int64) async throws -> PromQLResult {
        guard step > 0 else {
            throw PromQLError.execution("zero or negative query resolution step widths are not accepted")
        }
        guard end >= start else { throw PromQLError.execution("end timestamp must not be before start time") }
        guard (end - start) / step < Int64(maxSamples) else {
            throw PromQLError.execution("query processing would load too many samples into memory")
        }
        let expression = try PromQLParser.parse(query)
        guard expression.type == .scalar || expression.type == .vector else {
            throw PromQLError.parse(
                at: 0,
                "invalid expression type \"\(expression.type.rawValue)\" for range query, must be Scalar or instant Vector"
            )
        }
        let context = Steps(start: start, end: end, step: step)
        switch try await evaluate(expression, context) {
        case .scalar(let values):
            let samples = zip(context.times, values).map { PromQLSample($0, $1) }
            return .matrix([PromQLSeries(labels: PromQLLabels([PromQLLabel]()), samples: samples)])
        case .vector(let series):
            return .matrix(
                series.compactMap { element in
                    let samples = zip(context.times, element.values).compactMap { time, value in
                        value.map { PromQLSample(time, $0) }
                    }
                    return samples.isEmpty ? nil : PromQLSeries(labels: element.labels, samples: samples)
                }.sorted { $0.labels < $1.labels })
        default:
            throw PromQLError.execution("a range query must be a scalar or an instant vector")
        }
    }

    /// `sort` and `sort_desc` order an instant result; anything else is by labels.
    static func ordered(_ series: [PromQLSeries], by expression: PromQLExpression) -> [PromQLSeries] {
        var inner = expression
        while case .parenthesized(let next) = inner { inner = next }
        if case .call(let function, _) = inner, function.name == "sort" || function.name == "sort_desc" {
            let descending = function.name == "sort_desc"
            return series.sorted { a, b in
                let (x, y) = (a.samples[0].value, b.samples[0].value)
                if x.isNaN { return false }
                if y.isNaN { return true }
                return descending ? x > y : x < y
            }
        }
        if case .aggregate(let aggregation) = inner, aggregation.op == .topk || aggregation.op == .bottomk {
            return ranked(series, aggregation)
        }
        return series.sorted { $0.labels < $1.labels }
    }

    /// An instant `topk`/`bottomk`: groups in the order of their labels, each group's
    /// series by value (largest first for `topk`, smallest first for `bottomk`; NaN last).
    static func ranked(_ series: [PromQLSeries], _ aggregation: PromQLAggregation) -> [PromQLSeries] {
        func group(_ labels: PromQLLabels) -> PromQLLabels {
            guard let grouping = aggregation.grouping else { return PromQLLabels([PromQLLabel]()) }
            return grouping.without
                ? labels.removing(Set(grouping.labels).union(PromQLLabels.nameLabels))
                : labels.keeping(Set(grouping.labels))
        }
        let descending = aggregation.op == .topk
        return series.map { (group($0.labels), $0) }.sorted { a, b in
            if a.0 != b.0 { return a.0 < b.0 }
            let (x, y) = (a.1.samples[0].value, b.1.samples[0].value)
            if x.isNaN != y.isNaN { return y.isNaN }
            if x != y, !x.isNaN { return descending ? x > y : x < y }
            return a.1.labels < b.1.labels
        }.map(\.1)
    }
}

/// The evaluation times of a query.
struct Steps: Sendable {
    let start: Int64
    let end: Int64
    let step: Int64
    let times: [Int64]

    init(start: Int64, end: Int64, step: Int64) {
        self.start = start
        self.end = end
        self.step = step
        times = Array(stride(from: start, through: end, by: Int(step)))
    }

    var count: Int { times.count }

    /// The step a storage is told of: 0 for a single evaluation.
    var hintStep: Int64 { times.count > 1 ? step : 0 }
}

/// A node's value at every step.
enum StepValue {
    case scalar([Double])
    case string(String)
    case vector([StepSeries])
    case matrix(StepMatrix)
}

/// A series of an instant vector: its value at each step, nil where absent.
struct StepSeries {
    var labels: PromQLLabels
    var values: [Double?]
}

/// A range vector: whole series, and how to find each step's window in them.
struct StepMatrix {
    var series: [PromQLSeries]
    var range: Int64
    var offset: Int64
    /// A fixed evaluation time (`@`).
    var at: Int64?

    /// The end of the window at step time `time`.
    func reference(_ time: Int64) -> Int64 { (at ?? time) - offset }
}
