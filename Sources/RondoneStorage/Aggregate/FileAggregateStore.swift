import RondoneTimeSeries
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The embedded aggregate store: one append-only, checksummed log in a directory this
/// process owns, with an in-memory index rebuilt on open.
///
/// Layout (docs/STORAGE.md): `log/<sequence>.agl` segments of records, each a
/// metric's unaggregated buffer or one `SplitPack` (the splits of every aggregation
/// method at one granularity and key), or a deletion; the records of one `commit` are
/// followed by a commit record and applied only with it, so a commit is all or
/// nothing after a crash, and one `fdatasync` makes it durable. A sparse metric costs
/// its records' bytes (a few hundred), not a directory and files of 4 KiB blocks.
/// Superseded records are reclaimed by compacting the oldest segment when dead bytes
/// outweigh live ones. A directory in the former layout (`metrics/<uuid>/…` files) is
/// imported into the log on open.
public final class FileAggregateStore: AggregateStore {
    /// How to open a store.
    public struct Options: Sendable {
        /// A segment is closed and a new one started once it reaches this size.
        public var segmentBytes: Int = 64 << 20
        /// Compaction starts once dead bytes exceed both the live bytes and this.
        public var compactionMinimumDeadBytes: Int = 16 << 20
        /// Compaction reads and copies live records in groups of about this many bytes.
        public var compactionChunkBytes: Int = 1 << 20
        /// Called for each damaged stretch of log found on open.
        public var onCorruption: (@Sendable (AggregateCorruption) -> Void)?
        /// Fault tests only: makes chosen system calls fail.
        package var faults: FaultInjector?

        public init() {}
    }

    /// The store's directory.
    public let directory: String
    /// Damaged stretches found when the store was opened (torn tails included).
    public let corruptionsAtOpen: [AggregateCorruption]

    let posix: POSIX
    let options: Options
    private let ownership: DataDirectoryLock
    let io = BlockingExecutor(threads: 4)
    /// The index and the open segments; readers and the writer share it briefly.
    let state: Mutex<LogState>
    /// The appending side: one commit (or compaction) at a time.
    let writer: Mutex<LogWriter>

    /// Opens (creating if needed) the store in `directory`, taking ownership of it,
    /// scanning its log and importing a directory of the former layout.
    public init(directory: String, options: Options = Options()) throws {
        let posix = POSIX(faults: options.faults)
        self.ownership = try DataDirectoryLock(directory: directory)
        self.directory = directory
        self.posix = posix
        self.options = options
        let log = directory + "/log"
        if try posix.makeDirectory(log) { try posix.syncDirectory(directory) }
        let opened = try Self.scan(log: log, posix: posix)
        self.corruptionsAtOpen = opened.corruptions
        self.state = Mutex(opened.state)
        self.writer = Mutex(LogWriter(logDirectory: log, nextSequence: opened.nextSequence))
        for corruption in opened.corruptions { options.onCorruption?(corruption) }
        try importFormerLayout()
    }

    deinit {
        io.stop()
        writer.withLock { $0.retire() }
    }

    /// Finishes pending work and gives up the directory.
    public func close() {
        io.stop()
        writer.withLock { $0.retire() }
        ownership.release()
    }

    public func buffer(of metric: MetricID) async throws -> [UInt8]? {
        guard
            let (segment, location) = state.withLock({ state in
                state.index.metrics[metric]?.buffer.flatMap { location in
                    state.segments[location.segment].map { ($0, location) }
                }
            })
        else { return nil }
        return try await io.run { try self.readBlob(segment, location) }
    }

    public func putBuffer(_ bytes: [UInt8], for metric: MetricID) async throws {
        try await commit([MetricChanges(metric: metric, buffer: bytes)])
    }

    public func deleteBuffer(of metric: MetricID) async throws {
        try await io.run {
            try self.writer.withLock { writer in
                guard self.state.withLock({ $0.index.metrics[metric]?.buffer != nil }) else { return }
                var group = LogGroup()
                group.add(.bufferDeleted, metric: metric)
                try self.append(group, writer: &writer)
            }
        }
    }

