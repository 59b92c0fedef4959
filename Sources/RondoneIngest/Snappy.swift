/// Decompression of Snappy's block format (the raw format, not the framed stream), as
/// Prometheus remote write sends it with `Content-Encoding: snappy`.
///
/// Written here rather than linked from `libsnappy` so the server has no system library
/// to install and so every read is checked: the input is untrusted, and a malformed
/// block (truncated element, copy reaching before the start, length disagreeing with the
/// preamble, declared size above the cap) throws `IngestError`, never traps and never
/// reads or writes out of bounds. The cap is checked against the preamble before any
/// allocation, so a tiny body cannot make the server allocate gigabytes.
///
/// Format (github.com/google/snappy `format_description.txt`): a varint with the
/// uncompressed length, then elements whose tag byte's low two bits say what follows —
/// `00` a literal (length in the tag, or in the 1–4 bytes after it), `01` a copy of 4–11
/// bytes at an 11-bit offset, `10` a copy of 1–64 bytes at a 16-bit offset, `11` the same
/// at a 32-bit offset. Offsets count back from the end of the output so far.
public enum Snappy {
    /// Default ceiling of a decompressed block: 64 MiB (Prometheus sends a few MiB).
    public static let defaultMaxLength = 64 * 1024 * 1024

    /// The uncompressed length a block declares, checked against `maxLength`.
    public static func declaredLength(_ input: UnsafeRawBufferPointer, maxLength: Int = defaultMaxLength)
        throws(IngestError) -> Int
    {
        var reader = Reader(input)
        return try reader.preamble(maxLength: maxLength)
    }

    /// The decompressed bytes of one block.
    public static func decompress(_ input: [UInt8], maxLength: Int = defaultMaxLength) throws(IngestError)
        -> [UInt8]
    {
        let result = input.withUnsafeBytes { bytes in
            Result { () throws(IngestError) in try decompress(bytes, maxLength: maxLength) }
        }
        return try result.get()
    }

    /// The decompressed bytes of one block.
    public static func decompress(_ input: UnsafeRawBufferPointer, maxLength: Int = defaultMaxLength)
        throws(IngestError) -> [UInt8]
    {
        var reader = Reader(input)
        let length = try reader.preamble(maxLength: maxLength)
        var failure: IngestError?
        let output = [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            do throws(IngestError) {
                try reader.elements(into: buffer, count: &count)
            } catch {
                failure = error
                // UInt8 needs no deinitialisation; hand back what was written.
            }
        }
        if let failure { throw failure }
        return output
    }

    /// A bounds-checked cursor over the compressed bytes.
    private struct Reader {
        let input: UnsafeRawBufferPointer
        var position = 0

        init(_ input: UnsafeRawBufferPointer) {
            self.input = input
        }

        mutating func preamble(maxLength: Int) throws(IngestError) -> Int {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard position < input.count else { throw IngestError("snappy: truncated length preamble") }
                let byte = input[position]
                position += 1
                // The length is a uint32: at most five bytes, the fifth below 16.
                guard shift < 32, shift < 28 || byte < 16 else {
                    throw IngestError("snappy: length preamble overflows 32 bits")
                }
                value |= UInt64(byte & 0x7f) << shift
                if byte & 0x80 == 0 { break }
                shift += 7
            }
            guard value <= UInt64(maxLength) else {
                throw IngestError("snappy: block of \(value) bytes exceeds the \(maxLength) byte limit")
            }
            return Int(value)
        }

        /// Little-endian integer of `width` (1–4) bytes.
        mutating func little(_ width: Int) throws(IngestError) -> Int {
            guard input.count - position >= width else { throw IngestError("snappy: truncated element") }
            var value = 0
            for index in 0..<width { value |= Int(input[position + index]) << (8 * index) }
            position += width
            return value
        }

        mutating func elements(into output: UnsafeMutableBufferPointer<UInt8>, count: inout Int)
            throws(IngestError)
        {
            let capacity = output.count
            while position < input.count {
                let tag = Int(input[position])
                position += 1
                switch tag & 3 {
                case 0:
                    var length = tag >> 2
                    if length >= 60 { length = try little(length - 59) }
                    length += 1
                    guard input.count - position >= length else {
                        throw IngestError("snappy: truncated literal")
                    }
                    guard capacity - count >= length else {
                        throw IngestError("snappy: output exceeds the declared length")
                    }
                    UnsafeMutableRawPointer(output.baseAddress! + count).copyMemory(
                        from: input.baseAddress! + position, byteCount: length)
                    position += length
                    count += length
                case 1:
                    let length = 4 + ((tag >> 2) & 7)
                    let offset = ((tag >> 5) << 8) | (try little(1))
                    try copy(offset: offset, length: length, into: output, count: &count)
                case 2:
                    try copy(offset: try little(2), length: 1 + (tag >> 2), into: output, count: &count)
                default:
                    try copy(offset: try little(4), length: 1 + (tag >> 2), into: output, count: &count)
                }
            }
            guard count == capacity else {
                throw IngestError("snappy: \(count) bytes decompressed, \(capacity) declared")
            }
        }

        /// Appends `length` bytes starting `offset` back; overlapping copies repeat the
        /// pattern (an offset of 1 is a run of one byte), so they go byte by byte.
        func copy(offset: Int, length: Int, into output: UnsafeMutableBufferPointer<UInt8>, count: inout Int)
            throws(IngestError)
        {
            guard offset > 0, offset <= count else { throw IngestError("snappy: copy offset out of range") }
            guard output.count - count >= length else {
                throw IngestError("snappy: output exceeds the declared length")
            }
            var from = count - offset
            if offset >= length {
                (output.baseAddress! + count).update(from: output.baseAddress! + from, count: length)
                count += length
                return
            }
            for _ in 0..<length {
                output[count] = output[from]
                count += 1
                from += 1
            }
        }
    }
}
