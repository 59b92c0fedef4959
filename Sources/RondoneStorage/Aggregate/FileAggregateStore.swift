import RondoneTimeSeries
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The embedded aggregate store: files in a directory this process owns.
///
/// Layout (docs/STORAGE.md): `metrics/<uuid>/buffer`, and
/// `metrics/<uuid>/<granularity ns>_<split key ns>`, one `SplitPack` holding the
/// splits of every aggregation method at that granularity and key. Every change goes
/// through `commit`: new files are written aside in `tmp/`, made durable together,
/// renamed into place and their directories made durable, so a reader sees an old or
/// a new file, never a partial one, and a crash leaves at worst stray files in `tmp/`
/// (emptied on open). Deleting a metric renames its directory into `deleted/` (so it
/// vanishes at once) and frees the space in the background.
public final class FileAggregateStore: AggregateStore {
    /// How to open a store.
    public struct Options: Sendable {
        /// A commit that makes more files (or directories) durable than this uses one
        /// `syncfs(2)` for them all instead of an fsync each (run in parallel).
        /// `Int.max` never uses syncfs; systems without it never do.
        public var syncFileSystemAbove: Int = 8
        /// Fault tests only: makes chosen system calls fail.
        package var faults: FaultInjector?

        public init() {}
    }

    /// The store's directory.
    public let directory: String
    let posix: POSIX
    private let ownership: DataDirectoryLock
    private let io = BlockingExecutor(threads: 4)
    /// Parallel fsyncs of one commit; only ever used from `io` threads.
    let syncers = BlockingExecutor(threads: 8)
    private let purger = BlockingExecutor(threads: 1)
    let nextTemp = Atomic<UInt64>(0)
    let locks = MetricLocks()
    /// Open on the data directory, for `syncfs`; -1 if it could not be opened.
    let dataDirectoryDescriptor: Int32
    let syncFileSystemAbove: Int

    /// Opens (creating if needed) the store in `directory`, taking ownership of it,
    /// emptying `tmp/` and resuming the purge of deleted metrics.
    public init(directory: String, options: Options = Options()) throws {
        let posix = POSIX(faults: options.faults)
        self.ownership = try DataDirectoryLock(directory: directory)
        self.directory = directory
        self.posix = posix
        self.syncFileSystemAbove = options.syncFileSystemAbove
        self.dataDirectoryDescriptor = (try? posix.openFile(directory, O_RDONLY | O_DIRECTORY)) ?? -1
        var created = false
        for name in ["metrics", "tmp", "deleted"] {
            if try posix.makeDirectory(directory + "/" + name) { created = true }
        }
        if created { try posix.syncDirectory(directory) }
        for name in try posix.list(directory + "/tmp") { try posix.remove(directory + "/tmp/" + name) }
        for name in try posix.list(directory + "/deleted") { schedulePurge(directory + "/deleted/" + name) }
    }

    deinit {
        io.stop()
        syncers.stop()
        purger.stop()
        if dataDirectoryDescriptor >= 0 { posix.closeFile(dataDirectoryDescriptor) }
    }

    /// Finishes pending work (purges included) and gives up the directory.
    public func close() {
        io.stop()
        syncers.stop()
        purger.stop()
        ownership.release()
    }

    public func buffer(of metric: MetricID) async throws -> [UInt8]? {
        let path = metricDirectory(metric) + "/buffer"
        return try await io.run { try self.readIfPresent(path) }
    }

    public func putBuffer(_ bytes: [UInt8], for metric: MetricID) async throws {
        try await commit([MetricChanges(metric: metric, buffer: bytes)])
    }

    public func deleteBuffer(of metric: MetricID) async throws {
        try await io.run {
            self.locks.lock([metric])
            defer { self.locks.unlock([metric]) }
            try self.removeFile(self.metricDirectory(metric), name: "buffer")
        }
    }

    public func split(_ key: SplitAddress, of metric: MetricID) async throws -> [UInt8]? {
        try await splits([key], of: metric)[0]
    }

    /// Reads each pack once, however many of its methods are asked for.
    public func splits(_ keys: [SplitAddress], of metric: MetricID) async throws -> [[UInt8]?] {
        for key in keys { try Self.checkName(key.aggregation) }
        let paths = keys.map { packPath(metric, $0.granularity, $0.key) }
        return try await io.run {
            var packs: [String: PackContent] = [:]
            return try zip(keys, paths).map { key, path in
                if packs[path] == nil { packs[path] = try self.readPack(path) }
                return packs[path]?.blob(key.aggregation)
            }
        }
    }

    public func putSplit(_ bytes: [UInt8], _ key: SplitAddress, for metric: MetricID) async throws {
        try await commit([MetricChanges(metric: metric, splits: [key: bytes])])
    }

    public func deleteSplit(_ key: SplitAddress, of metric: MetricID) async throws {
        try await commit([MetricChanges(metric: metric, deletedSplits: [key])])
    }

    public func splitKeys(of metric: MetricID, aggregation: String, granularity: TimeDelta) async throws
        -> [Timestamp]
    {
        try Self.checkName(aggregation)
        let directory = metricDirectory(metric)
        let prefix = "\(granularity.nanoseconds)_"
        return try await io.run {
            var keys: [Timestamp] = []
            for name in try self.posix.list(directory) where name.hasPrefix(prefix) {
                guard let key = Int64(name.dropFirst(prefix.count)) else { continue }
                let content = try self.readPack(directory + "/" + name)
                if content?.blob(aggregation) != nil { keys.append(Timestamp(nanoseconds: key)) }
            }
            return keys.sorted()
        }
    }

