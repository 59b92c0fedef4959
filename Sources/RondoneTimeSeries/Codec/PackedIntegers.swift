/// A sequence of Int64 stored as differences of order 0, 1 or 2, bit-packed by block.
///
/// This is the integer path of the codec: raw-series time stamps, and values that are
/// integers or decimals (`m / 10^k`). Order 1 (deltas) suits counters, order 2
/// (delta-of-delta) suits regular time stamps and steady rates, order 0 suits small
/// values such as booleans; the encoder measures all three and keeps the smallest.
///
/// Layout (see docs/FORMAT.md): `order` byte; the first `order` terms as zig-zag
/// varints (they can be large: an absolute time stamp); then the other terms in blocks
/// that cover indexes `128j ..< 128(j+1)` (less the head), each a ``BlockForm``: a
/// header byte, for an offset block the block's smallest term, and `w`-bit fields. A
/// block per 128 terms keeps one outlier from widening the whole record, and a width of
/// 0 (a steady series) costs one byte per 128 points.
enum PackedIntegers {
    static let blockLength = 128

    /// The order whose encoding is smallest, and that encoding's size in bytes.
    ///
    /// One pass measures all three orders: blocks sit at fixed indexes (not after the
    /// head), which is what lets one loop serve every order.
    static func bestOrder(_ v: UnsafeBufferPointer<Int64>) -> (order: Int, size: Int) {
        let n = v.count
        var sizes = (1, 1, 1)
        if n > 0 {
            sizes.1 &+= Varint.size(zigZag(v[0]))
            sizes.2 &+= Varint.size(zigZag(v[0]))
        }
        if n > 1 { sizes.2 &+= Varint.size(zigZag(v[1] &- v[0])) }
        var start = 0
        while start < n {
            let end = min(start &+ blockLength, n)
            var ranges = (TermRange(), TermRange(), TermRange())
            if start == 0 {
                ranges.0.add(v[0])
                if n > 1 {
                    ranges.0.add(v[1])
                    ranges.1.add(v[1] &- v[0])
                }
            }
            for i in max(start, 2)..<max(end, 2) {
                let d = v[i] &- v[i &- 1]
                ranges.0.add(v[i])
                ranges.1.add(d)
                ranges.2.add(d &- (v[i &- 1] &- v[i &- 2]))
            }
            sizes.0 &+= BlockForm.size(length: end &- start, ranges.0)
            sizes.1 &+= BlockForm.size(length: end &- max(start, 1), ranges.1)
            sizes.2 &+= BlockForm.size(length: end &- max(start, 2), ranges.2)
            start = end
        }
        if sizes.2 < sizes.1 && sizes.2 < sizes.0 { return (2, sizes.2) }
        return sizes.1 < sizes.0 ? (1, sizes.1) : (0, sizes.0)
    }

    /// Appends `values` in the order whose encoding is smallest.
    static func encode(_ values: UnsafeBufferPointer<Int64>, into out: inout [UInt8]) {
        encode(values, order: bestOrder(values).order, into: &out)
    }

    /// Writes terms `first..<end` of the order-`order` difference sequence to `terms`.
    @inline(__always)
    private static func terms(
        _ v: UnsafeBufferPointer<Int64>, _ first: Int, _ end: Int, order: Int,
        into terms: UnsafeMutablePointer<Int64>
    ) {
        // The switch sits outside the loops so each loop is straight-line code.
        switch order {
        case 0:
            for i in first..<end { terms[i &- first] = v[i] }
        case 1:
            for i in first..<end { terms[i &- first] = i == 0 ? v[0] : v[i] &- v[i &- 1] }
        default:
            for i in first..<end {
                terms[i &- first] =
                    i < 2
                    ? (i == 0 ? v[0] : v[1] &- v[0]) : (v[i] &- v[i &- 1]) &- (v[i &- 1] &- v[i &- 2])
            }
        }
    }

    /// Appends `values` as order-`order` differences.
    static func encode(_ values: UnsafeBufferPointer<Int64>, order: Int, into out: inout [UInt8]) {
        let n = values.count
        out.append(UInt8(order))
        let head = min(order, n)
        withUnsafeTemporaryAllocation(of: Int64.self, capacity: blockLength) { buffer in
            let block = buffer.baseAddress!
            if head > 0 {
                terms(values, 0, head, order: order, into: block)
                for i in 0..<head { Varint.append(zigZag(block[i]), to: &out) }
            }
            var writer = BitWriter()
            for start in stride(from: 0, to: n, by: blockLength) {
                let first = max(start, head)
                let length = min(start &+ blockLength, n) &- first
                guard length > 0 else { continue }
                terms(values, first, first &+ length, order: order, into: block)
                var range = TermRange()
                for i in 0..<length { range.add(block[i]) }
                let form = BlockForm(length: length, range)
                out.append(form.header)
                if form.offset { Varint.append(zigZag(range.low), to: &out) }
                guard form.width > 0 else { continue }
                if form.offset {
                    for i in 0..<length {
                        writer.write(UInt64(bitPattern: block[i] &- range.low), count: form.width, into: &out)
                    }
                } else {
                    for i in 0..<length { writer.write(zigZag(block[i]), count: form.width, into: &out) }
                }
                writer.finish(into: &out)
            }
        }
    }

    /// Decodes `count` integers from `reader` into `out` (which has room for `count`).
    static func decode(
        _ reader: inout ByteReader, count n: Int, into out: UnsafeMutablePointer<Int64>
    ) throws(CodecError) {
        let order = Int(try reader.byte())
        guard order <= 2 else { throw .malformed("difference order above 2") }
        let head = min(order, n)
        for i in 0..<head { out[i] = unZigZag(try reader.varint()) }
        for blockStart in stride(from: 0, to: n, by: blockLength) {
            let start = max(blockStart, head)
            let end = min(blockStart &+ blockLength, n)
            guard start < end else { continue }
            let header = try reader.byte()
            let width = Int(header & ~BlockForm.offsetFlag)
            guard width <= 64 else { throw .malformed("bit width above 64") }
            let base: Int64? = header & BlockForm.offsetFlag != 0 ? unZigZag(try reader.varint()) : nil
            if width == 0 {
                (out + start).initialize(repeating: base ?? 0, count: end &- start)
                continue
            }
            let bytes = ((end &- start) &* width &+ 7) &>> 3
            let first = try reader.skip(bytes)
            var bits = BitReader(base: reader.base, start: first, end: first &+ bytes)
            if let base {
                for i in start..<end { out[i] = base &+ Int64(bitPattern: try bits.read(width)) }
            } else {
                for i in start..<end { out[i] = unZigZag(try bits.read(width)) }
            }
        }
        // Undo the differences (wrapping, as the encoder took them).
        if order == 1 {
            for i in 1..<max(n, 1) { out[i] = out[i &- 1] &+ out[i] }
        } else if order == 2 && n >= 2 {
            var delta = out[1]
            out[1] = out[0] &+ delta
            for i in 2..<n {
                delta &+= out[i]
                out[i] = out[i &- 1] &+ delta
            }
        }
    }
}
