/// How a record stores its values; the low nibble of the record's layout byte.
///
/// Chosen per record by what is smallest, so the codec never stores more than the raw
/// 8 bytes a value (plus the header) whatever the data.
enum ValueLayout: UInt8 {
    /// Little-endian IEEE 754 float64, 8 bytes a value: the fallback.
    case raw = 0
    /// Every value is exactly `m / 10^k` (k in 0...15; k = 0: integers), stored as a
    /// scale byte `k` and the integers `m` as ``PackedIntegers``.
    case scaled = 1
    /// Gorilla-style XOR of each value with the previous one, with a reusable window of
    /// meaningful bits (see ``XorValues``).
    case xor = 2
}

/// The value section of a record, shared by splits and raw series.
enum ValueEncoding {
    /// Powers of ten that are exact in float64; 10^15 is the last one below 2^53 that keeps
    /// `m` exact for 2-decimal data of up to 13 digits, which covers real metrics.
    static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ]

    /// Appends the smallest encoding of `values` and returns its layout.
    static func encode(_ values: UnsafeBufferPointer<Double>, into out: inout [UInt8]) -> ValueLayout {
        let n = values.count
        let rawSize = n &* 8
        return withUnsafeTemporaryAllocation(of: Int64.self, capacity: max(n, 1)) { scratch in
            let integers = UnsafeBufferPointer(rebasing: scratch[0..<n])
            var scaledSize = Int.max
            var scale = 0
            var order = 0
            if let k = scaledIntegers(values, into: scratch.baseAddress!) {
                let best = PackedIntegers.bestOrder(integers)
                (scale, order, scaledSize) = (k, best.order, 1 &+ best.size)
            }
            // XOR only beats integers under 1 byte a value on data that mostly repeats
            // (1 bit a repeat), where integers are also small; measuring it costs a pass,
            // so only do it when the integers take a byte a value or more.
            var xorSize = Int.max
            if scaledSize >= n {
                xorSize = XorValues.encodedSize(values)
            }
            if scaledSize <= xorSize && scaledSize < rawSize {
                out.append(UInt8(scale))
                PackedIntegers.encode(integers, order: order, into: &out)
                return .scaled
            }
            if xorSize < rawSize {
                XorValues.encode(values, into: &out)
                return .xor
            }
            #if _endian(little)
                out.append(contentsOf: UnsafeRawBufferPointer(values))
            #else
                for v in values {
                    withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) }
                }
            #endif
            return .raw
        }
    }

    /// Decodes the value section `reader.position..<reader.end` holding `n` values.
    static func decode(
        _ layout: ValueLayout, _ reader: inout ByteReader, count n: Int,
        into out: UnsafeMutablePointer<Double>
    ) throws(CodecError) {
        switch layout {
        case .raw:
            guard reader.remaining == n &* 8 else { throw .malformed("raw values length") }
            let first = try reader.skip(n &* 8)
            for i in 0..<n {
                let bits = reader.base.loadUnaligned(fromByteOffset: first &+ i &* 8, as: UInt64.self)
                out[i] = Double(bitPattern: UInt64(littleEndian: bits))
            }
        case .scaled:
            let k = Int(try reader.byte())
            guard k < powersOfTen.count else { throw .malformed("decimal scale above 15") }
            // The integers go in the output buffer itself (same size), then become doubles.
            try out.withMemoryRebound(to: Int64.self, capacity: n) { (integers) throws(CodecError) in
                try PackedIntegers.decode(&reader, count: n, into: integers)
            }
            let scale = powersOfTen[k]
            let raw = UnsafeMutableRawPointer(out)
            for i in 0..<n {
                let m = raw.load(fromByteOffset: i &* 8, as: Int64.self)
                raw.storeBytes(of: Double(m) / scale, toByteOffset: i &* 8, as: Double.self)
            }
        case .xor:
            try XorValues.decode(&reader, count: n, into: out)
        }
        guard reader.remaining == 0 else { throw .malformed("bytes after the values") }
    }

    /// The smallest `k` such that every value is exactly `m / 10^k` for an integer `m`,
    /// with those `m` written to `out`; nil if there is none. -0.0, NaN and infinities
    /// fail the round trip, so they go to XOR or raw.
    static func scaledIntegers(_ values: UnsafeBufferPointer<Double>, into out: UnsafeMutablePointer<Int64>)
        -> Int?
    {
        var k = 0
        var scale = 1.0
        // Values before this index were checked at a smaller scale than the final one.
        var stale = 0
        for i in values.indices {
            let v = values[i]
            while true {
                let r = (v * scale).rounded()
                // Inside ±2^63 so the conversion cannot trap; NaN fails the comparison.
                // Round-trip through Int64 as the decoder does: that turns -0.0 into 0.
                if abs(r) < 9.223_372_036_854_774e18 && (Double(Int64(r)) / scale).bitPattern == v.bitPattern
                {
                    out[i] = Int64(r)
                    break
                }
                k &+= 1
                if k >= powersOfTen.count { return nil }
                scale = powersOfTen[k]
                stale = i
            }
        }
        // A value exact at a scale is almost always exact at a larger one (not when
        // `m` outgrows 2^53); the decoder divides by the final scale, so check again.
        for i in 0..<stale {
            let r = (values[i] * scale).rounded()
            guard
                abs(r) < 9.223_372_036_854_774e18
                    && (Double(Int64(r)) / scale).bitPattern == values[i].bitPattern
            else {
                return nil
            }
            out[i] = Int64(r)
        }
        return k
    }
}
