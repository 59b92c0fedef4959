import Testing

@testable import RondoneAPI

/// SHA-1 (swift-crypto's, as the `ETag` writes it) against Python's `hashlib`, and resource ids against Gnocchi's `ResourceUUID`.
@Suite struct ResourceIdentifierTests {
    @Test func sha1MatchesHashlib() {
        #expect(ResourceJSON.sha1Hex([UInt8]()) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(ResourceJSON.sha1Hex(Array("abc".utf8)) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        // 55 and 64 bytes: the padding fits in one block, then needs a second one.
        #expect(
            ResourceJSON.sha1Hex([UInt8](repeating: 0x61, count: 55))
                == "c1c8bbdc22796e28c0e15163d20899b65621d65a")
        #expect(
            ResourceJSON.sha1Hex([UInt8](repeating: 0x61, count: 64))
                == "0098ba824b5c16427bd7a1122a5a442a25ec644d")
        #expect(
            ResourceJSON.sha1Hex([UInt8](repeating: 0x61, count: 1000))
                == "291e9a6c66994949b57ba5e650361e98fc36b1ba")
    }

    @Test func resourceIDsAsGnocchi() throws {
        #expect(
            try ResourceIdentifier.uuid("1.2.3.4", creator: "foobar").description
                == "a9c729cc-d1b0-5e6b-b5ba-8b5a7f45f1fc")
        #expect(
            try ResourceIdentifier.uuid("foobar", creator: "foobar").description
                == "2fbfbb20-8d56-5e1e-afb9-b3007da11fdf")
        #expect(
            try ResourceIdentifier.uuid("{75C44741-CC60-4033-804E-2D3098C7D2E9}", creator: "x").description
                == "75c44741-cc60-4033-804e-2d3098c7d2e9")
        #expect(throws: ResourceIdentifier.Failure.slash) { try ResourceIdentifier.uuid("a/b", creator: nil) }
        #expect(throws: ResourceIdentifier.Failure.tooLong) {
            try ResourceIdentifier.uuid(String(repeating: "x", count: 290), creator: nil)
        }
        #expect(throws: Never.self) {
            try ResourceIdentifier.uuid(String(repeating: "x", count: 289), creator: nil)
        }
    }
}
