import RondoneIngest
import Testing

@Suite("Snappy block decompression")
struct SnappyTests {
    /// The input each vector of `SnappyVectors.swift` was compressed from, rebuilt from
    /// the same recipe as `scripts/snappy-vectors.py`.
    static func input(_ name: String) -> [UInt8] {
        switch name {
        case "empty": return []
        case "one byte": return Array("a".utf8)
        case "repeated phrase": return Array(String(repeating: "Hello, snappy! ", count: 100).utf8)
        case "byte run": return [UInt8](repeating: 0, count: 10000)
        case "noise":
            return (0..<5000).map { (i: Int) -> UInt8 in
                let mixed: Int = i * i * 31 + i * 7 + (i >> 3)
                return UInt8(mixed % 256)
            }
        case "metric lines": return Array((0..<7000).map { i in "metric_\(i % 17) \(i % 5)\n" }.joined().utf8)
        default: fatalError("no recipe for \(name)")
        }
    }

    static func bytes(hex: String) -> [UInt8] {
        let digits = hex.utf8.filter { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: " ") }
        func nibble(_ c: UInt8) -> UInt8 {
            c <= UInt8(ascii: "9") ? c - UInt8(ascii: "0") : c - UInt8(ascii: "a") + 10
        }
        return stride(from: 0, to: digits.count, by: 2).map {
            nibble(digits[$0]) << 4 | nibble(digits[$0 + 1])
        }
    }

    static let vectors = snappyVectors.map { (name: $0.name, compressed: bytes(hex: $0.compressed)) }

    @Test(arguments: vectors.map(\.name))
    func decodesWhatCramjamCompressed(_ name: String) throws {
        let compressed = Self.vectors.first { $0.name == name }!.compressed
        let expected = Self.input(name)
        #expect(try Snappy.decompress(compressed) == expected)
        #expect(try compressed.withUnsafeBytes { try Snappy.declaredLength($0) } == expected.count)
    }

    @Test func everyElementKind() throws {
        // Literal "abcd", then a copy of 4 at a 32-bit offset of 4.
        #expect(
            try Snappy.decompress([8, 0x0c] + Array("abcd".utf8) + [0x0f, 4, 0, 0, 0])
                == Array("abcdabcd".utf8))
        // Literal "ab", then an overlapping 1-byte-offset copy of 6 at offset 2.
        #expect(try Snappy.decompress([8, 0x04] + Array("ab".utf8) + [0x09, 2]) == Array("abababab".utf8))
        // A 2-byte-offset copy of 3 at offset 1 (a run).
        #expect(try Snappy.decompress([4, 0x00, 0x7a, 0x0a, 1, 0]) == Array("zzzz".utf8))
        // A literal of 100 whose length is in the byte after the tag (tag 60).
        let hundred = [UInt8](repeating: 0x41, count: 100)
        #expect(try Snappy.decompress([100, 60 << 2, 99] + hundred) == hundred)
        // The same with a 2-byte length (tag 61).
        #expect(try Snappy.decompress([100, 61 << 2, 99, 0] + hundred) == hundred)
    }

    @Test func everyTruncationIsAnError() {
        for vector in Self.vectors {
            for length in 0..<vector.compressed.count {
                #expect(throws: IngestError.self) {
                    try Snappy.decompress(Array(vector.compressed[..<length]))
                }
            }
        }
    }

    @Test func corruptBlocksAreErrors() {
        let malformed: [[UInt8]] = [
            [],  // no preamble
            [0x80],  // preamble cut
            [0xff, 0xff, 0xff, 0xff, 0x10, 0x00],  // preamble above 32 bits
            [0xff, 0xff, 0xff, 0xff, 0xff, 0x01],  // preamble longer than five bytes
            [4, 0x00, 0x61, 0x0a, 0, 0],  // copy at offset 0
            [4, 0x00, 0x61, 0x0a, 2, 0],  // copy reaching before the start
            [2, 0x00, 0x61, 0x0a, 1, 0],  // copy past the declared length
            [1, 0x04, 0x61, 0x62],  // literal past the declared length
            [3, 0x04, 0x61, 0x62],  // fewer bytes than declared
            [1, 0x00],  // literal cut
            [4, 0x00, 0x61, 0x09],  // 1-byte-offset copy cut
            [4, 0x00, 0x61, 0x0f, 1, 0, 0],  // 4-byte-offset copy cut
            [100, 63 << 2, 99, 0, 0],  // 4-byte literal length cut
            [5, 63 << 2, 0xff, 0xff, 0xff, 0xff],  // literal of 4 GiB in a 5-byte block
        ]
        for block in malformed {
            #expect(throws: IngestError.self, "\(block)") { try Snappy.decompress(block) }
        }
    }

    @Test func theCapIsCheckedBeforeAllocating() {
        // Declares 4 GiB - 1 in five bytes.
        let bomb: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]
        #expect(throws: IngestError.self) { try Snappy.decompress(bomb) }
        let small = Self.vectors.first { $0.name == "metric lines" }!.compressed
        #expect(throws: IngestError.self) { try Snappy.decompress(small, maxLength: 1000) }
    }

    @Test func mutatedBlocksNeverTrap() {
        var generator = SystemRandomNumberGenerator()
        for vector in Self.vectors where vector.compressed.count > 1 {
            for _ in 0..<500 {
                var block = vector.compressed
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    block[Int.random(in: 0..<block.count, using: &generator)] = UInt8.random(in: 0...255)
                }
                // Either an error or exactly the declared number of bytes.
                if let output = try? Snappy.decompress(block) {
                    let declared = try? block.withUnsafeBytes { try Snappy.declaredLength($0) }
                    #expect(declared == output.count)
                }
            }
        }
        for _ in 0..<2000 {
            let noise = (0..<Int.random(in: 0..<64)).map { _ in UInt8.random(in: 0...255) }
            _ = try? Snappy.decompress(noise, maxLength: 1 << 20)
        }
    }
}
