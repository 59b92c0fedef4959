import RondoneTimeSeries

/// The content of one aggregate file: the encoded splits of every aggregation method
/// of one metric, granularity and split key, each an opaque blob under its method's name.
///
/// Packing them keeps a metric's split files few and full (one per key instead of one
/// per method and key), which is what disk blocks and syncs are counted in. Layout
/// (little-endian, docs/STORAGE.md):
///
/// ```
/// 0   4  magic "RSP1"
/// 4   4  header length H (bytes before the first blob)
/// 8   4  CRC-32C of bytes 0..<8 then 12..<H (the header without this field)
/// 12  2  record count n
/// 14  …  n entries: name length (1 byte), name (UTF-8), blob length (4 bytes)
/// H   …  the n blobs, in entry order
/// ```
///
/// The header has its own checksum and the blobs keep theirs (the split codec's): a
/// damaged header is detected rather than silently losing a method, and a damaged
/// blob costs only that method's split.
package struct SplitPack: Equatable, Sendable {
    /// Blobs by aggregation method name.
    package var records: [String: [UInt8]]

    package init(records: [String: [UInt8]] = [:]) {
        self.records = records
    }

    package static let magic: [UInt8] = Array("RSP1".utf8)
    /// Longest method name the one-byte length allows.
    package static let maxNameLength = 255

    /// The file bytes; names in ascending order, so equal packs encode equally.
    package func encode() -> [UInt8] {
        let names = records.keys.sorted()
        var header: [UInt8] = Self.magic
        appendUInt32(0, to: &header)  // H, patched below
        appendUInt32(0, to: &header)  // CRC, patched below
        header.append(UInt8(truncatingIfNeeded: names.count))
        header.append(UInt8(truncatingIfNeeded: names.count >> 8))
        for name in names {
            let utf8 = Array(name.utf8)
            header.append(UInt8(utf8.count))
            header += utf8
            appendUInt32(UInt32(truncatingIfNeeded: records[name, default: []].count), to: &header)
        }
        patchUInt32(UInt32(header.count), at: 4, in: &header)
        patchUInt32(Self.headerChecksum(header), at: 8, in: &header)
        var bytes = header
        bytes.reserveCapacity(header.count + records.values.reduce(0) { $0 + $1.count })
        for name in names { bytes += records[name, default: []] }
        return bytes
    }

    /// The pack in `bytes`, or nil if the file is not a whole, intact pack (wrong
    /// magic, checksum or lengths): the caller treats its content as damaged.
    package static func decode(_ bytes: [UInt8]) -> SplitPack? {
        guard bytes.count >= 14, Array(bytes[0..<4]) == magic else { return nil }
        let headerLength = Int(readUInt32(bytes, at: 4))
        guard headerLength >= 14, headerLength <= bytes.count,
            readUInt32(bytes, at: 8) == headerChecksum(Array(bytes[0..<headerLength]))
        else { return nil }
        let count = Int(bytes[12]) | Int(bytes[13]) << 8
        var entries: [(String, Int)] = []
        var offset = 14
        for _ in 0..<count {
            guard offset < headerLength else { return nil }
            let nameLength = Int(bytes[offset])
            guard offset + 1 + nameLength + 4 <= headerLength else { return nil }
            let name = String(decoding: bytes[(offset + 1)..<(offset + 1 + nameLength)], as: UTF8.self)
            let length = Int(readUInt32(bytes, at: offset + 1 + nameLength))
            entries.append((name, length))
            offset += 1 + nameLength + 4
        }
        guard offset == headerLength else { return nil }
        var pack = SplitPack()
        var start = headerLength
        for (name, length) in entries {
            guard length <= bytes.count - start else { return nil }
            pack.records[name] = Array(bytes[start..<(start + length)])
            start += length
        }
        return start == bytes.count ? pack : nil
    }

    /// The method names in the header of the pack in `bytes`, checked (magic, lengths,
    /// header checksum) but without copying the blobs; nil if the header is damaged.
    package static func names(_ bytes: UnsafeRawBufferPointer) -> [String]? {
        guard bytes.count >= 14, bytes[0] == magic[0], bytes[1] == magic[1], bytes[2] == magic[2],
            bytes[3] == magic[3]
        else { return nil }
        let headerLength = Int(
            UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
        guard headerLength >= 14, headerLength <= bytes.count else { return nil }
        let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        let crc = CRC32C.update(
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<8])),
            UnsafeRawBufferPointer(rebasing: bytes[12..<headerLength]))
        guard crc == stored else { return nil }
        let count = Int(bytes[12]) | Int(bytes[13]) << 8
        var names: [String] = []
        var offset = 14
        var blobs = 0
        for _ in 0..<count {
            guard offset < headerLength else { return nil }
            let nameLength = Int(bytes[offset])
            guard offset + 1 + nameLength + 4 <= headerLength else { return nil }
            names.append(String(decoding: bytes[(offset + 1)..<(offset + 1 + nameLength)], as: UTF8.self))
            blobs += Int(
                UInt32(
                    littleEndian: bytes.loadUnaligned(
                        fromByteOffset: offset + 1 + nameLength, as: UInt32.self)))
            offset += 1 + nameLength + 4
        }
        guard offset == headerLength, headerLength + blobs == bytes.count else { return nil }
        return names
    }

    /// CRC-32C of a header, skipping its own checksum field (bytes 8..<12).
    private static func headerChecksum(_ header: [UInt8]) -> UInt32 {
        header.withUnsafeBytes { raw in
            CRC32C.update(
                CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<8])),
                UnsafeRawBufferPointer(rebasing: raw[12...]))
        }
    }
}

private func appendUInt32(_ value: UInt32, to bytes: inout [UInt8]) {
    for shift in stride(from: 0, to: 32, by: 8) {
        bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
    }
}

private func patchUInt32(_ value: UInt32, at offset: Int, in bytes: inout [UInt8]) {
    for index in 0..<4 {
        bytes[offset + index] = UInt8(truncatingIfNeeded: value >> UInt32(8 * index))
    }
}

private func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
    (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << UInt32(8 * $1) }
}
