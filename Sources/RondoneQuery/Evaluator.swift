import RondoneTimeSeries

/// Evaluates an ``Operation`` over the ``Frame`` of one granularity, as Gnocchi 4.7's
/// `operations.evaluate` does.
///
/// `references` names the frame's columns; `metric` nodes select columns by it. The
/// result says whether the values were combined across series (`isAggregated`: an
/// `aggregate`, or a binary operation between two series), which decides between
/// Gnocchi's `aggregated` output and the per-reference one.
public struct Evaluator: Sendable {
    public let references: [ReferenceKey]

    public init(references: [ReferenceKey]) {
        self.references = references
    }

    /// A value during evaluation: a constant or series on a time axis.
    public enum Value: Sendable, Equatable {
        case number(Double)
        case frame(Frame)
    }

    public struct Result: Sendable, Equatable {
        public var frame: Frame
        public var isAggregated: Bool
    }

    /// The evaluation of `operation` over `frame`.
    public func evaluate(_ operation: Operation, over frame: Frame) throws(QueryError) -> Result {
        let (value, isAggregated) = try evaluate(operation, frame)
        guard case .frame(let result) = value else {
            throw .invalidOperation("The operations evaluate to a number, not to series")
        }
        return Result(frame: result, isAggregated: isAggregated)
    }

    func evaluate(_ operation: Operation, _ initial: Frame) throws(QueryError) -> (Value, Bool) {
        switch operation {
        case .number(let value):
            return (.number(value), false)
        case .metric(let keys, _):
            var selected = Frame(
                granularity: initial.granularity, calendar: initial.calendar, timestamps: initial.timestamps,
                columns: [])
            let wanted = Set(keys)
            for (index, reference) in references.enumerated() where wanted.contains(reference) {
                selected.columns.append(initial.columns[index])
            }
            return (.frame(selected), false)
        case .unary(let op, let operand):
            let (value, aggregated) = try evaluate(operand, initial)
            return (op.apply(to: value), aggregated)
        case .binary(let op, let leftOperation, let rightOperation):
            let (left, leftAggregated) = try evaluate(leftOperation, initial)
            let (right, rightAggregated) = try evaluate(rightOperation, initial)
            let (value, bothSeries) = try combine(
                [left, right], operations: [leftOperation, rightOperation]
            ) { values in op.apply(values[0], values[1]) }
            return (value, leftAggregated || rightAggregated || bothSeries)
        case .clip(let valueOperation, let lowOperation, let highOperation):
            var operations = [valueOperation, lowOperation]
            if let highOperation { operations.append(highOperation) }
            var values: [Value] = []
            var aggregated = false
            for operation in operations {
                let (value, isAggregated) = try evaluate(operation, initial)
                values.append(value)
                aggregated = aggregated || isAggregated
            }
            let (value, combined) = try combine(values, operations: operations) { operands in
                Self.clip(operands[0], low: operands[1], high: operands.count > 2 ? operands[2] : nil)
            }
            return (value, aggregated || combined)
        case .aggregate(let method, let operand):
            let frame = try series(evaluate(operand, initial).0, for: "aggregate")
            return (.frame(method.across(frame)), true)
        case .rolling(let method, let window, let operand):
            let (value, aggregated) = try evaluate(operand, initial)
            let frame = try series(value, for: "rolling")
            guard window <= frame.rowCount else {
                throw .unaggregable(
                    detail: QueryError.detail(references),
                    reason: "Rolling window '\(window)' is greater than serie length '\(frame.rowCount)'")
            }
            return (.frame(method.rolling(frame, window: window)), aggregated)
        case .resample(let aggregation, let sampling, let operand):
            let (value, aggregated) = try evaluate(operand, initial)
            let frame = try series(value, for: "resample")
            return (.frame(try Self.resample(frame, to: sampling, aggregation: aggregation)), aggregated)
        }
    }

    func series(_ value: Value, for name: String) throws(QueryError) -> Frame {
        guard case .frame(let frame) = value else {
            throw .invalidOperation("'\(name)' needs series, not a number")
        }
        return frame
    }

    /// Applies `body` element-wise over operands that are series or numbers, with
    /// numpy's broadcasting: series must share the time axis, and each must have the
    /// same number of columns or a single one. Also says whether two or more operands
    /// were series (which makes the result an aggregate).
    func combine(
        _ values: [Value], operations: [Operation], _ body: ([Double]) -> Double
    ) throws(QueryError) -> (Value, Bool) {
        let frames = values.compactMap { value -> Frame? in
            if case .frame(let frame) = value { return frame }
            return nil
        }
        guard let first = frames.first else {
            let numbers = values.map { value -> Double in
                if case .number(let number) = value { return number }
                return .nan
            }
            return (.number(body(numbers)), false)
        }
        for frame in frames.dropFirst()
        where frame.timestamps != first.timestamps || frame.granularity != first.granularity
            || frame.calendar != first.calendar
        {
            throw .unaggregable(
                detail: QueryError.detail(references),
                reason: "Can't compute timeseries with different granularity "
                    + operations.map(\.pythonRepr).joined(separator: " <> "))
        }
        let width = frames.map(\.columns.count).max() ?? 0
        guard frames.allSatisfy({ $0.columns.count == width || $0.columns.count == 1 }) else {
            throw .invalidOperation(
                "operands could not be broadcast together: "
                    + frames.map { "\($0.columns.count) series" }.joined(separator: ", "))
        }
        var result = Frame(
            granularity: first.granularity, calendar: first.calendar, timestamps: first.timestamps,
            columns: [])
        var operands = [Double](repeating: 0, count: values.count)
        for column in 0..<width {
            var output = [Double](repeating: 0, count: first.rowCount)
            for row in 0..<first.rowCount {
                for (index, value) in values.enumerated() {
                    switch value {
                    case .number(let number): operands[index] = number
                    case .frame(let frame):
                        operands[index] = frame.columns[frame.columns.count == 1 ? 0 : column][row]
                    }
                }
                output[row] = body(operands)
            }
            result.columns.append(output)
        }
        return (.frame(result), frames.count >= 2)
    }

    /// numpy's `clip`: `min(max(x, low), high)` where NaN in any operand gives NaN;
    /// no `high` means no upper bound.
    static func clip(_ value: Double, low: Double, high: Double?) -> Double {
        if value.isNaN || low.isNaN || high?.isNaN == true { return .nan }
        var result = value < low ? low : value
        if let high, result > high { result = high }
        return result
    }

    /// Each column re-aggregated to `sampling` with the engine (carbonara's `resample`);
    /// to calendar periods, a departure from Gnocchi (which takes timespans only there).
    static func resample(_ frame: Frame, to sampling: Sampling, aggregation: Aggregation) throws(QueryError)
        -> Frame
    {
        var timestamps = frame.timestamps
        var columns: [[Double]] = []
        for column in frame.columns {
            let resampled = RondoneTimeSeries.resample(
                Series(timestamps: frame.timestamps, values: column), to: sampling, aggregation: aggregation)
            timestamps = resampled.timestamps
            columns.append(resampled.values)
        }
        guard columns.allSatisfy({ $0.count == timestamps.count }) else {
            throw .invalidOperation("Resampled series do not share time stamps")
        }
        switch sampling {
        case .timespan(let length):
            return Frame(granularity: length.nanoseconds, timestamps: timestamps, columns: columns)
        case .calendar(let grouping):
            return Frame(
                granularity: frame.granularity, calendar: grouping, timestamps: timestamps, columns: columns)
        }
    }
}
