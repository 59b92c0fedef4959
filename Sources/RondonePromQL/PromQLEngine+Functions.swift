import Foundation

extension PromQLEngine {
    func call(_ function: PromQLFunction, _ arguments: [PromQLExpression], _ steps: Steps) async throws
        -> StepValue
    {
        var values: [StepValue] = []
        for argument in arguments { values.append(try await evaluate(argument, steps)) }
        let name = function.name
        if let math = Self.mathFunction(name) {
            return .vector(
                try vector(values[0]).map {
                    StepSeries(labels: $0.labels.droppingName, values: $0.values.map { $0.map(math) })
                })
        }
        if let windowed = Self.windowFunction(name) {
            guard case .matrix(let matrix) = values[0] else {
                throw PromQLError.execution("\(name) needs a range vector")
            }
            return .vector(overTime(matrix, steps, keepName: name == "last_over_time", windowed))
        }
        switch name {
        case "time": return .scalar(steps.times.map { Double($0) / 1000 })
        case "pi": return .scalar(Array(repeating: Double.pi, count: steps.count))
        case "vector":
            return .vector([
                StepSeries(labels: PromQLLabels([PromQLLabel]()), values: try scalars(values[0]).map { $0 })
            ])
        case "scalar":
            let series = try vector(values[0])
            return .scalar(
                (0..<steps.count).map { index in
                    let present = series.compactMap { $0.values[index] }
                    return present.count == 1 ? present[0] : .nan
                })
        case "sort", "sort_desc": return values[0]
        case "timestamp": return .vector(try await timestamps(arguments[0], steps))
        case "absent": return .vector(absent(try vector(values[0]), arguments[0], steps))
        case "absent_over_time":
            guard case .matrix(let matrix) = values[0] else {
                throw PromQLError.execution("needs a range vector")
            }
            let present = overTime(matrix, steps, keepName: false) { _, _, _ in 1 }
            return .vector(absent(present, arguments[0], steps))
        case "quantile_over_time", "predict_linear":
            let parameter = name == "quantile_over_time" ? try scalars(values[0]) : try scalars(values[1])
            guard case .matrix(let matrix) = name == "quantile_over_time" ? values[1] : values[0] else {
                throw PromQLError.execution("\(name) needs a range vector")
            }
            var index = 0
            var out: [StepSeries] = []
            for series in matrix.series {
                var stepValues = [Double?](repeating: nil, count: steps.count)
                for (position, time) in steps.times.enumerated() {
                    index = position
                    let reference = matrix.reference(time)
                    let window = series.window(from: reference - matrix.range, through: reference)
                    guard !window.isEmpty else { continue }
                    if name == "quantile_over_time" {
                        stepValues[position] = Self.quantile(parameter[index], window.map(\.value))
                    } else if window.count >= 2 {
                        let (slope, intercept) = Self.linearRegression(window, interceptTime: time)
                        stepValues[position] = slope * parameter[index] + intercept
                    }
                }
                if stepValues.contains(where: { $0 != nil }) {
                    out.append(StepSeries(labels: series.labels.droppingName, values: stepValues))
                }
            }
            return .vector(out)
        case "clamp", "clamp_min", "clamp_max":
            let series = try vector(values[0])
            let low = name == "clamp_max" ? nil : try scalars(values[1])
            let high =
                name == "clamp" ? try scalars(values[2]) : name == "clamp_max" ? try scalars(values[1]) : nil
            return .vector(
                series.map { element in
                    StepSeries(
                        labels: element.labels.droppingName,
                        values: element.values.enumerated().map { index, value in
                            guard var value else { return nil }
                            if let low, let high, high[index] < low[index] { return nil }
                            if let low { value = Swift.max(value, low[index]).nanAware(value, low[index]) }
                            if let high { value = Swift.min(value, high[index]).nanAware(value, high[index]) }
                            return value
                        })
                })
        case "round":
            let nearest = values.count > 1 ? try scalars(values[1]) : Array(repeating: 1, count: steps.count)
            return .vector(
                try vector(values[0]).map { element in
                    StepSeries(
                        labels: element.labels.droppingName,
                        values: element.values.enumerated().map { index, value in
                            value.map {
                                ($0 * (1 / nearest[index]) + 0.5).rounded(.down) / (1 / nearest[index])
                            }
                        })
                })
        case "label_replace":
            guard case .string(let destination) = values[1], case .string(let replacement) = values[2],
                case .string(let source) = values[3], case .string(let pattern) = values[4]
            else { throw PromQLError.execution("label_replace needs strings") }
            guard PromQLLabels.isValidName(destination) else {
                throw PromQLError.execution(
                    "invalid destination label name in label_replace(): \(destination)")
            }
            return .vector(try labelReplace(try vector(values[0]), destination, replacement, source, pattern))
        case "label_join":
            guard case .string(let destination) = values[1], case .string(let separator) = values[2] else {
                throw PromQLError.execution("label_join needs strings")
            }
            var sources: [String] = []
            for value in values.dropFirst(3) {
                guard case .string(let source) = value else {
                    throw PromQLError.execution("label_join needs strings")
                }
                sources.append(source)
            }
            guard PromQLLabels.isValidName(destination) else {
                throw PromQLError.execution("invalid destination label name in label_join(): \(destination)")
            }
            for source in sources where !PromQLLabels.isValidName(source) {
                throw PromQLError.execution("invalid source label name in label_join(): \(source)")
            }
            return .vector(
                try Self.merged(
                    try vector(values[0]).map { element in
                        let joined = sources.map { element.labels[$0] }.joined(separator: separator)
                        return StepSeries(
                            labels: element.labels.setting(destination, to: joined), values: element.values)
                    }))
        case "day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute", "month", "year":
            return .vector(try dateFunction(name, values, steps))
        default:
            throw PromQLError.unsupported("function \(name)")
        }
    }

