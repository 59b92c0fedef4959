public import RondoneTimeSeries

/// One problem a store's verification (`rondone fsck`) found in its files.
public struct StoreFinding: Sendable, Equatable {
    /// What is wrong.
    public enum Kind: String, Sendable {
        /// A record whose framing or CRC-32C fails, with intact records after it.
        case damagedRecord = "damaged-record"
        /// Bytes after the last intact record of a segment that do not form a record:
        /// a write cut short by a crash (never acknowledged), or a truncated file.
        case tornTail = "torn-tail"
        /// A segment shorter than what the store committed to it.
        case truncatedFile = "truncated-file"
        /// A segment missing between two present ones.
        case missingSegment = "missing-segment"
        /// A file that could not be read.
        case unreadableFile = "unreadable-file"
        /// A live buffer whose raw series record fails to decode.
        case damagedBuffer = "damaged-buffer"
        /// A live split pack whose header fails its checks.
        case damagedPack = "damaged-pack"
        /// A split of a live pack whose codec record fails to decode.
        case damagedSplit = "damaged-split"
        /// An object a pointer names that the bucket does not hold (a deployment).
        case missingObject = "missing-object"
        /// An object whose bytes differ from the checksum the bucket keeps for them.
        case damagedObject = "damaged-object"
        /// An object of the bucket's aggregate prefix that nothing names: no pointer, no
        /// pending garbage or upload (a deployment).
        case orphanObject = "orphan-object"
    }

    public var kind: Kind
    /// The file.
    public var path: String
    /// Where in the file (nil: the whole file).
    public var offset: Int64?
    /// How many bytes (nil: unknown).
    public var length: Int64?
    /// The metric the damaged bytes belong to, when known.
    public var metric: MetricID?
    /// A sentence saying more.
    public var detail: String

    public init(
        kind: Kind, path: String, offset: Int64? = nil, length: Int64? = nil, metric: MetricID? = nil,
        detail: String
    ) {
        self.kind = kind
        self.path = path
        self.offset = offset
        self.length = length
        self.metric = metric
        self.detail = detail
    }
}

/// Finds gaps in a run of segment sequence numbers: segments are created in order and
/// only ever removed oldest first, so a number missing between two present ones is a
/// file that was lost.
enum SegmentGaps {
    static func missing(_ sequences: [UInt64]) -> [UInt64] {
        let sorted = sequences.sorted()
        var missing: [UInt64] = []
        for (low, high) in zip(sorted, sorted.dropFirst()) where high > low + 1 {
            // A long run of missing numbers is reported by its first and last.
            if high - low - 1 > 16 {
                missing.append(low + 1)
                missing.append(high - 1)
            } else {
                missing.append(contentsOf: (low + 1)..<high)
            }
        }
        return missing
    }
}
