import RondoneTesting
import Testing

@testable import RondoneTimeSeries

@Suite struct SplitCodecTests {
    static let minute: Int64 = 60_000_000_000

    /// The layout nibbles of an encoded record: (timestamps, values).
    static func layout(_ bytes: [UInt8]) -> (UInt8, UInt8) { (bytes[1] >> 4, bytes[1] & 0xF) }

    @Test func randomSplitsRoundTripBitExactly() throws {
        var random = SplitMix64(seed: 1)
        for _ in 0..<400 {
            let g = [Int64(1), 1_000_000_000, Self.minute, 3_600_000_000_000].randomElement(using: &random)!
            let start = Int64.random(in: -100...100, using: &random) * g * 3600
            let series = random.split(granularity: g, splitStart: start)
            let bytes = SplitCodec.encode(series, splitStart: start, granularity: g)
            let decoded = try SplitCodec.decode(bytes, splitStart: start, granularity: g)
            #expect(decoded == series)
            // Never more than raw float64, plus the cheaper of gaps (≤ 2 bytes a point) and a
            // bitmap (≤ 450 bytes), plus the header.
            #expect(bytes.count <= 8 * series.count + min(2 * series.count, 451) + 16)
        }
    }

    @Test func appendsAfterExistingBytes() throws {
        let series = Series(timestamps: [0, Self.minute], values: [1.5, 2.5])
        var out: [UInt8] = [9, 9, 9]
        SplitCodec.encode(series, splitStart: 0, granularity: Self.minute, into: &out)
        #expect(out[0..<3] == [9, 9, 9])
        #expect(Array(out[3...]) == SplitCodec.encode(series, splitStart: 0, granularity: Self.minute))
    }

    @Test func emptySplit() throws {
        let bytes = SplitCodec.encode(Series(), splitStart: 0, granularity: Self.minute)
        #expect(bytes.count == Record.minimumSize)
        #expect(try SplitCodec.decode(bytes, splitStart: 0, granularity: Self.minute) == Series())
    }

    @Test func chosenLayouts() throws {
        let g = Self.minute
        func encode(_ slots: [Int], _ values: [Double]) -> [UInt8] {
            SplitCodec.encode(
                Series(timestamps: slots.map { Int64($0) * g }, values: values), splitStart: 0, granularity: g
            )
        }
        // Full split of a steady integer counter: a run and width-0 blocks, 1–2 bytes a block.
        let full = encode(Array(0..<3600), (0..<3600).map { Double($0 * 10) })
        #expect(Self.layout(full) == (SlotLayout.run.rawValue, ValueLayout.scaled.rawValue))
        #expect(full.count < 60)
        // Every other slot: a bitmap.
        let half = encode(Array(stride(from: 0, to: 3600, by: 2)), Array(repeating: 0.25, count: 1800))
        #expect(Self.layout(half).0 == SlotLayout.bitmap.rawValue)
        // Three far-apart slots: gaps.
        let sparse = encode([3, 1000, 3599], [0.11, 0.2, 0.3])
        #expect(Self.layout(sparse) == (SlotLayout.gaps.rawValue, ValueLayout.scaled.rawValue))
        // Two decimals: scale 2, the byte after header (3), first slot (1) and two gaps (2 + 2).
        #expect(sparse[3 + 1 + 2 + 2] == 2)
        // Noise: raw float64 wins over XOR.
        var random = SplitMix64(seed: 3)
        let noise = encode(Array(0..<100), (0..<100).map { _ in Double(bitPattern: random.next()) })
        #expect(Self.layout(noise).1 == ValueLayout.raw.rawValue)
        // Smooth doubles: XOR.
        let smooth = encode(Array(0..<100), (0..<100).map { 1.0 / 3.0 + Double($0) * 1e-9 })
        #expect(Self.layout(smooth).1 == ValueLayout.xor.rawValue)
        // -0.0 is not the integer 0: it must not go through the integer path.
        let negativeZero = encode([0, 1], [-0.0, 1])
        #expect(Self.layout(negativeZero).1 != ValueLayout.scaled.rawValue)
        #expect(try SplitCodec.decode(negativeZero, splitStart: 0, granularity: g).values[0].sign == .minus)
    }

    @Test func wrongKeyOrKindIsAnError() throws {
        let series = Series(timestamps: [0, Self.minute], values: [1, 2])
        let bytes = SplitCodec.encode(series, splitStart: 0, granularity: Self.minute)
        #expect(throws: CodecError.malformed("split key out of range")) {
            try SplitCodec.decode(bytes, splitStart: 0, granularity: 0)
        }
        #expect(throws: CodecError.malformed("split key out of range")) {
            try SplitCodec.decode(bytes, splitStart: .max - 10, granularity: Self.minute)
        }
        #expect(throws: CodecError.unknownFormat(RawSeriesCodec.format)) {
            try SplitCodec.decode(RawSeriesCodec.encode(series), splitStart: 0, granularity: Self.minute)
        }
        // A Carbonara split starts with "c".
        #expect(throws: CodecError.unknownFormat(0x63)) {
            try SplitCodec.decode([0x63, 1, 2, 3, 4, 5, 6, 7], splitStart: 0, granularity: Self.minute)
        }
    }
}
