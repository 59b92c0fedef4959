import RondoneStorage
import RondoneTesting
import RondoneTimeSeries
import Testing

/// The aggregate file format that packs every method's split of one key.
@Suite struct SplitPackTests {
    /// The layout docs/STORAGE.md draws, byte by byte: version 2, standard methods
    /// by code.
    @Test func layoutIsAsDocumented() {
        let bytes = SplitPack(records: ["mean": [0xAA, 0xBB], "max": [0xCC]]).encode()
        #expect(Array(bytes[0..<4]) == [0x52, 0x53, 0x50, 0x32])  // "RSP2"
        let entries: [UInt8] = [
            2,  // count
            4, 1,  // "max" (code 4), 1 byte
            1, 2,  // "mean" (code 1), 2 bytes
        ]
        #expect(Array(bytes[8..<13]) == entries)
        #expect(Array(bytes[13...]) == [0xCC, 0xAA, 0xBB])
        let crc = bytes[8..<13].withUnsafeBytes { CRC32C.checksum($0) }
        #expect(Array(bytes[4..<8]) == [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: crc >> $0) })
        #expect(SplitPack.decode(bytes) == SplitPack(records: ["mean": [0xAA, 0xBB], "max": [0xCC]]))
    }

    /// A name outside the standard table is spelled out after code 0.
    @Test func otherNamesAreSpelledOut() {
        let bytes = SplitPack(records: ["rate:95pct": [7], "count": []]).encode()
        let entries: [UInt8] =
            [2, 9, 0]  // count; "count" (code 9), 0 bytes
            + [0, 10] + Array("rate:95pct".utf8) + [1]  // spelled out, 1 byte
        #expect(Array(bytes[8..<(8 + entries.count)]) == entries)
        #expect(SplitPack.decode(bytes) == SplitPack(records: ["rate:95pct": [7], "count": []]))
    }

    /// Packs written by version 1 (before the compact header) are still read.
    @Test func version1PacksAreRead() {
        var bytes: [UInt8] = [
            0x52, 0x53, 0x50, 0x31,  // "RSP1"
            31, 0, 0, 0,  // header length
            0, 0, 0, 0,  // CRC, below
            2, 0,  // count
            3, 0x6D, 0x61, 0x78, 1, 0, 0, 0,  // "max", 1 byte
            4, 0x6D, 0x65, 0x61, 0x6E, 2, 0, 0, 0,  // "mean", 2 bytes
            0xCC, 0xAA, 0xBB,
        ]
        let crc = bytes[0..<8].withUnsafeBytes { first in
            bytes[12..<31].withUnsafeBytes { rest in CRC32C.update(CRC32C.checksum(first), rest) }
        }
        for index in 0..<4 { bytes[8 + index] = UInt8(truncatingIfNeeded: crc >> UInt32(8 * index)) }
        #expect(SplitPack.decode(bytes) == SplitPack(records: ["mean": [0xAA, 0xBB], "max": [0xCC]]))
        #expect(bytes.withUnsafeBytes { SplitPack.names($0) } == ["max", "mean"])
        bytes[20] ^= 1
        #expect(SplitPack.decode(bytes) == nil)
    }

    @Test func randomPacksRoundTrip() {
        var random = SplitMix64(seed: 2024)
        for _ in 0..<200 {
            var records: [String: [UInt8]] = [:]
            for _ in 0..<Int(random.next() % 8) {
                let name =
                    String(repeating: "p", count: 1 + Int(random.next() % 30)) + "\(random.next() % 100)"
                records[name] = (0..<Int(random.next() % 300)).map { _ in
                    UInt8(truncatingIfNeeded: random.next())
                }
            }
            let pack = SplitPack(records: records)
            let bytes = pack.encode()
            #expect(SplitPack.decode(bytes) == pack)
            #expect(bytes.withUnsafeBytes { SplitPack.names($0) }.map(Set.init) == Set(records.keys))
            #expect(SplitPack(records: records).encode() == bytes)  // deterministic
        }
    }

    /// Any flipped header bit and any truncation or extension is detected: a damaged
    /// pack must never read as a pack with a method missing.
    @Test func damageIsDetected() {
        let bytes = SplitPack(records: ["mean": [1, 2, 3], "rate:95pct": [4], "count": []]).encode()
        let headerLength = bytes.count - 4  // the blobs are the last 4 bytes
        for index in 0..<headerLength {
            for bit in 0..<8 {
                var damaged = bytes
                damaged[index] ^= 1 << UInt8(bit)
                #expect(SplitPack.decode(damaged) == nil, "byte \(index) bit \(bit)")
                #expect(
                    damaged.withUnsafeBytes { SplitPack.names($0) } == nil, "names: byte \(index) bit \(bit)")
            }
        }
        for length in 0..<bytes.count { #expect(SplitPack.decode(Array(bytes[0..<length])) == nil) }
        #expect(SplitPack.decode(bytes + [0]) == nil)
        #expect(SplitPack.decode([]) == nil)
    }

    @Test func emptyPackRoundTrips() {
        #expect(SplitPack.decode(SplitPack().encode()) == SplitPack())
        #expect(SplitPack().encode().count == 9)
    }

    @Test func methodNamesLongerThanAPackHoldsAreRefused() async throws {
        let directory = TestDirectory("agg-names")
        defer { directory.remove() }
        let store = try FileAggregateStore(directory: directory.path)
        defer { store.close() }
        let name = String(repeating: "a", count: 256)
        let address = SplitAddress(
            aggregation: name, granularity: TimeDelta(nanoseconds: 1), key: Timestamp(nanoseconds: 0))
        await #expect(throws: StorageError.invalidName(name)) {
            try await store.putSplit([1], address, for: MetricID(high: 1, low: 1))
        }
        var ok = address
        ok.aggregation = String(repeating: "a", count: 255)
        try await store.putSplit([1], ok, for: MetricID(high: 1, low: 1))
        #expect(try await store.split(ok, of: MetricID(high: 1, low: 1)) == [1])
    }
}
