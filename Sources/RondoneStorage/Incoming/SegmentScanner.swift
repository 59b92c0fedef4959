/// A damaged stretch of an incoming log, found on open or on read, and skipped.
public struct IncomingCorruption: Sendable, Equatable {
    /// The segment file.
    public var path: String
    /// Where the damaged bytes start in the file, and how many there are.
    public var offset: Int64
    public var length: Int64
    /// True when nothing intact follows: the tail of a write cut short by a crash.
    /// Such a record was never acknowledged (its `fdatasync` had not returned).
    public var tornTail: Bool
}

/// Walks a segment's bytes, reporting each intact record and each damaged stretch.
///
/// After damage, the scanner looks for the next intact record at every 8-byte
/// boundary (records are 8-byte multiples), so one bad record costs only itself.
enum SegmentScanner {
    static func scan(
        _ bytes: UnsafeRawBufferPointer,
        record: (_ parsed: IncomingRecord.Parsed, _ offset: Int, _ length: Int) -> Void,
        damaged: (_ offset: Int, _ length: Int, _ tornTail: Bool) -> Void
    ) {
        var offset = 0
        while offset < bytes.count {
            if let (parsed, length) = IncomingRecord.parse(bytes, at: offset) {
                record(parsed, offset, length)
                offset += length
                continue
            }
            var next = offset + 8
            while next < bytes.count && IncomingRecord.parse(bytes, at: next) == nil { next += 8 }
            let end = min(next, bytes.count)
            damaged(offset, end - offset, end == bytes.count)
            offset = end
        }
    }
}
