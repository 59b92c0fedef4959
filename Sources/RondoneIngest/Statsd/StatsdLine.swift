import RondoneTimeSeries

/// The kinds of statsd metric Gnocchi's statsd daemon stores: a metric is named
/// `<name>|<type>` after them.
public enum StatsdMetricType: UInt8, Sendable {
    /// `c`: the sum of `value / sample_rate` over a flush.
    case counter
    /// `g`: the last value of a flush.
    case gauge
    /// `ms`: the last value of a flush (Gnocchi keeps no timer statistics).
    case timer

    /// The type's text as it ends a metric name (`c`, `g`, `ms`).
    public var suffix: String {
        switch self {
        case .counter: "c"
        case .gauge: "g"
        case .timer: "ms"
        }
    }
}

/// Why a statsd line was not counted; each is one label value of the refused-lines
/// counter in `/metrics`.
public enum StatsdRefusal: String, Error, Sendable, CaseIterable {
    /// Not `name:value|type[|@rate]`: a wrong number of `|` or `:`, a value that is
    /// not a number, or a name that is not UTF-8.
    case malformed
    /// A type other than `c`, `g` and `ms` (Gnocchi has no sets, histograms…).
    case unknownType = "unknown_type"
    /// A sample rate that is not a number, is zero, or is given to a gauge or timer.
    case badSampling = "bad_sampling"
}

/// One decoded statsd line, its name still in the datagram's bytes.
struct StatsdLine {
    /// The bytes of `name` (before the `:`).
    var name: Range<Int>
    var type: StatsdMetricType
    var value: Double
    /// Whether the value was written with a leading sign (a statsd gauge delta).
    var signed: Bool
    /// The sample rate, `nil` when the line has none.
    var sampleRate: Double?

    /// Decodes `bytes[range]` (one line, without its `\n`) the way gnocchi-statsd 4.7.1
    /// does: fields split on `|` (two or three of them), the first split on `:` (exactly
    /// two parts), the value and the sample rate (its first character, normally `@`,
    /// skipped) read as Python's `float()` reads them; a sample rate is refused on
    /// gauges and timers and a zero one on counters.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Result<
        StatsdLine, StatsdRefusal
    > {
        var pipes = (0, 0)
        var pipeCount = 0
        for index in range where bytes[index] == UInt8(ascii: "|") {
            pipeCount += 1
            if pipeCount == 1 { pipes.0 = index } else if pipeCount == 2 { pipes.1 = index } else { break }
        }
        guard pipeCount == 1 || pipeCount == 2 else { return .failure(.malformed) }
        let typeEnd = pipeCount == 2 ? pipes.1 : range.upperBound
        var sampleRate: Double?
        if pipeCount == 2 {
            let sampling = pipes.1 + 1..<range.upperBound
            guard sampling.count >= 1,
                let rate = number(bytes, sampling.lowerBound + 1..<sampling.upperBound)
            else { return .failure(.badSampling) }
            sampleRate = rate
        }
        var colon = -1
        for index in range.lowerBound..<pipes.0 where bytes[index] == UInt8(ascii: ":") {
            guard colon < 0 else { return .failure(.malformed) }
            colon = index
        }
        guard colon >= 0 else { return .failure(.malformed) }
        let valueRange = colon + 1..<pipes.0
        guard let value = number(bytes, valueRange) else { return .failure(.malformed) }
        let type: StatsdMetricType
        switch typeEnd - pipes.0 - 1 {
        case 1 where bytes[pipes.0 + 1] == UInt8(ascii: "c"): type = .counter
        case 1 where bytes[pipes.0 + 1] == UInt8(ascii: "g"): type = .gauge
        case 2 where bytes[pipes.0 + 1] == UInt8(ascii: "m") && bytes[pipes.0 + 2] == UInt8(ascii: "s"):
            type = .timer
        default: return .failure(.unknownType)
        }
        if let sampleRate {
            guard type == .counter, sampleRate != 0 else { return .failure(.badSampling) }
        }
        var first = valueRange.lowerBound
        while first < valueRange.upperBound, isSpace(bytes[first]) { first += 1 }
        let signed =
            first < valueRange.upperBound
            && (bytes[first] == UInt8(ascii: "+") || bytes[first] == UInt8(ascii: "-"))
        return .success(
            StatsdLine(
                name: range.lowerBound..<colon, type: type, value: value, signed: signed,
                sampleRate: sampleRate))
    }

    /// Python's `float()` of `bytes[range]`: plain decimals (the common case) exactly and
    /// without allocating, anything else through ``PythonFloatGrammar``.
    static func number(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Double? {
        var position = range.lowerBound
        var negative = false
        if position < range.upperBound,
            bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+")
        {
            negative = bytes[position] == UInt8(ascii: "-")
            position += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var fraction = 0
        var seenPoint = false
        while position < range.upperBound {
            let byte = bytes[position]
            if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                mantissa = mantissa &* 10 &+ UInt64(byte - UInt8(ascii: "0"))
                digits += 1
                if seenPoint { fraction += 1 }
            } else if byte == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
            } else {
                break
            }
            position += 1
        }
        if position == range.upperBound, digits > 0, digits <= 15 {
            let value = Double(mantissa) / powersOfTen[fraction]
            return negative ? -value : value
        }
        return PythonFloatGrammar.parse(UnsafeBufferPointer(rebasing: bytes[range]))
    }

    /// ASCII white space as Python's `str.strip()` sees it.
    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }

    private static let powersOfTen: [Double] = (0...15).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }
}
