/// A sequence of Int64 stored as differences of order 0, 1 or 2, bit-packed by block.
///
/// This is the integer path of the codec: raw-series time stamps, and values that are
/// integers or decimals (`m / 10^k`). Order 1 (deltas) suits counters, order 2
/// (delta-of-delta) suits regular time stamps and steady rates, order 0 suits small
/// values such as booleans; the encoder measures all three and keeps the smallest.
///
/// Layout (see docs/FORMAT.md): `order` byte; the first `order` terms as zig-zag
/// varints (they can be large: an absolute time stamp); then the other terms, zig-zag
/// mapped, in blocks that cover indexes `128j ..< 128(j+1)` (less the head): a width byte
/// `w` (0...64) and `ceil(len * w / 8)` bytes of `w`-bit fields. A block per 128 terms keeps one outlier from widening the whole
/// record, and a width of 0 (a steady series) costs one byte per 128 points.
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
            var bits: (UInt64, UInt64, UInt64) = (0, 0, 0)
            if start == 0 {
                bits.0 = zigZag(v[0])
                if n > 1 { bits = (bits.0 | zigZag(v[1]), zigZag(v[1] &- v[0]), 0) }
            }
            for i in max(start, 2)..<max(end, 2) {
                let d = v[i] &- v[i &- 1]
                bits.0 |= zigZag(v[i])
                bits.1 |= zigZag(d)
                bits.2 |= zigZag(d &- (v[i &- 1] &- v[i &- 2]))
            }
            sizes.0 &+= blockSize(end &- start, bits.0)
            sizes.1 &+= blockSize(end &- max(start, 1), bits.1)
            sizes.2 &+= blockSize(end &- max(start, 2), bits.2)
            start = end
        }
        if sizes.2 < sizes.1 && sizes.2 < sizes.0 { return (2, sizes.2) }
        return sizes.1 < sizes.0 ? (1, sizes.1) : (0, sizes.0)
    }

    /// The bytes of a block of `length` terms whose OR is `bits` (none if it holds no term).
    @inline(__always)
    private static func blockSize(_ length: Int, _ bits: UInt64) -> Int {
        length <= 0 ? 0 : 1 &+ (length &* (64 &- bits.leadingZeroBitCount) &+ 7) &>> 3
    }

    /// Appends `values` in the order whose encoding is smallest.
    static func encode(_ values: UnsafeBufferPointer<Int64>, into out: inout [UInt8]) {
        encode(values, order: bestOrder(values).order, into: &out)
    }

    /// The zig-zag mapped term `i` of the order-`order` difference sequence.
    @inline(__always)
    private static func term(_ v: UnsafeBufferPointer<Int64>, _ i: Int, order: Int) -> UInt64 {
        switch order {
        case 0: return zigZag(v[i])
        case 1: return zigZag(i == 0 ? v[0] : v[i] &- v[i &- 1])
        default:
            if i < 2 { return zigZag(i == 0 ? v[0] : v[1] &- v[0]) }
            return zigZag((v[i] &- v[i &- 1]) &- (v[i &- 1] &- v[i &- 2]))
        }
    }

    /// Appends `values` as order-`order` differences.
    static func encode(_ values: UnsafeBufferPointer<Int64>, order: Int, into out: inout [UInt8]) {
        let n = values.count
        out.append(UInt8(order))
        let head = min(order, n)
        for i in 0..<head { Varint.append(term(values, i, order: order), to: &out) }
        var writer = BitWriter()
        for start in stride(from: 0, to: n, by: blockLength) {
            let first = max(start, head)
            let end = min(start &+ blockLength, n)
            guard first < end else { continue }
            var bits: UInt64 = 0
            for i in first..<end { bits |= term(values, i, order: order) }
            let width = 64 &- bits.leadingZeroBitCount
            out.append(UInt8(width))
            if width > 0 {
                for i in first..<end { writer.write(term(values, i, order: order), count: width, into: &out) }
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
            let width = Int(try reader.byte())
            guard width <= 64 else { throw .malformed("bit width above 64") }
            if width == 0 {
                (out + start).initialize(repeating: 0, count: end &- start)
            } else {
                let bytes = ((end &- start) &* width &+ 7) &>> 3
                let first = try reader.skip(bytes)
                var bits = BitReader(base: reader.base, start: first, end: first &+ bytes)
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
