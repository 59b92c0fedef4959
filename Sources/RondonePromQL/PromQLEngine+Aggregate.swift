extension PromQLEngine {
    func aggregate(_ aggregation: PromQLAggregation, _ steps: Steps) async throws -> StepValue {
        let series = try vector(try await evaluate(aggregation.expression, steps))
        var parameter: [Double] = []
        var labelName = ""
        if let expression = aggregation.parameter {
            switch try await evaluate(expression, steps) {
            case .scalar(let values): parameter = values
            case .string(let text): labelName = text
            default: throw PromQLError.execution("bad aggregation parameter")
            }
        }
        // The group of each series: its labels kept by `by`, or all but `without`'s and the name.
        let grouping = aggregation.grouping
        func groupLabels(_ labels: PromQLLabels) -> PromQLLabels {
            guard let grouping else { return PromQLLabels([PromQLLabel]()) }
            return grouping.without
                ? labels.removing(Set(grouping.labels).union(PromQLLabels.nameLabels))
                : labels.keeping(Set(grouping.labels))
        }
        var groups: [PromQLLabels: [Int]] = [:]
        var order: [PromQLLabels] = []
        for (index, element) in series.enumerated() {
            let key = groupLabels(element.labels)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(index)
        }
        switch aggregation.op {
        case .topk, .bottomk:
            // The k largest (smallest) of each group at each step, with their own labels.
            var values = series.map { [Double?](repeating: nil, count: steps.count * 0 + $0.values.count) }
            for index in 0..<steps.count {
                // Prometheus's convertibleToInt64 check: NaN or ±1e300 is an error, not a trap.
                guard let k = Int(exactly: parameter[index].rounded(.towardZero)) else {
                    throw PromQLError.execution("Scalar value \(parameter[index]) overflows int64")
                }
                guard k >= 1 else { continue }
                for key in order {
                    let members = groups[key]!.compactMap { member in
                        series[member].values[index].map { (member, $0) }
                    }
                    let ranked = members.sorted { a, b in
                        if a.1.isNaN { return false }
                        if b.1.isNaN { return true }
                        return aggregation.op == .topk ? a.1 > b.1 : a.1 < b.1
                    }
                    for (member, value) in ranked.prefix(k) { values[member][index] = value }
                }
            }
            return .vector(
                zip(series, values).compactMap { element, values in
                    values.contains { $0 != nil } ? StepSeries(labels: element.labels, values: values) : nil
                })
        case .countValues:
            guard PromQLLabels.isValidName(labelName) else {
                throw PromQLError.execution("invalid label name \"\(labelName)\"")
            }
            var out: [PromQLLabels: [Double?]] = [:]
            var outOrder: [PromQLLabels] = []
            for key in order {
                for index in 0..<steps.count {
                    for member in groups[key]! {
                        guard let value = series[member].values[index] else { continue }
                        let labels = key.setting(labelName, to: Self.format(value))
                        if out[labels] == nil {
                            out[labels] = [Double?](repeating: nil, count: steps.count)
                            outOrder.append(labels)
                        }
                        out[labels]![index] = (out[labels]![index] ?? 0) + 1
                    }
                }
            }
            return .vector(outOrder.map { StepSeries(labels: $0, values: out[$0]!) })
        default:
            return .vector(
                order.compactMap { key in
                    let members = groups[key]!
                    let values: [Double?] = (0..<steps.count).map { index in
                        let present = members.compactMap { series[$0].values[index] }
                        guard !present.isEmpty else { return nil }
                        return Self.reduce(aggregation.op, present, parameter.isEmpty ? 0 : parameter[index])
                    }
                    return values.contains { $0 != nil } ? StepSeries(labels: key, values: values) : nil
                })
        }
    }

    static func reduce(_ op: PromQLAggregation.Operator, _ values: [Double], _ parameter: Double) -> Double {
        switch op {
        case .sum: return values.reduce(0, +)
        case .avg: return values.reduce(0, +) / Double(values.count)
        case .count: return Double(values.count)
        case .group: return 1
        case .min: return extreme(values, greatest: false)
        case .max: return extreme(values, greatest: true)
        case .stddev: return variance(values).squareRoot()
        case .stdvar: return variance(values)
        case .quantile: return quantile(parameter, values)
        case .topk, .bottomk, .countValues: return .nan  // handled by the caller
        }
    }

    /// Go's `strconv.FormatFloat(v, 'f', -1, 64)`, the form Prometheus gives values in
    /// labels (`count_values`) and in its JSON.
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "+Inf" }
        if value == -.infinity { return "-Inf" }
        if value == 0 { return value.sign == .minus ? "-0" : "0" }  // Go keeps the sign of zero
        if value == value.rounded(), let integer = Int64(exactly: value) { return String(integer) }
        var text = value.description
        if text.utf8.contains(UInt8(ascii: "e")), let e = text.firstIndex(of: "e") {
            // Swift writes 1e-07; Go's 'f' format writes every digit.
            let mantissa = Double(text[..<e]) ?? value
            let exponent = Int(text[text.index(after: e)...]) ?? 0
            text = Self.plainDecimal(mantissa: String(text[..<e]), exponent: exponent, negative: mantissa < 0)
        }
        return text
    }

    /// ``format(_:)`` appended to `out` as UTF-8, without a string for integral values.
    public static func format(_ value: Double, into out: inout [UInt8]) {
        if value != 0, value == value.rounded(), let integer = Int64(exactly: value) {
            if integer < 0 { out.append(UInt8(ascii: "-")) }
            appendDecimal(integer.magnitude, into: &out)
        } else if value.isFinite, value != 0 {
            // Swift's shortest digits are Go's unless Swift chose an exponent.
            let start = out.count
            out.append(contentsOf: value.description.utf8)
            if out[start...].contains(UInt8(ascii: "e")) {
                out.removeSubrange(start...)
                out.append(contentsOf: format(value).utf8)
            }
        } else {
            out.append(contentsOf: format(value).utf8)
        }
    }

    /// The decimal digits of `value` appended to `out`.
    public static func appendDecimal(_ value: UInt64, into out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var index = 20
            var rest = value
            repeat {
                index -= 1
                buffer[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[index...]))
        }
    }

    private static func plainDecimal(mantissa: String, exponent: Int, negative: Bool) -> String {
        var digits = mantissa.filter { $0.isNumber }
        let point =
            mantissa.filter { $0 != "-" }.firstIndex(of: ".").map {
                mantissa.filter { $0 != "-" }.distance(from: mantissa.filter { $0 != "-" }.startIndex, to: $0)
            } ?? digits.count
        var position = point + exponent
        if position <= 0 {
            digits = String(repeating: "0", count: -position + 1) + digits
            position = 1
        } else if position > digits.count {
            digits += String(repeating: "0", count: position - digits.count)
        }
        var result = String(digits.prefix(position))
        let fraction = String(digits.dropFirst(position)).replacingZerosAtEnd()
        if !fraction.isEmpty { result += "." + fraction }
        return (negative ? "-" : "") + result
    }
}

extension String {
    fileprivate func replacingZerosAtEnd() -> String {
        var text = self
        while text.last == "0" { text.removeLast() }
        return text
    }
}
