/// LEB128 varints and zig-zag mapping, the byte-level integer forms of the codec.
///
/// Unsigned LEB128 (as in protobuf and DWARF): 7 bits a byte, least significant group
/// first, the high bit set on every byte but the last. Small numbers (slot gaps, the
/// point count) take one byte, and readers exist in every language.
enum Varint {
    /// Appends `value` as an unsigned LEB128 varint (1 to 10 bytes).
    static func append(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v &>>= 7
        }
        out.append(UInt8(truncatingIfNeeded: v))
    }

    /// The number of bytes `append` writes for `value`.
    static func size(_ value: UInt64) -> Int {
        // 1 + floor(bits / 7), where bits is the position of the highest set bit.
        let bits = 64 &- (value | 1).leadingZeroBitCount
        return (bits &+ 6) / 7
    }
}

/// Zig-zag maps signed to unsigned so that numbers near zero, of either sign, stay small:
/// 0, -1, 1, -2, 2 … become 0, 1, 2, 3, 4 … (the protobuf `sint64` mapping).
func zigZag(_ n: Int64) -> UInt64 {
    UInt64(bitPattern: (n &<< 1) ^ (n &>> 63))
}

/// The inverse of ``zigZag(_:)``.
func unZigZag(_ u: UInt64) -> Int64 {
    Int64(bitPattern: u &>> 1) ^ -Int64(bitPattern: u & 1)
}

/// A cursor over the bytes of one record that never reads past its end.
///
/// Every read checks the remaining length and throws ``CodecError/truncated``, so a
/// short or crafted record cannot make a decoder touch memory it was not given.
struct ByteReader {
    let base: UnsafeRawPointer
    /// One past the last byte this reader may read.
    let end: Int
    /// The next byte to read.
    var position: Int

    init(_ bytes: UnsafeRawBufferPointer, end: Int) {
        // A zero-length buffer may have no address; any address works since nothing is read.
        self.base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        self.end = end
        self.position = 0
    }

    var remaining: Int { end &- position }

    mutating func byte() throws(CodecError) -> UInt8 {
        guard position < end else { throw .truncated }
        let b = base.load(fromByteOffset: position, as: UInt8.self)
        position &+= 1
        return b
    }

    /// Reads an unsigned LEB128 varint; rejects encodings longer than 10 bytes or above 2⁶⁴.
    mutating func varint() throws(CodecError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            if shift == 63 && b > 1 { throw .malformed("varint overflows 64 bits") }
            result |= UInt64(b & 0x7F) &<< shift
            if b < 0x80 { return result }
            shift &+= 7
        }
    }

    /// Reads a varint that must be at most `limit` (a count, a slot, a length).
    mutating func varint(atMost limit: Int, _ what: String) throws(CodecError) -> Int {
        let v = try varint()
        guard v <= UInt64(limit) else { throw .malformed("\(what) out of range") }
        return Int(v)
    }

    /// Skips `count` bytes and returns the offset of the first one.
    mutating func skip(_ count: Int) throws(CodecError) -> Int {
        guard count >= 0, count <= remaining else { throw .truncated }
        let start = position
        position &+= count
        return start
    }
}