    public func split(_ key: SplitAddress, of metric: MetricID) async throws -> [UInt8]? {
        try await splits([key], of: metric)[0]
    }

    /// Reads each pack once, however many of its methods are asked for.
    public func splits(_ keys: [SplitAddress], of metric: MetricID) async throws -> [[UInt8]?] {
        for key in keys { try Self.checkName(key.aggregation) }
        let found: [(LogSegment, LogLocation)?] = state.withLock { state in
            guard let entry = state.index.metrics[metric] else { return keys.map { _ in nil } }
            return keys.map { key in
                let (present, index) = entry.packIndex(key.granularity.nanoseconds, key.key.nanoseconds)
                guard present else { return nil }
                let location = entry.packs[index].location
                return state.segments[location.segment].map { ($0, location) }
            }
        }
        guard found.contains(where: { $0 != nil }) else { return keys.map { _ in nil } }
        return try await io.run {
            var read: [LogLocation: PackContent] = [:]
            return try zip(keys, found).map { key, place in
                guard let (segment, location) = place else { return nil }
                if read[location] == nil {
                    read[location] = PackContent(try self.readBlob(segment, location))
                }
                return read[location]?.blob(key.aggregation)
            }
        }
    }

    /// The packs of every range found under one lock, then read on at most two of the
    /// I/O threads (a thread hand-off per part, not per metric).
    public func splits(in ranges: [SplitRange]) async throws -> [[SplitBlob]] {
        for range in ranges { try Self.checkName(range.aggregation) }
        typealias Pack = (key: Int64, segment: LogSegment, location: LogLocation)
        let found: [[Pack]] = state.withLock { state in
            ranges.map { range in
                guard let entry = state.index.metrics[range.metric] else { return [] }
                let granularity = range.granularity.nanoseconds
                let first = range.first?.nanoseconds ?? .min
                let last = range.last?.nanoseconds ?? .max
                var (_, index) = entry.packIndex(granularity, first)
                var packs: [Pack] = []
                while index < entry.packs.count, entry.packs[index].granularity == granularity,
                    entry.packs[index].key <= last
                {
                    let pack = entry.packs[index]
                    index += 1
                    guard state.index.names.mayHold(pack.methods, range.aggregation),
                        let segment = state.segments[pack.location.segment]
                    else { continue }
                    packs.append((pack.key, segment, pack.location))
                }
                return packs
            }
        }
        let total = found.reduce(0) { $0 + $1.count }
        guard total > 0 else { return ranges.map { _ in [] } }
        @Sendable func read(_ part: Range<Int>) throws -> [[SplitBlob]] {
            try part.map { index in
                try found[index].compactMap { pack in
                    PackContent(try self.readBlob(pack.segment, pack.location)).blob(
                        ranges[index].aggregation
                    )
                    .map { SplitBlob(key: Timestamp(nanoseconds: pack.key), bytes: $0) }
                }
            }
        }
        guard total >= 512, ranges.count >= 2 else { return try await io.run { try read(0..<ranges.count) } }
        let middle = ranges.count / 2
        async let head = io.run { try read(0..<middle) }
        let tail = try await io.run { try read(middle..<ranges.count) }
        return try await head + tail
    }

    public func putSplit(_ bytes: [UInt8], _ key: SplitAddress, for metric: MetricID) async throws {
        try await commit([MetricChanges(metric: metric, splits: [key: bytes])])
    }

    public func deleteSplit(_ key: SplitAddress, of metric: MetricID) async throws {
        try await commit([MetricChanges(metric: metric, deletedSplits: [key])])
    }

