/// Reading and writing the fixed-width integers of the on-disk records (incoming log,
/// aggregate log): little-endian, at any byte offset.
enum LittleEndianBytes {
    /// Appends `value`'s little-endian bytes to `buffer`.
    @inline(__always)
    static func append<T: FixedWidthInteger>(_ value: T, into buffer: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }

    /// The little-endian `UInt32` at `offset`.
    @inline(__always)
    static func read32(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// The little-endian `UInt64` at `offset`.
    @inline(__always)
    static func read64(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}
