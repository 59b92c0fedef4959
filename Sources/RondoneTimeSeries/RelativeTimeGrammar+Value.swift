extension RelativeTimeGrammar {
    /// A decimal number `[0-9]*(.[0-9]*)?` with at least one digit, split at the dot.
    private struct DecimalText {
        var integer: Range<Int>
        var fraction: Range<Int>

        init?(_ body: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
            var dot: Int?
            for index in range where body[index] == UInt8(ascii: ".") {
                if dot != nil { return nil }
                dot = index
            }
            integer = range.lowerBound..<(dot ?? range.upperBound)
            fraction = (dot.map { $0 + 1 } ?? range.upperBound)..<range.upperBound
            if integer.isEmpty && fraction.isEmpty { return nil }
        }

        /// The number as text `Double(_:)` reads, with a zero before or after a bare dot.
        func normalized(_ body: UnsafeBufferPointer<UInt8>) -> String {
            var text =
                integer.isEmpty
                ? "0" : String(decoding: UnsafeBufferPointer(rebasing: body[integer]), as: UTF8.self)
            if !fraction.isEmpty {
                text += "." + String(decoding: UnsafeBufferPointer(rebasing: body[fraction]), as: UTF8.self)
            }
            return text
        }
    }

    /// The value of one match as pytimeparse computes it, or nil when a number is malformed
    /// (pytimeparse then moves on to the next format).
    static func evaluate(_ fields: Fields, _ body: UnsafeBufferPointer<UInt8>) -> ParsedSeconds? {
        func allDigits(_ range: Range<Int>) -> Bool {
            !range.isEmpty && range.allSatisfy { isDigit(body[$0]) }
        }
        let present = (0..<5).compactMap { field in fields[field].map { (field, $0) } }
        guard !present.isEmpty else { return nil }

        if present.allSatisfy({ allDigits($0.1) }) {
            var total: Int64 = 0
            for (field, range) in present {
                guard let value = integerValue(body, range) else { return nil }
                let (product, overflow) = value.multipliedReportingOverflow(by: multipliers[field])
                let (sum, overflow2) = total.addingReportingOverflow(product)
                guard !overflow, !overflow2 else { return nil }
                total = sum
            }
            return .integer(total)
        }

        if fields[seconds].map(allDigits) ?? true {
            // Exact decimal sum of the other fields, truncated, plus the integral seconds.
            let scale: Int128 = 1_000_000_000_000_000_000
            var total: Int128 = 0
            for (field, range) in present where field != seconds {
                guard let decimal = DecimalText(body, range), decimal.integer.count <= 18,
                    let whole = decimal.integer.isEmpty ? 0 : integerValue(body, decimal.integer)
                else { return nil }
                var fraction: Int128 = 0
                for offset in 0..<18 {
                    let index = decimal.fraction.lowerBound + offset
                    fraction =
                        fraction * 10
                        + (index < decimal.fraction.upperBound ? Int128(body[index] &- 0x30) : 0)
                }
                // Past Int128 the value is no Int64 either (the nil below): no trap.
                guard case (let scaled, false) = Int128(whole).multipliedReportingOverflow(by: scale),
                    case (let exact, false) = scaled.addingReportingOverflow(fraction),
                    case (let term, false) = exact.multipliedReportingOverflow(by: Int128(multipliers[field])),
                    case (let sum, false) = total.addingReportingOverflow(term)
                else { return nil }
                total = sum
            }
            var secondsValue: Int64 = 0
            if let range = fields[seconds] {
                guard let value = integerValue(body, range) else { return nil }
                secondsValue = value
            }
            guard let truncated = Int64(exactly: total / scale),
                case (let sum, false) = truncated.addingReportingOverflow(secondsValue)
            else { return nil }
            return .integer(sum)
        }

        var total = 0.0
        for (field, range) in present {
            guard let decimal = DecimalText(body, range), let value = Double(decimal.normalized(body)) else {
                return nil
            }
            total += Double(multipliers[field]) * value
        }
        return .real(total)
    }

    /// The value of a run of ASCII digits, or nil past 18 digits (far beyond any timespan).
    private static func integerValue(_ body: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int64? {
        guard range.count <= 18 else { return nil }
        var value: Int64 = 0
        for index in range { value = value * 10 + Int64(body[index] &- 0x30) }
        return value
    }
}
