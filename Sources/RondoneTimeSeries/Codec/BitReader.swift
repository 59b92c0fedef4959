/// Reads the bit fields a ``BitWriter`` wrote, from a bounded range of a record.
///
/// Every read checks that the bits are inside the range and throws
/// ``CodecError/truncated`` otherwise, so damaged input cannot read out of bounds.
/// Fields of up to 56 bits cost one unaligned 64-bit load; near the end of the range the
/// reader assembles the word byte by byte so it never touches a byte past `end`.
struct BitReader {
    private let base: UnsafeRawPointer
    /// One past the last byte of the range.
    private let endByte: Int
    /// The first bit past the range.
    private let endBit: Int
    /// The next bit to read, counted from `base`.
    private(set) var position: Int

    /// A reader over bytes `start..<end` of `base`.
    init(base: UnsafeRawPointer, start: Int, end: Int) {
        self.base = base
        self.endByte = end
        self.endBit = end &* 8
        self.position = start &* 8
    }

    /// The byte after the last one read from (the end of a byte-padded field group).
    var nextByte: Int { (position &+ 7) &>> 3 }

    /// Bits left in the range.
    var remaining: Int { endBit &- position }

    /// Reads a `count`-bit field (`count` in 0...64).
    @inline(__always)
    mutating func read(_ count: Int) throws(CodecError) -> UInt64 {
        guard count <= endBit &- position else { throw .truncated }
        if count <= 56 {
            let v = peek() & lowMask(count)
            position &+= count
            return v
        }
        let low = peek() & 0xFFFF_FFFF
        position &+= 32
        let high = peek() & lowMask(count &- 32)
        position &+= count &- 32
        return low | (high &<< 32)
    }

    /// Moves on to the next byte boundary (a new byte-aligned group of fields).
    mutating func alignToByte() {
        position = (position &+ 7) & ~7
    }

    /// At least 56 valid bits starting at `position` (bits past `end` read as 0).
    @inline(__always)
    private func peek() -> UInt64 {
        let byte = position &>> 3
        let shift = UInt64(position & 7)
        if byte &+ 8 <= endByte {
            return UInt64(littleEndian: base.loadUnaligned(fromByteOffset: byte, as: UInt64.self)) &>> shift
        }
        var word: UInt64 = 0
        var i = byte
        while i < endByte {
            word |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) &<< UInt64((i &- byte) &* 8)
            i &+= 1
        }
        return word &>> shift
    }
}