    public func commit(_ changes: [MetricChanges]) async throws {
        let changes = changes.filter { !$0.isEmpty }
        guard !changes.isEmpty else { return }
        // Names are checked before anything is touched, so a bad one changes nothing.
        for change in changes {
            for address in change.splits.keys { try Self.checkName(address.aggregation) }
            for address in change.deletedSplits { try Self.checkName(address.aggregation) }
        }
        let metrics = Set(changes.map(\.metric))
        try await io.run {
            self.locks.lock(metrics)
            defer { self.locks.unlock(metrics) }
            try self.execute(try self.plan(changes))
        }
    }

    public func deleteMetric(_ metric: MetricID) async throws {
        let source = metricDirectory(metric)
        let target =
            directory + "/deleted/\(metric).\(nextTemp.add(1, ordering: .relaxed).oldValue)-\(getpid())"
        try await io.run {
            self.locks.lock([metric])
            defer { self.locks.unlock([metric]) }
            guard self.posix.isDirectory(source) else { return }
            try self.posix.renameFile(source, target)
            try self.posix.syncDirectory(self.directory + "/metrics")
            try self.posix.syncDirectory(self.directory + "/deleted")
        }
        schedulePurge(target)
    }

    public func pendingDeletions() async throws -> Int {
        try await io.run { try self.posix.list(self.directory + "/deleted").count }
    }

    /// The files to write and remove for `changes`: each touched pack is read, edited
    /// and rewritten whole (a damaged one is replaced by what this commit puts in it).
    /// Creates missing metric directories (`metrics/` is synced with the split phase).
    private func plan(_ changes: [MetricChanges]) throws -> CommitPlan {
        var plan = CommitPlan()
        for change in changes {
            let metricDirectory = metricDirectory(change.metric)
            if try posix.makeDirectory(metricDirectory) {
                plan.splitDirectories.insert(directory + "/metrics")
            }
            var edits: [String: (puts: [String: [UInt8]], deletes: Set<String>)] = [:]
            for (address, bytes) in change.splits {
                edits[packPath(change.metric, address.granularity, address.key), default: ([:], [])]
                    .puts[address.aggregation] = bytes
            }
            for address in change.deletedSplits {
                edits[packPath(change.metric, address.granularity, address.key), default: ([:], [])]
                    .deletes.insert(address.aggregation)
            }
            for (path, edit) in edits {
                let stored = try readPack(path)
                var pack = stored?.pack ?? SplitPack()
                for (name, bytes) in edit.puts where !edit.deletes.contains(name) {
                    pack.records[name] = bytes
                }
                for name in edit.deletes { pack.records[name] = nil }
                guard pack.records.count <= 0xFFFF else {
                    throw StorageError.invalidName("\(path): too many methods")
                }
                if pack.records.isEmpty {
                    guard stored != nil else { continue }
                    plan.removals.append(path)
                } else {
                    guard stored?.pack != pack else { continue }  // unchanged: nothing to write
                    plan.splitFiles.append(.init(target: path, bytes: pack.encode()))
                }
                plan.splitDirectories.insert(metricDirectory)
            }
            if let buffer = change.buffer {
                plan.buffers.append(.init(target: metricDirectory + "/buffer", bytes: buffer))
                plan.bufferDirectories.insert(metricDirectory)
            }
        }
        return plan
    }

    /// A pack file as read: intact, or damaged (its raw bytes, handed out for every
    /// method so the engine's codec reports the damage instead of the split vanishing).
    enum PackContent {
        case intact(SplitPack)
        case damaged([UInt8])

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

    /// The pack at `path`, nil if there is none.
    private func readPack(_ path: String) throws -> PackContent? {
        guard let bytes = try readIfPresent(path) else { return nil }
        return SplitPack.decode(bytes).map(PackContent.intact) ?? .damaged(bytes)
    }

    private func schedulePurge(_ path: String) {
        purger.submit { [posix] in
            // A failure leaves the entry in `deleted/`; the next open retries it.
            try? posix.removeTree(path)
        }
    }

    private func metricDirectory(_ metric: MetricID) -> String {
        directory + "/metrics/\(metric)"
    }

    /// `metrics/<uuid>/<granularity ns>_<split key ns>` (the key may be negative).
    private func packPath(_ metric: MetricID, _ granularity: TimeDelta, _ key: Timestamp) -> String {
        metricDirectory(metric) + "/\(granularity.nanoseconds)_\(key.nanoseconds)"
    }

    /// Method names are stored in packs with a one-byte length; the rules that kept
    /// them safe as file names are kept too, so a driver may use them as names.
    private static func checkName(_ aggregation: String) throws {
        guard !aggregation.isEmpty, aggregation != ".", aggregation != "..",
            aggregation.utf8.count <= SplitPack.maxNameLength,
            !aggregation.utf8.contains(where: { $0 == UInt8(ascii: "/") || $0 == 0 })
        else { throw StorageError.invalidName(aggregation) }
    }

    private func readIfPresent(_ path: String) throws -> [UInt8]? {
        do {
            return try posix.readAll(path)
        } catch StorageError.io(_, _, ENOENT) {
            return nil
        }
    }

    private func removeFile(_ directory: String, name: String) throws {
        guard posix.exists(directory + "/" + name) else { return }
        try posix.remove(directory + "/" + name)
        try posix.syncDirectory(directory)
    }
}
