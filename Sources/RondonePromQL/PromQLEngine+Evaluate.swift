extension PromQLEngine {
    func evaluate(_ expression: PromQLExpression, _ steps: Steps) async throws -> StepValue {
        switch expression {
        case .number(let value): return .scalar(Array(repeating: value, count: steps.count))
        case .string(let text): return .string(text)
        case .parenthesized(let inner): return try await evaluate(inner, steps)
        case .negation(let inner):
            switch try await evaluate(inner, steps) {
            case .scalar(let values): return .scalar(values.map { -$0 })
            case .vector(let series):
                return .vector(
                    series.map {
                        StepSeries(labels: $0.labels.droppingName, values: $0.values.map { $0.map { -$0 } })
                    })
            default: throw PromQLError.execution("unary minus needs a scalar or an instant vector")
            }
        case .vectorSelector(let selector): return .vector(try await instantSelector(selector, steps))
        case .matrixSelector(let selector, let range):
            return .matrix(try await rangeSelector(selector, range: range, steps))
        case .subquery(let inner, let range, let step, let modifiers):
            return .matrix(try await subquery(inner, range: range, step: step, modifiers: modifiers, steps))
        case .call(let function, let arguments): return try await call(function, arguments, steps)
        case .aggregate(let aggregation): return try await aggregate(aggregation, steps)
        case .binary(let binary): return try await binaryOperation(binary, steps)
        }
    }

    /// The time a modifier fixes (`@`), in milliseconds.
    func fixedTime(_ modifiers: PromQLModifiers, _ steps: Steps) -> Int64? {
        switch modifiers.at {
        case nil: nil
        case .time(let milliseconds): milliseconds
        case .start: steps.start
        case .end: steps.end
        }
    }

    func instantSelector(_ selector: PromQLSelector, _ steps: Steps) async throws -> [StepSeries] {
        let at = fixedTime(selector.modifiers, steps)
        let offset = selector.modifiers.offset
        let first = (at ?? steps.start) - offset
        let last = (at ?? steps.end) - offset
        let series = try await storage.select(
            selector.matchers, start: first - lookback, end: last,
            hints: PromQLSelectHints(step: steps.hintStep, range: lookback, isRange: false))
        try checkSamples(series)
        return series.map { series in
            var values = [Double?](repeating: nil, count: steps.count)
            let samples = series.samples
            // Steps go forward: the first sample after the reference only moves forward too.
            var next = 0
            for (index, time) in steps.times.enumerated() {
                let reference = (at ?? time) - offset
                if at == nil {
                    while next < samples.count, samples[next].time <= reference { next += 1 }
                } else {
                    next = series.firstIndex(atOrAfter: reference &+ 1)
                }
                if next > 0, samples[next - 1].time >= reference - lookback {
                    values[index] = samples[next - 1].value
                }
            }
            return StepSeries(labels: series.labels, values: values)
        }
    }

    func rangeSelector(_ selector: PromQLSelector, range: Int64, _ steps: Steps) async throws -> StepMatrix {
        let at = fixedTime(selector.modifiers, steps)
        let offset = selector.modifiers.offset
        let first = (at ?? steps.start) - offset - range
        let last = (at ?? steps.end) - offset
        let series = try await storage.select(
            selector.matchers, start: first, end: last,
            hints: PromQLSelectHints(step: steps.hintStep, range: range, isRange: true))
        try checkSamples(series)
        return StepMatrix(series: series, range: range, offset: offset, at: at)
    }

    /// `inner[range:step]`: `inner` evaluated at multiples of `step` covering every window.
    func subquery(
        _ inner: PromQLExpression, range: Int64, step: Int64?, modifiers: PromQLModifiers, _ steps: Steps
    ) async throws -> StepMatrix {
        let interval = step ?? 60_000
        let at = fixedTime(modifiers, steps)
        let earliest = (at ?? steps.start) - modifiers.offset - range
        var start = interval * (earliest / interval)
        if start < earliest { start += interval }
        let end = (at ?? steps.end) - modifiers.offset
        guard end >= start else {
            return StepMatrix(series: [], range: range, offset: modifiers.offset, at: at)
        }
        guard (end - start) / interval < Int64(maxSamples) else {
            throw PromQLError.execution(
                "query processing would load too many samples into memory in subquery execution")
        }
        let inside = Steps(start: start, end: end, step: interval)
        var series: [PromQLSeries] = []
        switch try await evaluate(inner, inside) {
        case .vector(let elements):
            for element in elements {
                let samples = zip(inside.times, element.values).compactMap { time, value in
                    value.map { PromQLSample(time, $0) }
                }
                if !samples.isEmpty { series.append(PromQLSeries(labels: element.labels, samples: samples)) }
            }
        default:
            throw PromQLError.execution("a subquery needs an instant vector")
        }
        return StepMatrix(series: series, range: range, offset: modifiers.offset, at: at)
    }

    func checkSamples(_ series: [PromQLSeries]) throws {
        let total = series.reduce(0) { $0 + $1.samples.count }
        if total > maxSamples {
            throw PromQLError.execution(
                "query processing would load too many samples into memory in query execution")
        }
    }

    func vector(_ value: StepValue) throws -> [StepSeries] {
        guard case .vector(let series) = value else {
            throw PromQLError.execution("expected an instant vector")
        }
        return series
    }

    func scalars(_ value: StepValue) throws -> [Double] {
        guard case .scalar(let values) = value else { throw PromQLError.execution("expected a scalar") }
        return values
    }
}
