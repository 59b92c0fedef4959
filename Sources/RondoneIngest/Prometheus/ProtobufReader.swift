/// A bounds-checked reader of the protobuf wire format, for the few messages Rondone
/// decodes (Prometheus' `WriteRequest`). Every read checks the remaining length and
/// throws `IngestError` on truncation, overlong varints and wire types protobuf 3 does
/// not have, so any byte string is either decoded or refused, never trapped on.
///
/// Why not swift-protobuf: its runtime decodes into one class instance per message
/// (per label and per sample), and its code generator would add a plugin build of
/// about ten minutes to CI; four messages with seven fields do not need either.
struct ProtobufReader {
    /// How the bytes of a field are laid out (the low three bits of its key).
    enum WireType: UInt64 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case fixed32 = 5
    }

    let bytes: UnsafeRawBufferPointer
    var position: Int
    let end: Int

    init(_ bytes: UnsafeRawBufferPointer, from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.position = start
        self.end = end ?? bytes.count
    }

    var isAtEnd: Bool { position >= end }

    mutating func varint() throws(IngestError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw IngestError("protobuf: truncated varint") }
            let byte = bytes[position]
            position += 1
            // Ten bytes at most; the tenth carries only the 64th bit.
            guard shift < 63 || byte <= 1 else { throw IngestError("protobuf: varint overflows 64 bits") }
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    /// The next field's number and wire type.
    mutating func key() throws(IngestError) -> (field: UInt64, wireType: WireType) {
        let key = try varint()
        guard let wireType = WireType(rawValue: key & 7) else {
            throw IngestError("protobuf: unsupported wire type \(key & 7)")
        }
        guard key >> 3 != 0 else { throw IngestError("protobuf: field number 0") }
        return (key >> 3, wireType)
    }

    mutating func fixed64() throws(IngestError) -> UInt64 {
        guard end - position >= 8 else { throw IngestError("protobuf: truncated fixed64") }
        let value = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self))
        position += 8
        return value
    }

    /// The range of a length-delimited field's bytes, which the reader then skips.
    mutating func lengthDelimited() throws(IngestError) -> Range<Int> {
        let length = try varint()
        guard length <= UInt64(end - position) else { throw IngestError("protobuf: truncated field") }
        let range = position..<position + Int(length)
        position = range.upperBound
        return range
    }

    /// A length-delimited field read as UTF-8 text (protobuf 3 `string`).
    mutating func string() throws(IngestError) -> String {
        let range = try lengthDelimited()
        guard let text = String(validating: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        else { throw IngestError("protobuf: string field is not UTF-8") }
        return text
    }

    /// Skips a field this decoder does not use.
    mutating func skip(_ wireType: WireType) throws(IngestError) {
        switch wireType {
        case .varint: _ = try varint()
        case .fixed64: _ = try fixed64()
        case .lengthDelimited: _ = try lengthDelimited()
        case .fixed32:
            guard end - position >= 4 else { throw IngestError("protobuf: truncated fixed32") }
            position += 4
        }
    }

    /// Refuses a known field sent with another wire type than its declared one.
    static func expect(_ wireType: WireType, _ expected: WireType, _ field: String) throws(IngestError) {
        guard wireType == expected else {
            throw IngestError("protobuf: \(field) has wire type \(wireType.rawValue)")
        }
    }
}
