import RondoneTesting
import Testing

@testable import RondoneTimeSeries

/// The integer path of the codec: orders, zig-zag and offset blocks, their sizes.
@Suite struct PackedIntegersTests {
    static func encode(_ values: [Int64]) -> [UInt8] {
        var out: [UInt8] = []
        values.withUnsafeBufferPointer { PackedIntegers.encode($0, into: &out) }
        return out
    }

    /// Decodes `count` integers; the section must be consumed exactly.
    static func decode(_ bytes: [UInt8], count: Int) throws(CodecError) -> [Int64] {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(CodecError) -> [Int64] in
                var reader = ByteReader(raw, end: raw.count)
                var out = [Int64](repeating: 0, count: count)
                try out.withUnsafeMutableBufferPointer { (buffer) throws(CodecError) in
                    try PackedIntegers.decode(&reader, count: count, into: buffer.baseAddress!)
                }
                guard reader.remaining == 0 else { throw .malformed("bytes left over") }
                return out
            }
        }
        return try result.get()
    }

    /// The size the codec had before offset blocks: every block zig-zag, best order.
    /// Written plainly (one order at a time) as a reference for the optimized pass.
    static func zigZagOnlySize(_ v: [Int64]) -> Int {
        (0...2).map { order in
            var terms = v
            for _ in 0..<order {
                terms = terms.indices.map { $0 == 0 ? terms[0] : terms[$0] &- terms[$0 - 1] }
            }
            // Order 2's second term is x[1] - x[0], not a second difference.
            if order == 2 && v.count > 1 { terms[1] = v[1] &- v[0] }
            let head = min(order, v.count)
            var size = 1 + terms[0..<head].reduce(0) { $0 + Varint.size(zigZag($1)) }
            for start in stride(from: 0, to: v.count, by: 128) {
                let block = terms[max(start, head)..<min(start + 128, v.count)]
                guard !block.isEmpty else { continue }
                let width = 64 - block.reduce(UInt64(0)) { $0 | zigZag($1) }.leadingZeroBitCount
                size += 1 + (block.count * width + 7) / 8
            }
            return size
        }.min()!
    }

    /// Sequences that stress each block form and the edges of Int64.
    static func sequences() -> [[Int64]] {
        var random = SplitMix64(seed: 11)
        var result: [[Int64]] = []
        for n in [0, 1, 2, 3, 127, 128, 129, 130, 256, 257, 1000] {
            var c = Int64.random(in: -1_000_000...1_000_000, using: &random)
            result.append(
                (0..<n).map { _ in
                    c += Int64.random(in: 0...7, using: &random)
                    return c
                })
            result.append((0..<n).map { _ in Int64.random(in: 1000...1007, using: &random) })
            result.append((0..<n).map { _ in Int64.random(in: -5...5, using: &random) })
            result.append((0..<n).map { _ in Int64(bitPattern: random.next()) })
            result.append(
                (0..<n).map { _ in [Int64.min, .max, 0, -1][Int.random(in: 0..<4, using: &random)] })
            result.append((0..<n).map { _ in Int64.min + Int64.random(in: 0...3, using: &random) })
            result.append((0..<n).map { _ in Int64.max - Int64.random(in: 0...3, using: &random) })
            result.append(Array(repeating: Int64.random(in: -9...9, using: &random), count: n))
            // Steady 10 s interval with 1 ms of jitter, as raw-series time stamps.
            let t0 = Int64.random(in: 0...1 << 61, using: &random)
            result.append(
                (0..<n).map {
                    t0 + Int64($0) * 10_000_000_000 + Int64.random(in: 0..<1_000_000, using: &random)
                })
            // A counter with one outlier block.
            var d = (0..<n).map { _ in Int64.random(in: 0...3, using: &random) }
            if n > 200 { d[150] = 1 << 40 }
            result.append(d.reduce(into: [Int64]()) { $0.append(($0.last ?? 0) &+ $1) })
        }
        return result
    }

    @Test func roundTripsAndMatchesItsOwnSizeEstimate() throws {
        for v in Self.sequences() {
            let bytes = Self.encode(v)
            #expect(try Self.decode(bytes, count: v.count) == v)
            let estimate = v.withUnsafeBufferPointer { PackedIntegers.bestOrder($0).size }
            #expect(bytes.count == estimate, "bestOrder must size exactly what encode writes")
            #expect(bytes.count <= Self.zigZagOnlySize(v), "offset blocks must never make a record larger")
        }
    }

    @Test func everyOrderRoundTrips() throws {
        for v in Self.sequences() {
            for order in 0...2 {
                var out: [UInt8] = []
                v.withUnsafeBufferPointer { PackedIntegers.encode($0, order: order, into: &out) }
                #expect(try Self.decode(out, count: v.count) == v, "order \(order)")
            }
        }
    }

    @Test func counterStepsTakeThreeBitsInOffsetBlocks() throws {
        var random = SplitMix64(seed: 12)
        var c: Int64 = 500_000
        let counter = (0..<3600).map { _ in
            c += Int64.random(in: 0...7, using: &random)
            return c
        }
        let bytes = Self.encode(counter)
        // Order 1, head, then 29 blocks: header 0x83 (offset, 3 bits), base 0, 48 bytes.
        #expect(bytes[0] == 1)
        let firstBlock = 1 + Varint.size(zigZag(counter[0]))
        #expect(bytes[firstBlock] == BlockForm.offsetFlag | 3)
        #expect(bytes[firstBlock + 1] == 0)
        #expect(Double(bytes.count) / 3600 <= 0.4)
        #expect(Self.zigZagOnlySize(counter) > bytes.count + 350)
    }

    @Test func gaugeStepsKeepZigZagBlocks() throws {
        // Steps of either sign: an offset would cost a base byte and save no bit.
        let steps: [Int64] = (0..<128).map { [-5, 5, 0, 3][$0 % 4] }
        let gauge = steps.reduce(into: [Int64(2000)]) { $0.append($0.last! + $1) }
        let bytes = Self.encode(gauge)
        #expect(bytes[0] == 1)
        #expect(bytes[3] == 4, "a zig-zag block of 4-bit fields after the order and head")
        #expect(bytes.count == Self.zigZagOnlySize(gauge))
    }

    /// Offset fields are added to the base modulo 2^64; the encoder never needs that (it
    /// would pick zig-zag for so wide a block) but a reader must not trap on it.
    @Test func crafted64BitOffsetBlockWrapsInsteadOfTrapping() throws {
        var bytes: [UInt8] = [0, BlockForm.offsetFlag | 64]
        Varint.append(zigZag(.max), to: &bytes)
        for field in [UInt64(0), 2] { withUnsafeBytes(of: field.littleEndian) { bytes += $0 } }
        #expect(try Self.decode(bytes, count: 2) == [.max, .min + 1])
    }

    @Test func malformedBlockHeadersAreErrors() throws {
        for header: UInt8 in [65, 0x7F, BlockForm.offsetFlag | 65, 0xFF] {
            #expect(throws: CodecError.malformed("bit width above 64")) {
                try Self.decode([0, header, 0, 0], count: 1)
            }
        }
        // The base varint, then the fields, must be there.
        #expect(throws: CodecError.truncated) { try Self.decode([0, 0x83], count: 2) }
        #expect(throws: CodecError.truncated) { try Self.decode([0, 0x83, 0x80], count: 2) }
        #expect(throws: CodecError.truncated) { try Self.decode([0, 0x83, 4], count: 3) }
        #expect(
            try Self.decode([0, 0x83, 4, 0b1111_1010], count: 2) == [4, 9],
            "base zigZag(4) = 2, fields 2 and 7")
        #expect(try Self.decode([0, 0x80, 7], count: 3) == [-4, -4, -4])
    }
}
