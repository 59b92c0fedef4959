/// How an aggregated split stores its time stamps; the high nibble of the layout byte.
///
/// A split's time stamps are `splitStart + slot × granularity` with `slot` in 0..<3600,
/// so only the slot numbers are stored, in whichever of three forms is smallest.
enum SlotLayout: UInt8 {
    /// Every slot from `first` to `first + count - 1`: a full or trailing split, 1–2 bytes.
    case run = 1
    /// `first`, `span`, then one bit per slot of the span: dense splits with holes.
    case bitmap = 2
    /// `first`, then `gap - 1` for each following point as varints: sparse splits.
    case gaps = 3
}

/// The slot numbers of a split's points and the sizes of their three encodings.
struct SlotPlan {
    var first = 0
    var last = 0
    var gapBytes = 0

    /// Computes the plan; the `BUG:` preconditions hold when the caller passes the split's
    /// own key, as the storage layer does.
    init(_ timestamps: UnsafeBufferPointer<Int64>, splitStart: Int64, granularity g: Int64) {
        precondition(g > 0, "BUG: split granularity must be positive")
        guard let t0 = timestamps.first else { return }
        let offset = t0 &- splitStart
        precondition(offset >= 0 && offset % g == 0, "BUG: point before its split or off its granularity")
        first = Int(offset / g)
        var slot = first
        for i in 1..<timestamps.count {
            let d = timestamps[i] &- timestamps[i &- 1]
            // Dense splits step by exactly one granularity: no division on that path.
            let gap = d == g ? 1 : Int(d / g)
            precondition(d > 0 && (d == g || d % g == 0), "BUG: split time stamps not increasing on the grid")
            slot &+= gap
            gapBytes &+= Varint.size(UInt64(gap &- 1))
        }
        last = slot
        precondition(last < SplitCodec.pointsPerSplit, "BUG: point after the end of its split")
    }

    func layout(count: Int) -> (SlotLayout, size: Int) {
        let head = Varint.size(UInt64(first))
        if last &- first &+ 1 == count { return (.run, head) }
        let span = last &- first &+ 1
        let bitmap = head &+ Varint.size(UInt64(span)) &+ (span &+ 7) / 8
        let gaps = head &+ gapBytes
        return bitmap <= gaps ? (.bitmap, bitmap) : (.gaps, gaps)
    }
}

enum SlotEncoding {
    /// Appends the slots of `timestamps` in `layout` (from ``SlotPlan``).
    static func encode(
        _ timestamps: UnsafeBufferPointer<Int64>, plan: SlotPlan, layout: SlotLayout, granularity g: Int64,
        into out: inout [UInt8]
    ) {
        Varint.append(UInt64(plan.first), to: &out)
        switch layout {
        case .run:
            return
        case .bitmap:
            let span = plan.last &- plan.first &+ 1
            Varint.append(UInt64(span), to: &out)
            let base = out.count
            out.append(contentsOf: repeatElement(0, count: (span &+ 7) / 8))
            var offset = 0
            for i in timestamps.indices {
                if i > 0 {
                    let d = timestamps[i] &- timestamps[i &- 1]
                    offset &+= d == g ? 1 : Int(d / g)
                }
                out[base &+ offset &>> 3] |= 1 &<< UInt8(offset & 7)
            }
        case .gaps:
            for i in 1..<timestamps.count {
                let d = timestamps[i] &- timestamps[i &- 1]
                Varint.append(UInt64(d == g ? 0 : Int(d / g) &- 1), to: &out)
            }
        }
    }

    /// Decodes `n` (≥ 1) slots into time stamps `splitStart + slot × g`.
    static func decode(
        _ layout: SlotLayout, _ reader: inout ByteReader, count n: Int, splitStart: Int64,
        granularity g: Int64,
        into out: UnsafeMutablePointer<Int64>
    ) throws(CodecError) {
        let slots = SplitCodec.pointsPerSplit
        let first = try reader.varint(atMost: slots &- 1, "first slot")
        var t = splitStart &+ Int64(first) &* g
        switch layout {
        case .run:
            guard first &+ n <= slots else { throw .malformed("run past the end of the split") }
            for i in 0..<n {
                out[i] = t
                t &+= g
            }
        case .bitmap:
            let span = try reader.varint(atMost: slots &- first, "bitmap span")
            let start = try reader.skip((span &+ 7) / 8)
            var written = 0
            for bit in 0..<span
            where reader.base.load(fromByteOffset: start &+ bit &>> 3, as: UInt8.self)
                & (1 &<< UInt8(bit & 7)) != 0
            {
                guard written < n else { throw .malformed("bitmap holds more points than the count") }
                out[written] = t &+ Int64(bit) &* g
                written &+= 1
            }
            guard written == n else { throw .malformed("bitmap holds fewer points than the count") }
            if span & 7 != 0 {
                let lastByte = reader.base.load(fromByteOffset: start &+ span &>> 3, as: UInt8.self)
                guard lastByte &>> UInt8(span & 7) == 0 else {
                    throw .malformed("bits set past the bitmap span")
                }
            }
        case .gaps:
            var slot = first
            out[0] = t
            for i in 1..<n {
                slot &+= try reader.varint(atMost: slots, "slot gap") &+ 1
                guard slot < slots else { throw .malformed("gap past the end of the split") }
                out[i] = splitStart &+ Int64(slot) &* g
            }
        }
    }
}
