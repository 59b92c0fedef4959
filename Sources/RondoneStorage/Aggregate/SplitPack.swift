import RondoneTimeSeries

/// The splits of every aggregation method of one metric, granularity and split key,
/// each an opaque blob under its method's name: the blob of one pack record of the
/// aggregate log.
///
/// Packing them keeps a metric's records few (one per key instead of one per method
/// and key). Written as version 2 (little-endian, docs/STORAGE.md):
///
/// ```
/// 0   4  magic "RSP2"
/// 4   4  CRC-32C of bytes 8..<H (the rest of the header)
/// 8   …  varint record count n, then n entries in ascending name order:
///        1 byte method code (1…18: a standard method, `standardNames`; 0: a name
///        follows as 1 length byte and UTF-8), varint blob length
/// H   …  the n blobs, in entry order
/// ```
///
/// Version 1 ("RSP1": names spelled out, fixed 4-byte lengths, the header length
/// stored) is still read. The header has its own checksum and the blobs keep theirs
/// (the split codec's): a damaged header is detected rather than silently losing a
/// method, and a damaged blob costs only that method's split.
package struct SplitPack: Equatable, Sendable {
    /// Blobs by aggregation method name.
    package var records: [String: [UInt8]]

    package init(records: [String: [UInt8]] = [:]) {
        self.records = records
    }

    package static let magic: [UInt8] = Array("RSP2".utf8)
    package static let magicVersion1: [UInt8] = Array("RSP1".utf8)
    /// Longest method name the one-byte length allows.
    package static let maxNameLength = 255
    /// The methods a version-2 entry names by one byte: code `i + 1` is `standardNames[i]`.
    /// Fixed forever (codes are on disk); other names are spelled out.
    package static let standardNames = [
        "mean", "sum", "last", "max", "min", "std", "median", "first", "count",
        "rate:mean", "rate:sum", "rate:last", "rate:max", "rate:min", "rate:std", "rate:median", "rate:first",
        "rate:count",
    ]
    private static let codes: [String: UInt8] = Dictionary(
        uniqueKeysWithValues: standardNames.enumerated().map { ($1, UInt8($0 + 1)) })

    /// The pack's bytes; names in ascending order, so equal packs encode equally.
    package func encode() -> [UInt8] {
        let names = records.keys.sorted()
        var bytes: [UInt8] = Self.magic
        bytes += [0, 0, 0, 0]  // CRC, patched below
        appendVarint(UInt64(names.count), to: &bytes)
        for name in names {
            if let code = Self.codes[name] {
                bytes.append(code)
            } else {
                let utf8 = Array(name.utf8)
                bytes.append(0)
                bytes.append(UInt8(truncatingIfNeeded: utf8.count))
                bytes += utf8
            }
            appendVarint(UInt64(records[name, default: []].count), to: &bytes)
        }
        let crc = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[8...])) }
        for index in 0..<4 { bytes[4 + index] = UInt8(truncatingIfNeeded: crc >> UInt32(8 * index)) }
        bytes.reserveCapacity(bytes.count + records.values.reduce(0) { $0 + $1.count })
        for name in names { bytes += records[name, default: []] }
        return bytes
    }

    /// The pack in `bytes`, or nil if they are not a whole, intact pack (wrong magic,
    /// checksum or lengths): the caller treats its content as damaged.
    package static func decode(_ bytes: [UInt8]) -> SplitPack? {
        bytes.withUnsafeBytes { raw in
            guard let header = Header(raw) else { return nil }
            var pack = SplitPack()
            var start = header.length
            for (name, length) in header.entries {
                pack.records[name] = Array(raw[start..<(start + length)])
                start += length
            }
            return pack
        }
    }

    /// The method names in the header of the pack in `bytes`, checked (magic, lengths,
    /// header checksum) but without copying the blobs; nil if the header is damaged.
    package static func names(_ bytes: UnsafeRawBufferPointer) -> [String]? {
        Header(bytes)?.entries.map(\.name)
    }

    /// A checked header of either version: its entries and where the blobs start.
    private struct Header {
        var entries: [(name: String, length: Int)] = []
        var length = 0

        init?(_ bytes: UnsafeRawBufferPointer) {
            guard bytes.count >= 8 else { return nil }
            let magic = Array(bytes[0..<4])
            if magic == SplitPack.magic {
                guard parseVersion2(bytes) else { return nil }
            } else if magic == SplitPack.magicVersion1 {
                guard parseVersion1(bytes) else { return nil }
            } else {
                return nil
            }
            // The blobs fill the rest exactly: a truncated or extended pack is damaged.
            guard entries.reduce(length, { $0 + $1.length }) == bytes.count else { return nil }
        }

        private mutating func parseVersion2(_ bytes: UnsafeRawBufferPointer) -> Bool {
            var offset = 8
            guard let count = readVarint(bytes, &offset), count <= 0xFFFF else { return false }
            for _ in 0..<Int(count) {
                guard offset < bytes.count else { return false }
                let code = Int(bytes[offset])
                offset += 1
                let name: String
                if code == 0 {
                    guard offset < bytes.count else { return false }
                    let nameLength = Int(bytes[offset])
                    guard offset + 1 + nameLength <= bytes.count else { return false }
                    name = String(decoding: bytes[(offset + 1)..<(offset + 1 + nameLength)], as: UTF8.self)
                    offset += 1 + nameLength
                } else {
                    guard code <= SplitPack.standardNames.count else { return false }
                    name = SplitPack.standardNames[code - 1]
                }
                guard let length = readVarint(bytes, &offset), length <= UInt32.max else { return false }
                entries.append((name, Int(length)))
            }
            let stored = LittleEndianBytes.read32(bytes, 4)
            guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[8..<offset])) == stored else {
                return false
            }
            length = offset
            return true
        }

        private mutating func parseVersion1(_ bytes: UnsafeRawBufferPointer) -> Bool {
            guard bytes.count >= 14 else { return false }
            let headerLength = Int(LittleEndianBytes.read32(bytes, 4))
            guard headerLength >= 14, headerLength <= bytes.count else { return false }
            let crc = CRC32C.update(
                CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<8])),
                UnsafeRawBufferPointer(rebasing: bytes[12..<headerLength]))
            guard crc == LittleEndianBytes.read32(bytes, 8) else { return false }
            let count = Int(bytes[12]) | Int(bytes[13]) << 8
            var offset = 14
            for _ in 0..<count {
                guard offset < headerLength else { return false }
                let nameLength = Int(bytes[offset])
                guard offset + 1 + nameLength + 4 <= headerLength else { return false }
                let name = String(decoding: bytes[(offset + 1)..<(offset + 1 + nameLength)], as: UTF8.self)
                entries.append((name, Int(LittleEndianBytes.read32(bytes, offset + 1 + nameLength))))
                offset += 1 + nameLength + 4
            }
            guard offset == headerLength else { return false }
            length = headerLength
            return true
        }
    }
}

/// Unsigned LEB128: 7 bits a byte, low first, high bit set on all but the last.
private func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
    var value = value
    while value >= 0x80 {
        bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
        value >>= 7
    }
    bytes.append(UInt8(value))
}

/// The varint at `offset` (advanced past it); nil if it runs past the end or past
/// 10 bytes.
private func readVarint(_ bytes: UnsafeRawBufferPointer, _ offset: inout Int) -> UInt64? {
    var value: UInt64 = 0
    var shift: UInt64 = 0
    while offset < bytes.count, shift < 64 {
        let byte = bytes[offset]
        offset += 1
        value |= UInt64(byte & 0x7F) << shift
        if byte & 0x80 == 0 { return value }
        shift += 7
    }
    return nil
}
