/// The identity of a metric: a 128-bit UUID, held as two big-endian halves.
///
/// Storage needs only three things from a metric id: equality, a stable text form for
/// file names (lower-case, hyphenated, as Gnocchi prints UUIDs) and the sack number,
/// which is computed from the UUID's integer value exactly as Gnocchi does.
public struct MetricID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The first 8 bytes of the UUID read as a big-endian integer.
    public var high: UInt64
    /// The last 8 bytes of the UUID read as a big-endian integer.
    public var low: UInt64

    @inlinable
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` or the 32 hex digits without
    /// hyphens, in either case. Returns nil for anything else.
    public init?(_ text: some StringProtocol) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        var digits = 0
        let utf8 = Array(text.utf8)
        let hyphenated = utf8.count == 36
        guard hyphenated || utf8.count == 32 else { return nil }
        for (position, byte) in utf8.enumerated() {
            if hyphenated && (position == 8 || position == 13 || position == 18 || position == 23) {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            guard let nibble = MetricID.hexValue(byte) else { return nil }
            if digits < 16 {
                high = high << 4 | UInt64(nibble)
            } else {
                low = low << 4 | UInt64(nibble)
            }
            digits += 1
        }
        self.init(high: high, low: low)
    }

    /// The canonical text form, e.g. `5f9d73fd-9c67-42b7-914a-f007968ff9a3`.
    public var description: String {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var bytes = [UInt8]()
        bytes.reserveCapacity(36)
        for index in 0..<32 {
            if index == 8 || index == 12 || index == 16 || index == 20 { bytes.append(UInt8(ascii: "-")) }
            let word = index < 16 ? high : low
            let shift = UInt64(60 - 4 * (index % 16))
            bytes.append(hex[Int((word >> shift) & 0xF)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The sack this metric's incoming measures go to among `sackCount` sacks:
    /// the UUID's 128-bit integer value modulo `sackCount` (Gnocchi's `metric_id.int % NUM_SACKS`).
    @inlinable
    public func sack(among sackCount: Int) -> Int {
        let divisor = UInt64(sackCount)
        // (high·2^64 + low) mod n, reduced in two steps so nothing overflows.
        let remainder = divisor.dividingFullWidth((high: high % divisor, low: low)).remainder
        return Int(remainder)
    }

    @inlinable
    public static func < (lhs: MetricID, rhs: MetricID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