    /// Answered from the index alone: which packs hold which methods is known since
    /// they were written (or scanned on open).
    public func splitKeys(of metric: MetricID, aggregation: String, granularity: TimeDelta)
        async throws
        -> [Timestamp]
    {
        try Self.checkName(aggregation)
        let candidates: [(key: Int64, certain: Bool, segment: LogSegment?, location: LogLocation)] =
            state.withLock { state in
                guard let entry = state.index.metrics[metric] else { return [] }
                return entry.packs.filter {
                    $0.granularity == granularity.nanoseconds
                        && state.index.names.mayHold($0.methods, aggregation)
                }.map { pack in
                    // A name past the 63 with a bit each: the pack itself says whether it
                    // holds it. A damaged pack answers for every name.
                    let certain = state.index.names.hasBit(aggregation) || pack.methods == MethodNames.all
                    return (pack.key, certain, state.segments[pack.location.segment], pack.location)
                }
            }
        var keys: [Timestamp] = []
        for candidate in candidates {
            if candidate.certain {
                keys.append(Timestamp(nanoseconds: candidate.key))
                continue
            }
            guard let segment = candidate.segment else { continue }
            let blob = try await io.run { try self.readBlob(segment, candidate.location) }
            if PackContent(blob).blob(aggregation) != nil {
                keys.append(Timestamp(nanoseconds: candidate.key))
            }
        }
        return keys
    }

    public func commit(_ changes: [MetricChanges]) async throws {
        let changes = changes.filter { !$0.isEmpty }
        guard !changes.isEmpty else { return }
        // Names are checked before anything is touched, so a bad one changes nothing.
        for change in changes {
            for address in change.splits.keys { try Self.checkName(address.aggregation) }
            for address in change.deletedSplits { try Self.checkName(address.aggregation) }
        }
        try await io.run {
            try self.writer.withLock { writer in
                let group = try self.plan(changes)
                guard !group.isEmpty else { return }
                try self.append(group, writer: &writer)
                self.compactIfWorthIt(writer: &writer)
            }
        }
    }

    public func deleteMetric(_ metric: MetricID) async throws {
        try await io.run {
            try self.writer.withLock { writer in
                guard self.state.withLock({ $0.index.metrics[metric] != nil }) else { return }
                var group = LogGroup()
                group.add(.metricDeleted, metric: metric)
                try self.append(group, writer: &writer)
            }
        }
    }

    /// Always 0: a deleted metric is unreadable at once, and its bytes are reclaimed
    /// with the dead records of its segments by compaction.
    public func pendingDeletions() async throws -> Int { 0 }

    /// A pack's blob as read: intact, or damaged (its raw bytes, handed out for every
    /// method so the engine's codec reports the damage instead of the split vanishing).
    enum PackContent {
        case intact(SplitPack)
        case damaged([UInt8])

        init(_ bytes: [UInt8]) {
            self = SplitPack.decode(bytes).map(PackContent.intact) ?? .damaged(bytes)
        }

        func blob(_ aggregation: String) -> [UInt8]? {
            switch self {
            case .intact(let pack): return pack.records[aggregation]
            case .damaged(let bytes): return bytes
            }
        }

        var pack: SplitPack? {
            if case .intact(let pack) = self { return pack }
            return nil
        }
    }

    func readBlob(_ segment: LogSegment, _ location: LogLocation) throws -> [UInt8] {
        try posix.read(
            segment.descriptor, count: Int(location.blobLength), at: location.blobOffset,
            path: segment.path)
    }

    /// Method names are stored in packs with a one-byte length, and were file names in
    /// the former layout: the same rules hold.
    static func checkName(_ aggregation: String) throws {
        try SplitAddress.checkAggregationName(aggregation)
    }
}

/// A damaged stretch of the aggregate log found on open, and skipped with the commit
/// it belonged to.
public struct AggregateCorruption: Sendable, Equatable {
    /// The segment file.
    public var path: String
    /// Where the damaged (or uncommitted) bytes start, and how many there are.
    public var offset: Int64
    public var length: Int64
    /// True when nothing intact follows: the tail of a commit cut short by a crash,
    /// which was never acknowledged (its `fdatasync` had not returned).
    public var tornTail: Bool
}
