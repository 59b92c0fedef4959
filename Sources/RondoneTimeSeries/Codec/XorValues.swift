/// Values stored as the XOR of each with the previous one (Facebook's Gorilla, VLDB 2015).
///
/// Neighbouring values of a metric usually share sign, exponent and top mantissa bits,
/// so their XOR is a short run of "meaningful" bits between long runs of zeros. Each
/// value after the first is one of (bits in stream order, see docs/FORMAT.md):
///
/// * `0`: same bits as the previous value;
/// * `1 0` + meaningful bits: the XOR fits the current window (lead/trail zero counts);
/// * `1 1` + 6-bit leading-zero count + 6-bit (meaningful length − 1) + meaningful bits:
///   a new window.
///
/// Unlike Gorilla, the encoder opens a new window whenever that is cheaper than reusing
/// the old one (not only when the XOR does not fit), which the format allows for free.
/// Any bit pattern round-trips: the codec never does arithmetic on the values.
enum XorValues {
    /// Whether to reuse the window, and the window for this XOR (non-zero `x`).
    @inline(__always)
    private static func window(_ x: UInt64, lead: Int, trail: Int) -> (reuse: Bool, lead: Int, trail: Int) {
        let l = x.leadingZeroBitCount
        let t = x.trailingZeroBitCount
        if l >= lead && t >= trail && 64 &- lead &- trail <= 76 &- l &- t {
            return (true, lead, trail)
        }
        return (false, l, t)
    }

    /// The bytes `encode` appends for `values`.
    static func encodedSize(_ values: UnsafeBufferPointer<Double>) -> Int {
        guard let first = values.first else { return 0 }
        var bits = 64
        var previous = first.bitPattern
        var lead = 0
        var trail = 0
        for i in 1..<values.count {
            let current = values[i].bitPattern
            let x = current ^ previous
            previous = current
            if x == 0 {
                bits &+= 1
                continue
            }
            let w = window(x, lead: lead, trail: trail)
            (lead, trail) = (w.lead, w.trail)
            bits &+= (w.reuse ? 2 : 14) &+ 64 &- lead &- trail
        }
        return (bits &+ 7) &>> 3
    }

    /// Appends `values` (at least one) as an XOR bit stream padded to a byte.
    static func encode(_ values: UnsafeBufferPointer<Double>, into out: inout [UInt8]) {
        guard let first = values.first else { return }
        var writer = BitWriter()
        var previous = first.bitPattern
        writer.write(previous, count: 64, into: &out)
        var lead = 0
        var trail = 0
        for i in 1..<values.count {
            let current = values[i].bitPattern
            let x = current ^ previous
            previous = current
            if x == 0 {
                writer.write(0, count: 1, into: &out)
                continue
            }
            let w = window(x, lead: lead, trail: trail)
            if w.reuse {
                writer.write(0b01, count: 2, into: &out)
            } else {
                (lead, trail) = (w.lead, w.trail)
                let meaningful = 64 &- lead &- trail
                let control = 0b11 | UInt64(lead) &<< 2 | UInt64(meaningful &- 1) &<< 8
                writer.write(control, count: 14, into: &out)
            }
            writer.write(x &>> UInt64(trail), count: 64 &- lead &- trail, into: &out)
        }
        writer.finish(into: &out)
    }

    /// Decodes `n` values from the rest of `reader`'s range.
    static func decode(
        _ reader: inout ByteReader, count n: Int, into out: UnsafeMutablePointer<Double>
    ) throws(CodecError) {
        guard n > 0 else { return }
        var bits = BitReader(base: reader.base, start: reader.position, end: reader.end)
        var previous = try bits.read(64)
        out[0] = Double(bitPattern: previous)
        var lead = 0
        var trail = 0
        for i in 1..<n {
            if try bits.read(1) != 0 {
                if try bits.read(1) != 0 {
                    let header = try bits.read(12)
                    lead = Int(header & 63)
                    let meaningful = Int(header &>> 6) &+ 1
                    guard lead &+ meaningful <= 64 else { throw .malformed("XOR window wider than 64 bits") }
                    trail = 64 &- lead &- meaningful
                }
                previous ^= try bits.read(64 &- lead &- trail) &<< UInt64(trail)
            }
            out[i] = Double(bitPattern: previous)
        }
        reader.position = bits.nextByte
    }
}
