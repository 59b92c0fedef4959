/// A byte string as a dictionary key, hashed in one call over its bytes (an array of
/// bytes hashes element by element). Lookups with a reused key buffer allocate nothing.
struct ByteKey: Hashable {
    var bytes: [UInt8]

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    static func == (lhs: ByteKey, rhs: ByteKey) -> Bool { lhs.bytes == rhs.bytes }
}
