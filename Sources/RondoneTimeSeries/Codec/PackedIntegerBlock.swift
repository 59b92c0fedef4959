/// The smallest and largest of a block's terms: all the encoder needs to size a block.
///
/// Both block forms are sized from these two numbers: the widest zig-zag field is that
/// of the term furthest from zero, which is `low` or `high`, and an offset field holds
/// at most `high - low`. Tracking them costs two compares a term and no division.
struct TermRange {
    var low = Int64.max
    var high = Int64.min

    @inline(__always)
    mutating func add(_ term: Int64) {
        low = min(low, term)
        high = max(high, term)
    }
}

/// How one block of packed integers is stored: the block's header byte says which.
///
/// * **zig-zag** (header `w`, 0...64): `len` fields of `w` bits, each `zigZag(term)`.
///   Best for terms of either sign around zero (a gauge's steps, a time stamp's jitter).
/// * **offset** (header `0x80 | w`): a zig-zag varint `base`, then `len` fields of `w`
///   bits, each `term - base` (mod 2^64), where `base` is the block's smallest term
///   (frame of reference). Best for terms away from zero or all of one sign (a counter's
///   increments, a steady interval): the sign bit zig-zag spends on every field, and the
///   distance from zero, cost one varint a block instead.
///
/// The encoder takes the smaller; on a tie, zig-zag (one byte less of header work for
/// the reader, and the form older records used).
struct BlockForm {
    /// Bit 7 of the header byte: an offset block.
    static let offsetFlag: UInt8 = 0x80

    /// Whether fields are offsets from `base` (else zig-zag terms).
    var offset: Bool
    /// Bits a field (0...64); 0 stores no field bytes at all.
    var width: Int
    /// Bytes of the whole block: header byte, `base` varint if any, fields.
    var size: Int

    /// The smaller form for `length` (≥ 1) terms spanning `range`.
    @inline(__always)
    init(length: Int, _ range: TermRange) {
        let zigZagWidth = 64 &- (zigZag(range.low) | zigZag(range.high)).leadingZeroBitCount
        let zigZagBytes = (length &* zigZagWidth &+ 7) &>> 3
        let offsetWidth = 64 &- UInt64(bitPattern: range.high &- range.low).leadingZeroBitCount
        let offsetBytes = Varint.size(zigZag(range.low)) &+ (length &* offsetWidth &+ 7) &>> 3
        if offsetBytes < zigZagBytes {
            (offset, width, size) = (true, offsetWidth, 1 &+ offsetBytes)
        } else {
            (offset, width, size) = (false, zigZagWidth, 1 &+ zigZagBytes)
        }
    }

    /// The block's header byte.
    var header: UInt8 { offset ? Self.offsetFlag | UInt8(width) : UInt8(width) }

    /// The bytes of a block of `length` terms spanning `range`; 0 for a block with no term.
    @inline(__always)
    static func size(length: Int, _ range: TermRange) -> Int {
        length <= 0 ? 0 : BlockForm(length: length, range).size
    }
}
