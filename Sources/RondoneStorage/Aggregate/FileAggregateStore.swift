import RondoneTimeSeries
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The embedded aggregate store: files in a directory this process owns.
///
/// Layout (docs/STORAGE.md): `metrics/<uuid>/buffer`,
/// `metrics/<uuid>/<aggregation>_<granularity ns>/<split key ns>`. Every change goes
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
        let path = try splitPath(key, of: metric)
        return try await io.run { try self.readIfPresent(path) }
    }

    public func splits(_ keys: [SplitAddress], of metric: MetricID) async throws -> [[UInt8]?] {
        let paths = try keys.map { try splitPath($0, of: metric) }
        return try await io.run { try paths.map { try self.readIfPresent($0) } }
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
        let directory = try seriesDirectory(metric, aggregation, granularity)
        let names = try await io.run { try self.posix.list(directory) }
        return names.compactMap { Int64($0).map(Timestamp.init(nanoseconds:)) }.sorted()
    }

    public func commit(_ changes: [MetricChanges]) async throws {
        let changes = changes.filter { !$0.isEmpty }
        guard !changes.isEmpty else { return }
        // Names are checked before anything is touched, so a bad one changes nothing.
        for change in changes {
            for address in change.splits.keys { _ = try splitPath(address, of: change.metric) }
            for address in change.deletedSplits { _ = try splitPath(address, of: change.metric) }
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

    /// The files to write and remove for `changes`; creates missing directories (their
    /// parents are synced with the split phase).
    private func plan(_ changes: [MetricChanges]) throws -> CommitPlan {
        var plan = CommitPlan()
        for change in changes {
            let metricDirectory = metricDirectory(change.metric)
            if try posix.makeDirectory(metricDirectory) {
                plan.splitDirectories.insert(directory + "/metrics")
            }
            let deleted = Set(change.deletedSplits)
            for (address, bytes) in change.splits where !deleted.contains(address) {
                let series = try seriesDirectory(change.metric, address.aggregation, address.granularity)
                if try posix.makeDirectory(series) { plan.splitDirectories.insert(metricDirectory) }
                plan.splitFiles.append(.init(target: series + "/\(address.key.nanoseconds)", bytes: bytes))
                plan.splitDirectories.insert(series)
            }
            for address in deleted {
                let series = try seriesDirectory(change.metric, address.aggregation, address.granularity)
                let path = series + "/\(address.key.nanoseconds)"
                guard posix.exists(path) else { continue }
                plan.removals.append(path)
                plan.splitDirectories.insert(series)
            }
            if let buffer = change.buffer {
                plan.buffers.append(.init(target: metricDirectory + "/buffer", bytes: buffer))
                plan.bufferDirectories.insert(metricDirectory)
            }
        }
        return plan
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

    private func splitPath(_ key: SplitAddress, of metric: MetricID) throws -> String {
        try seriesDirectory(metric, key.aggregation, key.granularity) + "/\(key.key.nanoseconds)"
    }

    /// `metrics/<uuid>/<aggregation>_<granularity ns>`; the aggregation name becomes a
    /// file name, so anything that could escape the directory is refused.
    private func seriesDirectory(_ metric: MetricID, _ aggregation: String, _ granularity: TimeDelta) throws
        -> String
    {
        guard !aggregation.isEmpty, aggregation != ".", aggregation != "..",
            !aggregation.utf8.contains(where: { $0 == UInt8(ascii: "/") || $0 == 0 })
        else { throw StorageError.invalidName(aggregation) }
        return metricDirectory(metric) + "/\(aggregation)_\(granularity.nanoseconds)"
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
