import RondoneStorage
import Testing

@Suite struct CRC32CTests {
    @Test func knownVectors() {
        // The CRC-32C check value and the RFC 3720 (iSCSI) test patterns.
        #expect(Array("123456789".utf8).withUnsafeBytes(CRC32C.checksum) == 0xE306_9283)
        #expect([UInt8](repeating: 0, count: 32).withUnsafeBytes(CRC32C.checksum) == 0x8A91_36AA)
        #expect([UInt8](repeating: 0xFF, count: 32).withUnsafeBytes(CRC32C.checksum) == 0x62A8_AB43)
        #expect((0..<32).map { UInt8($0) }.withUnsafeBytes(CRC32C.checksum) == 0x46DD_794E)
    }

    @Test func updateIsConcatenation() {
        var random = StorageRandom(seed: 7)
        let bytes = (0..<1000).map { _ in UInt8.random(in: 0...255, using: &random) }
        let whole = bytes.withUnsafeBytes(CRC32C.checksum)
        for split in [0, 1, 7, 8, 9, 500, 999, 1000] {
            let head = bytes[..<split].withUnsafeBytes(CRC32C.checksum)
            #expect(bytes[split...].withUnsafeBytes { CRC32C.update(head, $0) } == whole)
        }
    }
}
