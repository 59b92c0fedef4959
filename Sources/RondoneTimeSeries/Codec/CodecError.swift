/// Why a stored record could not be decoded.
///
/// Every decoder in the codec reports a damaged, truncated or foreign record with one
/// of these errors; none of them crashes or returns points that were not stored.
/// `description` starts with Gnocchi's own message for corrupt data
/// (`Unable to unpack, invalid data`) so it can be shown as Gnocchi shows it.
public enum CodecError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The CRC-32C in the record's trailer does not match its bytes (bit flip, torn write).
    case checksumMismatch
    /// The record ends before the data it announces.
    case truncated
    /// The first byte names no format this build can read, or a different kind of record.
    case unknownFormat(UInt8)
    /// The layout byte names a timestamp or value layout this build cannot read.
    case unknownLayout(UInt8)
    /// The bytes parse but break a rule of the format (the reason says which).
    case malformed(String)

    public var description: String {
        let detail: String
        switch self {
        case .checksumMismatch: detail = "checksum mismatch"
        case .truncated: detail = "truncated record"
        case .unknownFormat(let byte): detail = "unknown format byte \(byte)"
        case .unknownLayout(let byte): detail = "unknown layout byte \(byte)"
        case .malformed(let reason): detail = reason
        }
        return "Unable to unpack, invalid data (\(detail))"
    }
}