    /// `f` applied to each series' window at each step.
    func overTime(
        _ matrix: StepMatrix, _ steps: Steps, keepName: Bool,
        _ f: (ArraySlice<PromQLSample>, _ rangeStart: Int64, _ rangeEnd: Int64) -> Double?
    ) -> [StepSeries] {
        var out: [StepSeries] = []
        for series in matrix.series {
            var values = [Double?](repeating: nil, count: steps.count)
            var any = false
            let samples = series.samples
            // Steps go forward, and so do both ends of the window (without `@`).
            var lower = 0
            var upper = 0
            for (index, time) in steps.times.enumerated() {
                let reference = matrix.reference(time)
                let start = reference - matrix.range
                let window: ArraySlice<PromQLSample>
                if matrix.at == nil {
                    while lower < samples.count, samples[lower].time < start { lower += 1 }
                    while upper < samples.count, samples[upper].time <= reference { upper += 1 }
                    window = samples[lower..<max(lower, upper)]
                } else {
                    window = series.window(from: start, through: reference)
                }
                guard !window.isEmpty, let value = f(window, start, reference) else { continue }
                values[index] = value
                any = true
            }
            if any {
                out.append(
                    StepSeries(labels: keepName ? series.labels : series.labels.droppingName, values: values))
            }
        }
        return out
    }

    /// The function of a name that applies to each value alone, nil for any other name.
    static func mathFunction(_ name: String) -> ((Double) -> Double)? {
        switch name {
        case "abs": { Swift.abs($0) }
        case "ceil": { $0.rounded(.up) }
        case "floor": { $0.rounded(.down) }
        case "exp": { Foundation.exp($0) }
        case "sqrt": { $0.squareRoot() }
        case "ln": { Foundation.log($0) }
        case "log2": { Foundation.log2($0) }
        case "log10": { Foundation.log10($0) }
        case "sgn": { $0 > 0 ? 1 : $0 < 0 ? -1 : $0 }
        case "deg": { $0 * 180 / Double.pi }
        case "rad": { $0 * Double.pi / 180 }
        case "acos": { Foundation.acos($0) }
        case "acosh": { Foundation.acosh($0) }
        case "asin": { Foundation.asin($0) }
        case "asinh": { Foundation.asinh($0) }
        case "atan": { Foundation.atan($0) }
        case "atanh": { Foundation.atanh($0) }
        case "cos": { Foundation.cos($0) }
        case "cosh": { Foundation.cosh($0) }
        case "sin": { Foundation.sin($0) }
        case "sinh": { Foundation.sinh($0) }
        case "tan": { Foundation.tan($0) }
        case "tanh": { Foundation.tanh($0) }
        default: nil
        }
    }

