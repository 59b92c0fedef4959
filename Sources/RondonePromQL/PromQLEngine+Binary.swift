import Foundation

extension PromQLEngine {
    func binaryOperation(_ binary: PromQLBinary, _ steps: Steps) async throws -> StepValue {
        let lhs = try await evaluate(binary.lhs, steps)
        let rhs = try await evaluate(binary.rhs, steps)
        let op = binary.op
        switch (lhs, rhs) {
        case (.scalar(let a), .scalar(let b)):
            return .scalar(zip(a, b).map { Self.apply(op, $0, $1, returnsBool: true) ?? .nan })
        case (.vector(let series), .scalar(let b)):
            return .vector(scalarOperation(series, b, op, binary.returnsBool, vectorOnLeft: true))
        case (.scalar(let a), .vector(let series)):
            return .vector(scalarOperation(series, a, op, binary.returnsBool, vectorOnLeft: false))
        case (.vector(let left), .vector(let right)):
            let matching =
                binary.matching
                ?? PromQLBinary.Matching(cardinality: .oneToOne, on: false, labels: [], include: [])
            if op.isSetOperator { return .vector(setOperation(op, left, right, matching, steps)) }
            return .vector(try vectorOperation(binary, left, right, matching, steps))
        default:
            throw PromQLError.execution("binary operators need scalars or instant vectors")
        }
    }

    /// `op(a, b)`, or nil when a comparison without `bool` filters the element out.
    static func apply(_ op: PromQLBinary.Operator, _ a: Double, _ b: Double, returnsBool: Bool) -> Double? {
        func comparison(_ holds: Bool) -> Double? {
            returnsBool ? (holds ? 1 : 0) : (holds ? a : nil)
        }
        switch op {
        case .add: return a + b
        case .subtract: return a - b
        case .multiply: return a * b
        case .divide: return a / b
        case .modulo: return fmod(a, b)
        case .power: return pow(a, b)
        case .atan2: return Foundation.atan2(a, b)
        case .equal: return comparison(a == b)
        case .notEqual: return comparison(a != b)
        case .greater: return comparison(a > b)
        case .less: return comparison(a < b)
        case .greaterOrEqual: return comparison(a >= b)
        case .lessOrEqual: return comparison(a <= b)
        case .and, .or, .unless: return nil
        }
    }

    func scalarOperation(
        _ series: [StepSeries], _ scalar: [Double], _ op: PromQLBinary.Operator, _ returnsBool: Bool,
        vectorOnLeft: Bool
    ) -> [StepSeries] {
        let keepsName = !op.dropsName(returnsBool: returnsBool)
        return series.compactMap { element in
            let values: [Double?] = element.values.enumerated().map { index, value in
                guard let value else { return nil }
                let (a, b) = vectorOnLeft ? (value, scalar[index]) : (scalar[index], value)
                guard let result = Self.apply(op, a, b, returnsBool: returnsBool) else { return nil }
                // A filter keeps the vector's own value, whichever side it is on.
                return op.isComparison && !returnsBool ? value : result
            }
            guard values.contains(where: { $0 != nil }) else { return nil }
            return StepSeries(
                labels: keepsName ? element.labels : element.labels.droppingName, values: values)
        }
    }

    /// The labels two series are matched on.
    static func signature(_ labels: PromQLLabels, _ matching: PromQLBinary.Matching) -> PromQLLabels {
        matching.on
            ? labels.keeping(Set(matching.labels))
            : labels.removing(Set(matching.labels).union(PromQLLabels.nameLabels))
    }

