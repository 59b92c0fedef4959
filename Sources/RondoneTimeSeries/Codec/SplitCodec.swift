/// The compressed on-disk form of one split of one aggregation.
///
/// A split holds the points of an aggregated series whose time stamps fall in
/// `[splitStart, splitStart + 3600 × granularity)`, each on the granularity grid. The
/// split's key (`splitStart`, `granularity`) is known from where the record is stored,
/// so it is not repeated inside: time stamps are stored as slot numbers (a run, a bitmap
/// or gaps, whichever is smallest) and values in the smallest ``ValueLayout``.
///
/// Guarantees: `decode(encode(s)) == s` bit for bit for any values (NaN payloads, -0.0,
/// infinities, subnormals); `decode` throws ``CodecError`` for any damaged, truncated or
/// foreign record and never traps. Byte layout: docs/FORMAT.md.
public enum SplitCodec {
    /// The format byte of an aggregated split record, version 1.
    public static let format: UInt8 = 0x01
    /// The number of slots in a split (Gnocchi's `POINTS_PER_SPLIT`).
    public static let pointsPerSplit = 3600

    /// Appends the record for `series` to `out`.
    ///
    /// `series` must be a split of key (`splitStart`, `granularity`): every time stamp a
    /// multiple of `granularity` away from `splitStart`, within its 3600 slots (a `BUG:`
    /// precondition otherwise: the aggregation code, not user input, builds splits).
    public static func encode(
        _ series: Series, splitStart: Int64, granularity: Int64, into out: inout [UInt8]
    ) {
        let n = series.count
        let start = out.count
        let layoutIndex = Record.begin(format: format, count: n, into: &out)
        if n > 0 {
            series.timestamps.withUnsafeBufferPointer { timestamps in
                let plan = SlotPlan(timestamps, splitStart: splitStart, granularity: granularity)
                let (slotLayout, _) = plan.layout(count: n)
                SlotEncoding.encode(
                    timestamps, plan: plan, layout: slotLayout, granularity: granularity, into: &out)
                let valueLayout = series.values.withUnsafeBufferPointer {
                    ValueEncoding.encode($0, into: &out)
                }
                Record.setLayout(
                    timestamps: slotLayout.rawValue, values: valueLayout.rawValue, at: layoutIndex, in: &out)
            }
        }
        Record.finish(from: start, into: &out)
    }

    /// The record for `series` as a new array.
    public static func encode(_ series: Series, splitStart: Int64, granularity: Int64) -> [UInt8] {
        var out: [UInt8] = []
        encode(series, splitStart: splitStart, granularity: granularity, into: &out)
        return out
    }

    /// Decodes a whole record (exactly its bytes) stored under key (`splitStart`, `granularity`).
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, splitStart: Int64, granularity: Int64
    ) throws(CodecError) -> Series {
        let header = try Record.open(bytes, format: format, maxCount: pointsPerSplit)
        var reader = header.reader
        let n = header.count
        guard n > 0 else { return Series() }
        // The key comes from the caller, but a bad one must not overflow the time stamps.
        let span = Int64(pointsPerSplit - 1).multipliedReportingOverflow(by: granularity)
        guard granularity > 0, !span.overflow, !splitStart.addingReportingOverflow(span.partialValue).overflow
        else { throw .malformed("split key out of range") }
        guard let slotLayout = SlotLayout(rawValue: header.timestampLayout) else {
            throw .unknownLayout(header.timestampLayout)
        }
        var timestamps = [Int64](repeating: 0, count: n)
        try timestamps.withUnsafeMutableBufferPointer { (buffer) throws(CodecError) in
            try SlotEncoding.decode(
                slotLayout, &reader, count: n, splitStart: splitStart, granularity: granularity,
                into: buffer.baseAddress!)
        }
        let values = try Record.decodeValues(layout: header.valueLayout, &reader, count: n)
        return Series(timestamps: timestamps, values: values)
    }

    /// Decodes a whole record held in an array.
    public static func decode(_ bytes: [UInt8], splitStart: Int64, granularity: Int64) throws(CodecError)
        -> Series
    {
        // `Array.withUnsafeBytes` rethrows untyped errors; carry the typed one out instead.
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(CodecError) in
                try decode(raw, splitStart: splitStart, granularity: granularity)
            }
        }
        return try result.get()
    }
}
