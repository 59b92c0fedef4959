import RondoneS3
import RondoneStorage
public import RondoneTimeSeries

/// The bucket's aggregate objects as `rondone gc` sees them: every current blob with its
/// size, what the janitor will delete, and the orphans.
public struct AggregateInventory: Sendable {
    /// A current blob: the buffer (`aggregation` empty) or a split.
    public struct Blob: Sendable, Equatable {
        public var metric: MetricID
        public var aggregation: String
        public var granularity: TimeDelta
        public var key: Timestamp
        public var object: String
        /// The object's size in the listing (0 when the listing missed it).
        public var bytes: Int64

        public var isBuffer: Bool { aggregation.isEmpty }
    }

    /// Objects and bytes under the aggregate prefix.
    public var objects = 0
    public var bytes: Int64 = 0
    public var blobs: [Blob] = []
    /// Objects superseded (or of deleted metrics) longer ago than the grace, and uploads
    /// older than the upload grace: what ``S3AggregateStore/collectAllGarbage(grace:uploadGrace:)``
    /// deletes now.
    public var collectable = 0
    public var collectableBytes: Int64 = 0
    /// Objects still within their grace (a read may still use them): left for later.
    public var waiting = 0
    public var waitingBytes: Int64 = 0
    /// Objects nothing names.
    public var orphans: [ObjectStoreVerification.Orphan] = []
}

// Collection (`rondone gc` on a deployment): what the bucket holds and what can go, and
// the janitor's deletion run to the end.
extension S3AggregateStore {
    /// Lists the bucket, then reads the tables (that order: see ``verify(readContent:progress:)``).
    public func inventory(grace: Duration, uploadGrace: Duration) async throws -> AggregateInventory {
        var inventory = AggregateInventory()
        let listing = try await s3.listAllObjects(prefix: Self.objectPrefix)
        var sizes: [String: Int64] = [:]
        for object in listing { sizes[object.key] = object.size }
        inventory.objects = listing.count
        inventory.bytes = listing.reduce(0) { $0 + $1.size }
        let tables = try await pointerTables()
        inventory.blobs = tables.pointers.map { pointer in
            AggregateInventory.Blob(
                metric: pointer.metric, aggregation: pointer.address.aggregation,
                granularity: TimeDelta(nanoseconds: pointer.address.granularity),
                key: Timestamp(nanoseconds: pointer.address.key), object: pointer.object,
                bytes: sizes[pointer.object] ?? 0)
        }
        let (graceSeconds, uploadSeconds) = (Self.seconds(grace), Self.seconds(uploadGrace))
        for (object, age) in tables.garbage where sizes[object] != nil {
            if age >= graceSeconds {
                inventory.collectable += 1
                inventory.collectableBytes += sizes[object]!
            } else {
                inventory.waiting += 1
                inventory.waitingBytes += sizes[object]!
            }
        }
        for (object, age) in tables.uploads where sizes[object] != nil {
            if age >= uploadSeconds {
                inventory.collectable += 1
                inventory.collectableBytes += sizes[object]!
            } else {
                inventory.waiting += 1
                inventory.waitingBytes += sizes[object]!
            }
        }
        inventory.orphans = try await orphans(listing, tables)
        return inventory
    }

    /// Runs ``collectGarbage(grace:uploadGrace:limit:)`` until nothing is left to
    /// collect; returns the total.
    public func collectAllGarbage(grace: Duration, uploadGrace: Duration) async throws -> GarbageCollected {
        var total = GarbageCollected(superseded: 0, orphans: 0)
        while true {
            let pass = try await collectGarbage(grace: grace, uploadGrace: uploadGrace, limit: 1000)
            total.superseded += pass.superseded
            total.orphans += pass.orphans
            if pass.superseded == 0 && pass.orphans == 0 { return total }
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