    typealias Windowed = (ArraySlice<PromQLSample>, Int64, Int64) -> Double?

    /// The function of a name that reduces each window of a range vector, nil for any other.
    static func windowFunction(_ name: String) -> Windowed? {
        switch name {
        case "rate": { extrapolated($0, $1, $2, counter: true, rate: true) }
        case "increase": { extrapolated($0, $1, $2, counter: true, rate: false) }
        case "delta": { extrapolated($0, $1, $2, counter: false, rate: false) }
        case "irate": { window, _, _ in instant(window, rate: true) }
        case "idelta": { window, _, _ in instant(window, rate: false) }
        case "deriv": { window, _, _ in deriv(window) }
        case "resets": { window, _, _ in resets(window) }
        case "changes": { window, _, _ in changes(window) }
        case "avg_over_time": { window, _, _ in sum(window) / Double(window.count) }
        case "sum_over_time": { window, _, _ in sum(window) }
        case "count_over_time": { window, _, _ in Double(window.count) }
        case "last_over_time": { window, _, _ in window.last?.value }
        case "present_over_time": { _, _, _ in 1 }
        case "min_over_time": { window, _, _ in extreme(window.map(\.value), greatest: false) }
        case "max_over_time": { window, _, _ in extreme(window.map(\.value), greatest: true) }
        case "stddev_over_time": { window, _, _ in variance(window.map(\.value)).squareRoot() }
        case "stdvar_over_time": { window, _, _ in variance(window.map(\.value)) }
        default: nil
        }
    }

    static func sum(_ window: ArraySlice<PromQLSample>) -> Double {
        var total = 0.0
        for sample in window { total += sample.value }
        return total
    }

    static func deriv(_ window: ArraySlice<PromQLSample>) -> Double? {
        window.count < 2 ? nil : linearRegression(window, interceptTime: window.first!.time).slope
    }

    static func resets(_ window: ArraySlice<PromQLSample>) -> Double {
        var count = 0.0
        for (previous, next) in zip(window, window.dropFirst()) where next.value < previous.value {
            count += 1
        }
        return count
    }

    static func changes(_ window: ArraySlice<PromQLSample>) -> Double {
        var count = 0.0
        for (previous, next) in zip(window, window.dropFirst())
        where next.value != previous.value && !(next.value.isNaN && previous.value.isNaN) {
            count += 1
        }
        return count
    }

    /// The largest (smallest) value, NaN only when every value is NaN (Prometheus).
    static func extreme(_ values: [Double], greatest: Bool) -> Double {
        var current = Double.nan
        for value in values where current.isNaN || (greatest ? value > current : value < current) {
            current = value
        }
        return current
    }

