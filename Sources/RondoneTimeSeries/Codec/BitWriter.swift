/// Appends bit fields to a byte array, least significant bit first.
///
/// The stream is the little-endian integer of its bytes: field after field, each field's
/// low bit first. On a little-endian CPU that makes reading one unaligned 64-bit load and
/// a shift, and a reader in any language can treat a section as one big integer
/// (Python: `int.from_bytes(section, "little")`).
///
/// Bits collect in a 64-bit accumulator that is flushed 8 bytes at a time; call
/// ``finish(into:)`` to write the last partial bytes (zero-padded).
struct BitWriter {
    /// Bits not yet written, the oldest in the low bits.
    private var accumulator: UInt64 = 0
    /// How many bits of `accumulator` are in use (always < 64 between calls).
    private var pending = 0

    init() {}

    /// Appends the low `count` bits of `value` (`count` in 0...64; higher bits must be 0).
    mutating func write(_ value: UInt64, count: Int, into out: inout [UInt8]) {
        let free = 64 &- pending
        if count < free {
            accumulator |= value &<< UInt64(pending)
            pending &+= count
            return
        }
        accumulator |= value &<< UInt64(pending)
        withUnsafeBytes(of: accumulator.littleEndian) { out.append(contentsOf: $0) }
        // `free` bits of `value` went out; keep the rest (none if it all fit exactly).
        accumulator = free == 64 ? 0 : value &>> UInt64(free)
        pending = count &- free
    }

    /// Writes the pending bits, padded with zero bits to a whole byte.
    mutating func finish(into out: inout [UInt8]) {
        var bits = accumulator
        var left = pending
        while left > 0 {
            out.append(UInt8(truncatingIfNeeded: bits))
            bits &>>= 8
            left &-= 8
        }
        accumulator = 0
        pending = 0
    }
}

/// `count` low bits set (`count` in 0...64).
func lowMask(_ count: Int) -> UInt64 {
    count >= 64 ? ~0 : (1 &<< UInt64(count)) &- 1
}
