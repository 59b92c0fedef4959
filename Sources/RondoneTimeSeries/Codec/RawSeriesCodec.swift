/// The compressed on-disk form of an unaggregated series (Gnocchi's bound time serie,
/// the buffer of raw measures kept for the back window).
///
/// Time stamps are arbitrary strictly increasing nanoseconds (negative allowed): they
/// are stored as ``PackedIntegers``, whose delta-of-delta order makes a steady
/// collection interval cost almost nothing; values use the smallest ``ValueLayout``.
///
/// Guarantees: `decode(encode(s)) == s` bit for bit; `decode` throws ``CodecError`` for
/// any damaged, truncated or foreign record (including one whose time stamps would not
/// be strictly increasing) and never traps. Byte layout: docs/FORMAT.md.
public enum RawSeriesCodec {
    /// The format byte of a raw series record, version 1.
    public static let format: UInt8 = 0x02
    /// The only timestamp layout of version 1: packed integers (absolute, then differences).
    static let packedTimestamps: UInt8 = 1

    /// Appends the record for `series` to `out`.
    public static func encode(_ series: Series, into out: inout [UInt8]) {
        let n = series.count
        let start = out.count
        let layoutIndex = Record.begin(format: format, count: n, into: &out)
        if n > 0 {
            series.timestamps.withUnsafeBufferPointer { PackedIntegers.encode($0, into: &out) }
            let valueLayout = series.values.withUnsafeBufferPointer { ValueEncoding.encode($0, into: &out) }
            Record.setLayout(
                timestamps: packedTimestamps, values: valueLayout.rawValue, at: layoutIndex, in: &out)
        }
        Record.finish(from: start, into: &out)
    }

    /// The record for `series` as a new array.
    public static func encode(_ series: Series) -> [UInt8] {
        var out: [UInt8] = []
        encode(series, into: &out)
        return out
    }

    /// Decodes a whole record (exactly its bytes).
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(CodecError) -> Series {
        // No valid record holds more than 64 points a byte (1/128 byte of time stamp and of
        // value a point at best), so a crafted count cannot trigger a huge allocation.
        let header = try Record.open(bytes, format: format, maxCount: bytes.count &* 64)
        var reader = header.reader
        let n = header.count
        guard n > 0 else { return Series() }
        guard header.timestampLayout == packedTimestamps else { throw .unknownLayout(header.timestampLayout) }
        var timestamps = [Int64](repeating: 0, count: n)
        try timestamps.withUnsafeMutableBufferPointer { (buffer) throws(CodecError) in
            let t = buffer.baseAddress!
            try PackedIntegers.decode(&reader, count: n, into: t)
            for i in 1..<n where t[i] <= t[i &- 1] {
                throw .malformed("time stamps not strictly increasing")
            }
        }
        let values = try Record.decodeValues(layout: header.valueLayout, &reader, count: n)
        return Series(timestamps: timestamps, values: values)
    }

    /// Decodes a whole record held in an array.
    public static func decode(_ bytes: [UInt8]) throws(CodecError) -> Series {
        // `Array.withUnsafeBytes` rethrows untyped errors; carry the typed one out instead.
        let result = bytes.withUnsafeBytes { raw in Result { () throws(CodecError) in try decode(raw) } }
        return try result.get()
    }
}