    /// Prometheus's `extrapolatedRate`.
    static func extrapolated(
        _ window: ArraySlice<PromQLSample>, _ rangeStart: Int64, _ rangeEnd: Int64, counter: Bool, rate: Bool
    ) -> Double? {
        guard window.count >= 2, let first = window.first, let last = window.last else { return nil }
        var result = last.value - first.value
        if counter {
            for (previous, next) in zip(window, window.dropFirst()) where next.value < previous.value {
                result += previous.value
            }
        }
        var durationToStart = Double(first.time - rangeStart) / 1000
        let durationToEnd = Double(rangeEnd - last.time) / 1000
        let sampled = Double(last.time - first.time) / 1000
        let average = sampled / Double(window.count - 1)
        if counter && result > 0 && first.value >= 0 {
            let durationToZero = sampled * (first.value / result)
            if durationToZero < durationToStart { durationToStart = durationToZero }
        }
        let threshold = average * 1.1
        var interval = sampled
        interval += durationToStart < threshold ? durationToStart : average / 2
        interval += durationToEnd < threshold ? durationToEnd : average / 2
        var factor = interval / sampled
        if rate { factor /= Double(rangeEnd - rangeStart) / 1000 }
        return result * factor
    }

    /// `irate` and `idelta`: the last two samples.
    static func instant(_ window: ArraySlice<PromQLSample>, rate: Bool) -> Double? {
        guard window.count >= 2 else { return nil }
        let last = window[window.endIndex - 1]
        let previous = window[window.endIndex - 2]
        var result = last.value - previous.value
        if rate {
            if last.value < previous.value { result = last.value }
            let interval = Double(last.time - previous.time) / 1000
            guard interval != 0 else { return nil }
            result /= interval
        }
        return result
    }

    /// Least squares over `(seconds since interceptTime, value)`: slope and intercept.
    static func linearRegression(_ window: ArraySlice<PromQLSample>, interceptTime: Int64) -> (
        slope: Double, intercept: Double
    ) {
        var n = 0.0, sumX = 0.0, sumY = 0.0, sumXY = 0.0, sumX2 = 0.0
        var constantY = true
        let firstValue = window.first?.value ?? 0
        for sample in window {
            let x = Double(sample.time - interceptTime) / 1000
            n += 1
            sumX += x
            sumY += sample.value
            sumXY += x * sample.value
            sumX2 += x * x
            if sample.value != firstValue { constantY = false }
        }
        if constantY { return (0, firstValue) }
        let covariance = sumXY - sumX * sumY / n
        let varianceX = sumX2 - sumX * sumX / n
        let slope = covariance / varianceX
        return (slope, sumY / n - slope * sumX / n)
    }

    /// Population variance.
    static func variance(_ values: [Double]) -> Double {
        let mean = values.reduce(0, +) / Double(values.count)
        return values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
    }

