import Crypto
import RondoneIndexer
import RondoneTimeSeries

/// How a resource id given by a client becomes the resource's UUID, as Gnocchi's
/// `ResourceUUID`: a UUID (any spelling Python's `uuid.UUID` takes) is itself; any
/// other string of at most 289 characters without `/` becomes
/// `uuid5(0a7a15ff-aa13-4ac2-897c-9bdf30ce175b, id + "\0" + creator)`, so the same
/// name from two creators names two resources.
enum ResourceIdentifier {
    /// Gnocchi's `RESOURCE_ID_NAMESPACE`.
    static let namespace = MetricID(high: 0x0A7A_15FF_AA13_4AC2, low: 0x897C_9BDF_30CE_175B)

    /// Why a string cannot name a resource (Gnocchi's `ValueError` messages).
    enum Failure: Error, Equatable {
        case slash
        case tooLong

        var message: String {
            switch self {
            case .slash: "'/' is not supported in resource id"
            case .tooLong: "transformable resource id >289 max allowed characters"
            }
        }
    }

    /// The UUID `text` names for `creator` (nil creator: Gnocchi's `"\0"`).
    static func uuid(_ text: String, creator: String?) throws(Failure) -> ResourceID {
        if text.contains("/") { throw .slash }
        if let id = MetricLookup.parseUUID(text) { return ResourceID(high: id.high, low: id.low) }
        guard text.unicodeScalars.count <= Resource.maxOriginalIDLength else { throw .tooLong }
        return uuid5(name: Array((text + "\u{0}" + (creator ?? "\u{0}")).utf8))
    }

    /// RFC 4122 version 5: SHA-1 of namespace bytes + name, version and variant bits set.
    static func uuid5(name: [UInt8]) -> ResourceID {
        var message: [UInt8] = []
        for shift in stride(from: 56, through: 0, by: -8) {
            message.append(UInt8(truncatingIfNeeded: namespace.high >> UInt64(shift)))
        }
        for shift in stride(from: 56, through: 0, by: -8) {
            message.append(UInt8(truncatingIfNeeded: namespace.low >> UInt64(shift)))
        }
        message += name
        let digest = Array(Insecure.SHA1.hash(data: message))
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<8 {
            high = high << 8 | UInt64(digest[index])
            low = low << 8 | UInt64(digest[8 + index])
        }
        high = (high & ~0xF000) | 0x5000
        low = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        return ResourceID(high: high, low: low)
    }
}
