/// The frame every codec record shares: format byte, layout byte, point count, sections,
/// CRC-32C trailer.
///
/// ```
/// format u8 | layout u8 | count varint | timestamp section | value section | crc32c u32 LE
/// ```
///
/// The format byte names the kind of record and its version, so a reader can refuse
/// what it does not know and new encodings can be added beside the old ones; the layout
/// byte's high nibble selects the timestamp layout and its low nibble the value layout.
/// The CRC covers every byte before it, so a torn or bit-flipped file is always refused.
enum Record {
    static let trailerSize = 4
    /// The smallest record: format, layout, a zero count, the CRC.
    static let minimumSize = 3 + trailerSize

    /// Appends the format byte, a placeholder layout byte and the count; returns where the
    /// layout byte is, for ``setLayout(_:at:in:)``.
    static func begin(format: UInt8, count: Int, into out: inout [UInt8]) -> Int {
        let layoutIndex = out.count &+ 1
        out.append(format)
        out.append(0)
        Varint.append(UInt64(count), to: &out)
        return layoutIndex
    }

    static func setLayout(timestamps: UInt8, values: UInt8, at index: Int, in out: inout [UInt8]) {
        out[index] = timestamps &<< 4 | values
    }

    /// Appends the CRC-32C of `out[start...]`.
    static func finish(from start: Int, into out: inout [UInt8]) {
        let crc = out.withUnsafeBytes { CRC32C.update(0, UnsafeRawBufferPointer(rebasing: $0[start...])) }
        withUnsafeBytes(of: crc.littleEndian) { out.append(contentsOf: $0) }
    }

    /// Checks the format byte and the CRC and reads the header.
    ///
    /// Returns the layout nibbles, the point count (at most `maxCount`) and a reader
    /// positioned on the first section whose end excludes the trailer.
    static func open(_ bytes: UnsafeRawBufferPointer, format: UInt8, maxCount: Int) throws(CodecError) -> (
        timestampLayout: UInt8, valueLayout: UInt8, count: Int, reader: ByteReader
    ) {
        guard bytes.count >= 1 else { throw .truncated }
        guard bytes[0] == format else { throw .unknownFormat(bytes[0]) }
        guard bytes.count >= minimumSize else { throw .truncated }
        let body = bytes.count &- trailerSize
        let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: body, as: UInt32.self))
        guard CRC32C.update(0, UnsafeRawBufferPointer(rebasing: bytes[0..<body])) == stored else {
            throw .checksumMismatch
        }
        var reader = ByteReader(bytes, end: body)
        reader.position = 1
        let layout = try reader.byte()
        let count = try reader.varint(atMost: maxCount, "point count")
        if count == 0 {
            guard layout == 0, reader.remaining == 0 else { throw .malformed("empty record with data") }
        }
        return (layout &>> 4, layout & 0x0F, count, reader)
    }

    /// Decodes the value section that ends the record.
    static func decodeValues(
        layout: UInt8, _ reader: inout ByteReader, count n: Int
    ) throws(CodecError) -> [Double] {
        var values = [Double](repeating: 0, count: n)
        guard n > 0 else { return values }
        guard let valueLayout = ValueLayout(rawValue: layout) else { throw .unknownLayout(layout) }
        try values.withUnsafeMutableBufferPointer { (buffer) throws(CodecError) in
            try ValueEncoding.decode(valueLayout, &reader, count: n, into: buffer.baseAddress!)
        }
        return values
    }
}
