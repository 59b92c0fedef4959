import RondoneTimeSeries

/// The byte format of one record of the aggregate log (specified in docs/STORAGE.md).
///
/// ```
/// 0   u32 LE  payload length P (bytes after this 8-byte frame; a multiple of 8)
/// 4   u32 LE  CRC-32C of bytes 0..<4 then 8..<8+P
/// 8   u8      kind: 1 buffer, 2 pack, 3 buffer deleted, 4 pack deleted,
///             5 metric deleted, 6 commit
/// 9   3 × u8  magic "RAL"
/// 12  u32 LE  blob length B (0 for deletions and commits)
/// 16  16 × u8 metric UUID, big-endian (zero for commits)
/// 32  i64 LE  granularity ns (packs; 0 otherwise) — commit: offset of the group's first record
/// 40  i64 LE  split key ns (packs; 0 otherwise) — commit: number of records in the group
/// 48  B bytes the blob, then zeros up to a multiple of 8
/// ```
/// The same framing as the incoming log (length and CRC first, 8-byte granularity)
/// so the same recovery applies: a damaged stretch is skipped by trying each 8-byte
/// boundary. A commit's records are applied only when its commit record follows them
/// intact and counts them all, so a torn commit is never half applied.
enum AggregateLogRecord {
    static let headerSize = 48
    static let magic: [UInt8] = Array("RAL".utf8)

    enum Kind: UInt8 {
        case buffer = 1, pack, bufferDeleted, packDeleted, metricDeleted, commit
    }

    /// A record found intact.
    struct Parsed {
        var kind: Kind
        var metric: MetricID
        /// Packs: granularity and split key (ns); commits: group start and record count.
        var first: Int64
        var second: Int64
        /// Where the blob starts in the scanned bytes, and its length.
        var blobOffset: Int
        var blobLength: Int
        /// The whole record's length.
        var length: Int
    }

    /// The encoded length of a record holding `blobLength` blob bytes.
    static func length(blobLength: Int) -> Int {
        headerSize + (blobLength + 7) & ~7
    }

    /// Appends one record; returns its offset in `buffer`.
    @discardableResult
    static func append(
        _ kind: Kind, metric: MetricID, first: Int64 = 0, second: Int64 = 0, blob: [UInt8] = [],
        into buffer: inout [UInt8]
    ) -> Int {
        let start = buffer.count
        LittleEndianBytes.append(UInt32(0), into: &buffer)  // length and checksum: filled below
        LittleEndianBytes.append(UInt32(0), into: &buffer)
        buffer.append(kind.rawValue)
        buffer.append(contentsOf: magic)
        LittleEndianBytes.append(UInt32(blob.count), into: &buffer)
        LittleEndianBytes.append(metric.high.byteSwapped, into: &buffer)
        LittleEndianBytes.append(metric.low.byteSwapped, into: &buffer)
        LittleEndianBytes.append(UInt64(bitPattern: first), into: &buffer)
        LittleEndianBytes.append(UInt64(bitPattern: second), into: &buffer)
        buffer.append(contentsOf: blob)
        let padding = (8 - blob.count % 8) % 8
        buffer.append(contentsOf: repeatElement(0, count: padding))
        let payload = buffer.count - start - 8
        buffer.withUnsafeMutableBytes { bytes in
            bytes.storeBytes(of: UInt32(payload).littleEndian, toByteOffset: start, as: UInt32.self)
            let crc = checksum(UnsafeRawBufferPointer(bytes), start, payload: payload)
            bytes.storeBytes(of: crc.littleEndian, toByteOffset: start + 4, as: UInt32.self)
        }
        return start
    }

    /// The intact record at `offset`, or nil (torn, damaged or not a record boundary).
    static func parse(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Parsed? {
        guard offset >= 0, bytes.count - offset >= headerSize else { return nil }
        let payload = Int(LittleEndianBytes.read32(bytes, offset))
        let length = 8 + payload
        guard payload >= headerSize - 8, payload % 8 == 0, length <= bytes.count - offset else {
            return nil
        }
        guard bytes[offset + 9] == magic[0], bytes[offset + 10] == magic[1],
            bytes[offset + 11] == magic[2],
            let kind = Kind(rawValue: bytes[offset + 8])
        else { return nil }
        let blobLength = Int(LittleEndianBytes.read32(bytes, offset + 12))
        guard Self.length(blobLength: blobLength) == length else { return nil }
        guard checksum(bytes, offset, payload: payload) == LittleEndianBytes.read32(bytes, offset + 4) else {
            return nil
        }
        return Parsed(
            kind: kind,
            metric: MetricID(
                high: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self)),
                low: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self))),
            first: Int64(bitPattern: LittleEndianBytes.read64(bytes, offset + 32)),
            second: Int64(bitPattern: LittleEndianBytes.read64(bytes, offset + 40)),
            blobOffset: offset + headerSize, blobLength: blobLength, length: length)
    }

    private static func checksum(_ bytes: UnsafeRawBufferPointer, _ offset: Int, payload: Int)
        -> UInt32
    {
        let length = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + 4]))
        return CRC32C.update(
            length, UnsafeRawBufferPointer(rebasing: bytes[offset + 8..<offset + 8 + payload]))
    }

}