    func setOperation(
        _ op: PromQLBinary.Operator, _ left: [StepSeries], _ right: [StepSeries],
        _ matching: PromQLBinary.Matching,
        _ steps: Steps
    ) -> [StepSeries] {
        // At each step, the signatures present on the right.
        var rightSignatures = [Set<PromQLLabels>](repeating: [], count: steps.count)
        for element in right {
            let signature = Self.signature(element.labels, matching)
            for (index, value) in element.values.enumerated() where value != nil {
                rightSignatures[index].insert(signature)
            }
        }
        switch op {
        case .and, .unless:
            return left.compactMap { element in
                let signature = Self.signature(element.labels, matching)
                let values: [Double?] = element.values.enumerated().map { index, value in
                    guard let value else { return nil }
                    let there = rightSignatures[index].contains(signature)
                    return (op == .and) == there ? value : nil
                }
                return values.contains { $0 != nil }
                    ? StepSeries(labels: element.labels, values: values) : nil
            }
        default:  // or
            var leftSignatures = [Set<PromQLLabels>](repeating: [], count: steps.count)
            for element in left {
                let signature = Self.signature(element.labels, matching)
                for (index, value) in element.values.enumerated() where value != nil {
                    leftSignatures[index].insert(signature)
                }
            }
            let added: [StepSeries] = right.compactMap { element in
                let signature = Self.signature(element.labels, matching)
                let values: [Double?] = element.values.enumerated().map { index, value in
                    leftSignatures[index].contains(signature) ? nil : value
                }
                return values.contains { $0 != nil }
                    ? StepSeries(labels: element.labels, values: values) : nil
            }
            return left + added
        }
    }

    func vectorOperation(
        _ binary: PromQLBinary, _ left: [StepSeries], _ right: [StepSeries],
        _ matching: PromQLBinary.Matching,
        _ steps: Steps
    ) throws -> [StepSeries] {
        let op = binary.op
        let returnsBool = binary.returnsBool
        // The "one" side is the right one, except with group_right.
        let swapped = matching.cardinality == .oneToMany
        let (many, one) = swapped ? (right, left) : (left, right)
        var out: [PromQLLabels: [Double?]] = [:]
        var order: [PromQLLabels] = []
        for index in 0..<steps.count {
            var oneSide: [PromQLLabels: (PromQLLabels, Double)] = [:]
            for element in one {
                guard let value = element.values[index] else { continue }
                let signature = Self.signature(element.labels, matching)
                if oneSide[signature] != nil {
                    throw PromQLError.execution(
                        "found duplicate series for the match group \(Self.render(signature)) on the "
                            + "\(swapped ? "left" : "right") hand-side of the operation; many-to-many matching not allowed: "
                            + "matching labels must be unique on one side")
                }
                oneSide[signature] = (element.labels, value)
            }
            var seenOneToOne = Set<PromQLLabels>()
            for element in many {
                guard let value = element.values[index] else { continue }
                let signature = Self.signature(element.labels, matching)
                guard let (otherLabels, otherValue) = oneSide[signature] else { continue }
                if matching.cardinality == .oneToOne, !seenOneToOne.insert(signature).inserted {
                    throw PromQLError.execution(
                        "found duplicate series for the match group \(Self.render(signature)) on the left hand-side "
                            + "of the operation; many-to-many matching not allowed: matching labels must be unique on one side"
                    )
                }
                let (a, b) = swapped ? (otherValue, value) : (value, otherValue)
                guard var result = Self.apply(op, a, b, returnsBool: returnsBool) else { continue }
                if op.isComparison && !returnsBool { result = swapped ? b : a }
                let labels = resultLabels(element.labels, otherLabels, binary, matching)
                if out[labels] == nil {
                    out[labels] = [Double?](repeating: nil, count: steps.count)
                    order.append(labels)
                } else if out[labels]![index] != nil {
                    throw PromQLError.execution(
                        "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)"
                    )
                }
                out[labels]![index] = result
            }
        }
        return order.map { StepSeries(labels: $0, values: out[$0]!) }
    }

    /// Prometheus's `resultMetric`.
    func resultLabels(
        _ many: PromQLLabels, _ one: PromQLLabels, _ binary: PromQLBinary, _ matching: PromQLBinary.Matching
    ) -> PromQLLabels {
        var labels = many
        if binary.op.dropsName(returnsBool: binary.returnsBool) { labels = labels.droppingName }
        if matching.cardinality == .oneToOne {
            labels =
                matching.on ? labels.keeping(Set(matching.labels)) : labels.removing(Set(matching.labels))
        }
        for name in matching.include {
            labels = labels.setting(name, to: one[name])
        }
        return labels
    }

    static func render(_ labels: PromQLLabels) -> String {
        "{" + labels.labels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ", ") + "}"
    }
}
