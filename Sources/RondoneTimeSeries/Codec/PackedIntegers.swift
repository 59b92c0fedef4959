/// A sequence of Int64 stored as differences of order 0, 1 or 2, bit-packed by block.
///
/// This is the integer path of the codec: raw-series time stamps, and values that are
/// integers or decimals (`m / 10^k`). Order 1 (deltas) suits counters, order 2
/// (delta-of-delta) suits regular time stamps and steady rates, order 0 suits small
/// values such as booleans; the encoder measures all three and keeps the smallest.
///
/// Layout (see docs/FORMAT.md): `order` byte; the first `order` terms as zig-zag
/// varints (they can be large: an absolute time stamp); then the other terms, zig-zag
/// mapped, in blocks of 128: a width byte `w` (0...64) and `ceil(len * w / 8)` bytes of
/// `w`-bit fields. A block per 128 terms keeps one outlier from widening the whole
/// record, and a width of 0 (a steady series) costs one byte per 128 points.
enum PackedIntegers {
    static let blockLength = 128

    /// The order whose encoding is smallest, and that encoding's size in bytes.
    static func bestOrder(_ values: UnsafeBufferPointer<Int64>) -> (order: Int, size: Int) {
        var best = (order: 0, size: Int.max)
        for order in 0...2 {
            let size = encodedSize(values, order: order)
            if size < best.size { best = (order, size) }
        }
        return best
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

    /// The OR of the terms `start..<end`: its bit length is the block's width.
    @inline(__always)
    private static func blockBits(_ v: UnsafeBufferPointer<Int64>, _ start: Int, _ end: Int, order: Int)
        -> UInt64
    {
        var bits: UInt64 = 0
        // Spelled out per order so each loop is branch-free and vectorizable.
        switch order {
        case 0:
            for i in start..<end { bits |= zigZag(v[i]) }
        case 1:
            for i in start..<end { bits |= zigZag(v[i] &- v[i &- 1]) }
        default:
            for i in start..<end { bits |= zigZag((v[i] &- v[i &- 1]) &- (v[i &- 1] &- v[i &- 2])) }
        }
        return bits
    }

    /// The bytes `encode(_:order:into:)` would append.
    static func encodedSize(_ values: UnsafeBufferPointer<Int64>, order: Int) -> Int {
        let n = values.count
        let head = min(order, n)
        var size = 1
        for i in 0..<head { size &+= Varint.size(term(values, i, order: order)) }
        var start = head
        while start < n {
            let end = min(start &+ blockLength, n)
            let width = 64 &- blockBits(values, start, end, order: order).leadingZeroBitCount
            size &+= 1 &+ ((end &- start) &* width &+ 7) &>> 3
            start = end
        }
        return size
    }

    /// Appends `values` as order-`order` differences.
    static func encode(_ values: UnsafeBufferPointer<Int64>, order: Int, into out: inout [UInt8]) {
        let n = values.count
        out.append(UInt8(order))
        let head = min(order, n)
        for i in 0..<head { Varint.append(term(values, i, order: order), to: &out) }
        var start = head
        var writer = BitWriter()
        while start < n {
            let end = min(start &+ blockLength, n)
            let width = 64 &- blockBits(values, start, end, order: order).leadingZeroBitCount
            out.append(UInt8(width))
            if width > 0 {
                for i in start..<end { writer.write(term(values, i, order: order), count: width, into: &out) }
                writer.finish(into: &out)
            }
            start = end
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
        var start = head
        while start < n {
            let end = min(start &+ blockLength, n)
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
            start = end
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
