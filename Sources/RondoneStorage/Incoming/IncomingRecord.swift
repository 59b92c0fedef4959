import RondoneTimeSeries

/// A place in a sack's log: segment sequence number, then byte offset in it.
struct LogPosition: Comparable, Hashable, Sendable {
    var segment: UInt64
    var offset: Int64

    static func < (lhs: LogPosition, rhs: LogPosition) -> Bool {
        (lhs.segment, lhs.offset) < (rhs.segment, rhs.offset)
    }
}

/// The byte format of one record of an incoming log (specified in docs/STORAGE.md).
///
/// ```
/// 0   u32 LE  payload length P (bytes after this 8-byte frame; a multiple of 8)
/// 4   u32 LE  CRC-32C of bytes 0..<4 then 8..<8+P
/// 8   u8      kind: 1 = measures, 2 = consumed
/// 9   3 × u8  magic "RNL"
/// 12  u32 LE  count of measures (0 for consumed)
/// 16  16 × u8 metric UUID, big-endian
/// 32  body    measures: count × i64 LE timestamps, then count × f64 LE values
///             consumed: u64 LE segment, i64 LE offset
/// ```
/// Every field is at its natural alignment and every record is a multiple of 8
/// bytes long, so after damage the scanner can look for the next record at 8-byte
/// steps. The checksum covers the length, so a flipped length bit is caught too.
enum IncomingRecord {
    static let headerSize = 32
    static let kindMeasures: UInt8 = 1
    static let kindConsumed: UInt8 = 2
    static let magic: [UInt8] = Array("RNL".utf8)
    /// Largest batch in one record: bigger batches are split so lengths fit in 32 bits.
    static let maxMeasuresPerRecord = 1 << 22

    /// A record found intact in a log.
    enum Parsed {
        /// `count` measures of `metric`; the body starts at the record's offset + 32.
        case measures(metric: MetricID, count: Int)
        /// Every record of `metric` before `position` was processed.
        case consumed(metric: MetricID, position: LogPosition)
    }

    /// Appends a measures record for `timestamps`/`values` (same length, ≤ max) to `buffer`.
    static func appendMeasures(
        metric: MetricID, timestamps: ArraySlice<Int64>, values: ArraySlice<Double>,
        into buffer: inout [UInt8]
    ) {
        let start = buffer.count
        appendHeader(kind: kindMeasures, count: timestamps.count, metric: metric, into: &buffer)
        for timestamp in timestamps { LittleEndianBytes.append(UInt64(bitPattern: timestamp), into: &buffer) }
        for value in values { LittleEndianBytes.append(value.bitPattern, into: &buffer) }
        seal(&buffer, from: start)
    }

    /// Appends a consumed record (measures of `metric` before `position` are done).
    static func appendConsumed(metric: MetricID, position: LogPosition, into buffer: inout [UInt8]) {
        let start = buffer.count
        appendHeader(kind: kindConsumed, count: 0, metric: metric, into: &buffer)
        LittleEndianBytes.append(position.segment, into: &buffer)
        LittleEndianBytes.append(UInt64(bitPattern: position.offset), into: &buffer)
        seal(&buffer, from: start)
    }

    /// The intact record at `offset` and its total length, or nil if there is none
    /// (torn, corrupt, or not a record boundary).
    static func parse(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> (record: Parsed, length: Int)? {
        guard offset >= 0, bytes.count - offset >= headerSize else { return nil }
        let payload = Int(LittleEndianBytes.read32(bytes, offset))
        let length = 8 + payload
        guard payload >= headerSize - 8, payload % 8 == 0, length <= bytes.count - offset else { return nil }
        guard bytes[offset + 9] == magic[0], bytes[offset + 10] == magic[1], bytes[offset + 11] == magic[2]
        else { return nil }
        let kind = bytes[offset + 8]
        let count = Int(LittleEndianBytes.read32(bytes, offset + 12))
        switch kind {
        case kindMeasures: guard payload == headerSize - 8 + 16 * count else { return nil }
        case kindConsumed: guard count == 0, payload == headerSize - 8 + 16 else { return nil }
        default: return nil
        }
        guard checksum(bytes, offset, payload: payload) == LittleEndianBytes.read32(bytes, offset + 4) else {
            return nil
        }
        let metric = MetricID(
            high: read64BigEndian(bytes, offset + 16), low: read64BigEndian(bytes, offset + 24))
        if kind == kindMeasures { return (.measures(metric: metric, count: count), length) }
        let position = LogPosition(
            segment: LittleEndianBytes.read64(bytes, offset + headerSize),
            offset: Int64(bitPattern: LittleEndianBytes.read64(bytes, offset + 40))
        )
        return (.consumed(metric: metric, position: position), length)
    }

    /// Appends the measures of the intact measures record at `offset` to `batch`.
    static func decodeMeasures(
        _ bytes: UnsafeRawBufferPointer, at offset: Int, count: Int, into batch: inout IncomingBatch
    ) {
        let timestamps = offset + headerSize
        let values = timestamps + 8 * count
        batch.timestamps.reserveCapacity(batch.timestamps.count + count)
        batch.values.reserveCapacity(batch.values.count + count)
        for index in 0..<count {
            batch.timestamps.append(
                Int64(bitPattern: LittleEndianBytes.read64(bytes, timestamps + 8 * index)))
        }
        for index in 0..<count {
            batch.values.append(Double(bitPattern: LittleEndianBytes.read64(bytes, values + 8 * index)))
        }
    }

    private static func appendHeader(kind: UInt8, count: Int, metric: MetricID, into buffer: inout [UInt8]) {
        LittleEndianBytes.append(UInt32(0), into: &buffer)  // length and checksum: filled by `seal`
        LittleEndianBytes.append(UInt32(0), into: &buffer)
        buffer.append(kind)
        buffer.append(contentsOf: magic)
        LittleEndianBytes.append(UInt32(count), into: &buffer)
        LittleEndianBytes.append(metric.high.byteSwapped, into: &buffer)
        LittleEndianBytes.append(metric.low.byteSwapped, into: &buffer)
    }

    /// Fills in the length and checksum of the record that starts at `start`.
    private static func seal(_ buffer: inout [UInt8], from start: Int) {
        let payload = buffer.count - start - 8
        buffer.withUnsafeMutableBytes { bytes in
            bytes.storeBytes(of: UInt32(payload).littleEndian, toByteOffset: start, as: UInt32.self)
            let crc = checksum(UnsafeRawBufferPointer(bytes), start, payload: payload)
            bytes.storeBytes(of: crc.littleEndian, toByteOffset: start + 4, as: UInt32.self)
        }
    }

    private static func checksum(_ bytes: UnsafeRawBufferPointer, _ offset: Int, payload: Int) -> UInt32 {
        let length = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + 4]))
        return CRC32C.update(
            length, UnsafeRawBufferPointer(rebasing: bytes[offset + 8..<offset + 8 + payload]))
    }

    @inline(__always)
    private static func read64BigEndian(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}