    /// Prometheus's `quantile`: linear interpolation between the closest ranks.
    static func quantile(_ q: Double, _ values: [Double]) -> Double {
        guard !values.isEmpty, !q.isNaN else { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        let sorted = values.sorted()
        let rank = q * Double(sorted.count - 1)
        let lower = Swift.max(0, Int(rank.rounded(.down)))
        let upper = Swift.min(sorted.count - 1, lower + 1)
        let weight = rank - rank.rounded(.down)
        return sorted[lower] * (1 - weight) + sorted[upper] * weight
    }

    /// `timestamp(v)`: the time of each selected sample (of the step for computed values).
    func timestamps(_ argument: PromQLExpression, _ steps: Steps) async throws -> [StepSeries] {
        var inner = argument
        while case .parenthesized(let next) = inner { inner = next }
        guard case .vectorSelector(let selector) = inner else {
            return try vector(try await evaluate(argument, steps)).map { element in
                StepSeries(
                    labels: element.labels.droppingName,
                    values: zip(element.values, steps.times).map { value, time in
                        value.map { _ in Double(time) / 1000 }
                    })
            }
        }
        let at = fixedTime(selector.modifiers, steps)
        let offset = selector.modifiers.offset
        let series = try await storage.select(
            selector.matchers, start: (at ?? steps.start) - offset - lookback,
            end: (at ?? steps.end) - offset,
            hints: PromQLSelectHints(step: steps.hintStep, range: lookback, isRange: false))
        return series.map { series in
            StepSeries(
                labels: series.labels.droppingName,
                values: steps.times.map { time in
                    let reference = (at ?? time) - offset
                    let next = series.firstIndex(atOrAfter: reference &+ 1)
                    guard next > 0, series.samples[next - 1].time >= reference - lookback else { return nil }
                    return Double(series.samples[next - 1].time) / 1000
                })
        }
    }

    /// `absent`: 1 at the steps where `series` has nothing, labelled with the argument's
    /// equality matchers.
    func absent(_ series: [StepSeries], _ argument: PromQLExpression, _ steps: Steps) -> [StepSeries] {
        var labels: [PromQLLabel] = []
        var inner = argument
        while case .parenthesized(let next) = inner { inner = next }
        var selector: PromQLSelector?
        if case .vectorSelector(let found) = inner { selector = found }
        if case .matrixSelector(let found, _) = inner { selector = found }
        if case .call(_, let arguments) = inner, let first = arguments.first {
            if case .vectorSelector(let found) = first { selector = found }
            if case .matrixSelector(let found, _) = first { selector = found }
        }
        if let selector {
            var counts: [String: Int] = [:]
            for matcher in selector.matchers { counts[matcher.label, default: 0] += 1 }
            for matcher in selector.matchers
            where matcher.kind == .equal && matcher.label != "__name__"
                && counts[matcher.label] == 1
            {
                labels.append(PromQLLabel(matcher.label, matcher.value))
            }
        }
        let values: [Double?] = (0..<steps.count).map { index in
            series.contains { $0.values[index] != nil } ? nil : 1
        }
        return values.contains { $0 != nil } ? [StepSeries(labels: PromQLLabels(labels), values: values)] : []
    }

    func labelReplace(
        _ series: [StepSeries], _ destination: String, _ replacement: String, _ source: String,
        _ pattern: String
    ) throws -> [StepSeries] {
        let regex: Regex<AnyRegexOutput>
        do {
            regex = try Regex("^(?:" + pattern + ")$")
        } catch {
            throw PromQLError.execution("invalid regular expression in label_replace(): \(pattern)")
        }
        return try Self.merged(
            series.map { element in
                guard let match = try? regex.wholeMatch(in: element.labels[source]) else { return element }
                let value = Self.expand(replacement, match)
                return StepSeries(
                    labels: element.labels.setting(destination, to: value), values: element.values)
            })
    }

    /// Go's `Regexp.Expand`: `$1`, `${1}`, `$name`, `${name}`, `$$`.
    static func expand(_ template: String, _ match: Regex<AnyRegexOutput>.Match) -> String {
        var out = ""
        var characters = Substring(template)
        while let dollar = characters.firstIndex(of: "$") {
            out += characters[..<dollar]
            characters = characters[characters.index(after: dollar)...]
            if characters.first == "$" {
                out += "$"
                characters = characters.dropFirst()
                continue
            }
            var name: Substring
            if characters.first == "{", let close = characters.firstIndex(of: "}") {
                name = characters[characters.index(after: characters.startIndex)..<close]
                characters = characters[characters.index(after: close)...]
            } else {
                let end =
                    characters.firstIndex { !($0.isLetter || $0.isNumber || $0 == "_") }
                    ?? characters.endIndex
                name = characters[..<end]
                characters = characters[end...]
            }
            if let number = Int(name) {
                if number < match.output.count, let text = match.output[number].substring { out += text }
            } else if let text = match.output[String(name)]?.substring {
                out += text
            }
        }
        return out + characters
    }

    /// Refuses two series that end with the same labels (Prometheus: "vector cannot
    /// contain metrics with the same labelset").
    static func merged(_ series: [StepSeries]) throws -> [StepSeries] {
        var seen = Set<PromQLLabels>()
        for element in series where !seen.insert(element.labels).inserted {
            throw PromQLError.execution("vector cannot contain metrics with the same labelset")
        }
        return series
    }
}

extension Double {
    /// Go's `math.Max`/`math.Min` return NaN when either is NaN; Swift's return the other.
    fileprivate func nanAware(_ a: Double, _ b: Double) -> Double { a.isNaN || b.isNaN ? .nan : self }
}
