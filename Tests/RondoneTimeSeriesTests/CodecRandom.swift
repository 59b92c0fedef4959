import RondoneTesting

@testable import RondoneTimeSeries

/// Codec-specific draws: the kinds of values and time stamps the codec treats differently.
extension SplitMix64 {
    /// Values of one of the kinds the codec treats differently (integers, decimals, XOR-friendly
    /// doubles, arbitrary bit patterns, special values), or a mix.
    mutating func values(_ n: Int) -> [Double] {
        let specials: [Double] = [
            .nan, -.nan, Double(bitPattern: 0x7FF0_0000_0000_0001), Double(bitPattern: 0xFFF8_DEAD_BEEF_0001),
            -0.0, 0.0, .infinity, -.infinity, .leastNonzeroMagnitude, -.leastNormalMagnitude,
            .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e-300, 9.007_199_254_740_993e15,
        ]
        switch Int.random(in: 0..<10, using: &self) {
        case 0:  // small integer counter
            var v = Double(Int.random(in: -1000...1000, using: &self))
            return (0..<n).map { _ in
                v += Double(Int.random(in: 0...20, using: &self))
                return v
            }
        case 1:  // huge integers up to ±2^62
            return (0..<n).map { _ in Double(Int64.random(in: -(1 << 62)...(1 << 62), using: &self)) }
        case 2:  // decimal random walk with 1...6 decimals
            let k = Int.random(in: 1...6, using: &self)
            var m = Int64.random(in: -100_000...100_000, using: &self)
            let scale = ValueEncoding.powersOfTen[k]
            return (0..<n).map { _ in
                m += Int64.random(in: -50...50, using: &self)
                return Double(m) / scale
            }
        case 3:  // uniform doubles
            return (0..<n).map { _ in Double.random(in: -1e6...1e6, using: &self) }
        case 4:  // any bit pattern at all
            return (0..<n).map { _ in Double(bitPattern: next()) }
        case 5:  // special values
            return (0..<n).map { _ in specials.randomElement(using: &self)! }
        case 6:  // all NaN
            return Array(repeating: .nan, count: n)
        case 7:  // tiny and huge magnitudes
            return (0..<n).map { _ in
                Double(
                    sign: Bool.random(using: &self) ? .minus : .plus,
                    exponent: Int.random(in: -1074...1023, using: &self),
                    significand: Double.random(in: 1..<2, using: &self))
            }
        case 8:  // mostly decimal with one special value: the decimal path must back off
            var values = (0..<n).map { _ in Double(Int.random(in: 0...9999, using: &self)) / 100 }
            values[Int.random(in: 0..<n, using: &self)] = specials.randomElement(using: &self)!
            return values
        default:  // constant
            return Array(repeating: Double(Int.random(in: -5...5, using: &self)) / 4, count: n)
        }
    }

    /// A split series: slots in one of several densities, on the grid of `granularity`.
    mutating func split(granularity g: Int64, splitStart: Int64) -> Series {
        var slots: [Int]
        switch Int.random(in: 0..<5, using: &self) {
        case 0: slots = Array(0..<3600)
        case 1:
            let a = Int.random(in: 0..<3600, using: &self)
            slots = Array(a..<Int.random(in: (a + 1)...3600, using: &self))
        case 2: slots = (0..<3600).filter { _ in Int.random(in: 0..<10, using: &self) < 8 }
        case 3: slots = (0..<3600).filter { _ in Int.random(in: 0..<100, using: &self) == 0 }
        default: slots = [Int.random(in: 0..<3600, using: &self)]
        }
        if slots.isEmpty { slots = [3599] }
        return Series(timestamps: slots.map { splitStart + Int64($0) * g }, values: values(slots.count))
    }

    /// A raw series: increasing time stamps, regular with jitter or irregular, maybe negative.
    mutating func rawSeries(count n: Int) -> Series {
        var t = Int64.random(in: -4_000_000_000_000_000_000...4_000_000_000_000_000_000, using: &self)
        let regular = Bool.random(using: &self)
        let step = Int64.random(in: 1...60_000_000_000, using: &self)
        var timestamps: [Int64] = []
        for _ in 0..<n {
            timestamps.append(t)
            t +=
                regular
                ? step + Int64.random(in: 0...1000, using: &self) : Int64.random(in: 1...step, using: &self)
        }
        return Series(timestamps: timestamps, values: values(n))
    }
}
