import RondoneTimeSeries
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The embedded aggregate store: one file per blob, in a directory this process owns.
///
/// Layout (docs/STORAGE.md): `metrics/<uuid>/buffer`,
/// `metrics/<uuid>/<aggregation>_<granularity ns>/<split key ns>`; blobs are written
/// in `tmp/`, fsynced, renamed into place and the target directory fsynced, so a
/// reader sees an old or a new file, never a partial one, and a crash leaves at worst
/// a stray file in `tmp/` (emptied on open). Deleting a metric renames its directory
/// into `deleted/` (so it vanishes at once) and frees the space in the background.
public final class FileAggregateStore: AggregateStore {
    /// How to open a store.
    public struct Options: Sendable {
        /// Fault tests only: makes chosen system calls fail.
        package var faults: FaultInjector?

        public init() {}
    }

    /// The store's directory.
    public let directory: String
    private let posix: POSIX
    private let ownership: DataDirectoryLock
    private let io = BlockingExecutor(threads: 2)
    private let purger = BlockingExecutor(threads: 1)
    private let nextTemp = Atomic<UInt64>(0)

    /// Opens (creating if needed) the store in `directory`, taking ownership of it,
    /// emptying `tmp/` and resuming the purge of deleted metrics.
    public init(directory: String, options: Options = Options()) throws {
        let posix = POSIX(faults: options.faults)
        self.ownership = try DataDirectoryLock(directory: directory)
        self.directory = directory
        self.posix = posix
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
        purger.stop()
    }

    /// Finishes pending work (purges included) and gives up the directory.
    public func close() {
        io.stop()
        purger.stop()
        ownership.release()
    }

    public func buffer(of metric: MetricID) async throws -> [UInt8]? {
        let path = metricDirectory(metric) + "/buffer"
        return try await io.run { try self.readIfPresent(path) }
    }

    public func putBuffer(_ bytes: [UInt8], for metric: MetricID) async throws {
        try await io.run {
            try self.write(bytes, directory: self.metricDirectory(metric), name: "buffer", depth: 1)
        }
    }

    public func deleteBuffer(of metric: MetricID) async throws {
        try await io.run { try self.removeFile(self.metricDirectory(metric), name: "buffer") }
    }

    public func split(_ key: SplitAddress, of metric: MetricID) async throws -> [UInt8]? {
        let directory = try seriesDirectory(metric, key.aggregation, key.granularity)
        return try await io.run { try self.readIfPresent(directory + "/\(key.key.nanoseconds)") }
    }

    public func putSplit(_ bytes: [UInt8], _ key: SplitAddress, for metric: MetricID) async throws {
        let directory = try seriesDirectory(metric, key.aggregation, key.granularity)
        try await io.run {
            try self.write(bytes, directory: directory, name: "\(key.key.nanoseconds)", depth: 2)
        }
    }

    public func deleteSplit(_ key: SplitAddress, of metric: MetricID) async throws {
        let directory = try seriesDirectory(metric, key.aggregation, key.granularity)
        try await io.run { try self.removeFile(directory, name: "\(key.key.nanoseconds)") }
    }

    public func splitKeys(of metric: MetricID, aggregation: String, granularity: TimeDelta) async throws
        -> [Timestamp]
    {
        let directory = try seriesDirectory(metric, aggregation, granularity)
        let names = try await io.run { try self.posix.list(directory) }
        return names.compactMap { Int64($0).map(Timestamp.init(nanoseconds:)) }.sorted()
    }

    public func deleteMetric(_ metric: MetricID) async throws {
        let source = metricDirectory(metric)
        let target =
            directory + "/deleted/\(metric).\(nextTemp.add(1, ordering: .relaxed).oldValue)-\(getpid())"
        try await io.run {
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

    private func schedulePurge(_ path: String) {
        purger.submit { [posix] in
            // A failure leaves the entry in `deleted/`; the next open retries it.
            try? posix.removeTree(path)
        }
    }

    private func metricDirectory(_ metric: MetricID) -> String {
        directory + "/metrics/\(metric)"
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

    /// Write aside in `tmp/`, fsync, rename into place, fsync the target directory.
    /// `depth` is how many directory levels under `metrics/` the target lies.
    private func write(_ bytes: [UInt8], directory target: String, name: String, depth: Int) throws {
        try makeParents(target, depth: depth)
        let temp = directory + "/tmp/\(nextTemp.add(1, ordering: .relaxed).oldValue)"
        let fd = try posix.openFile(temp, O_WRONLY | O_CREAT | O_TRUNC)
        do {
            defer { posix.closeFile(fd) }
            try bytes.withUnsafeBytes { try posix.write(fd, $0, at: 0, path: temp) }
            try posix.sync(fd, path: temp)
        } catch {
            unlink(temp)
            throw error
        }
        do {
            try posix.renameFile(temp, target + "/" + name)
        } catch {
            unlink(temp)
            throw error
        }
        try posix.syncDirectory(target)
    }

    /// Creates the missing directories of `target` (up to `depth` levels under
    /// `metrics/`), syncing each parent that gained an entry so the path is durable.
    private func makeParents(_ target: String, depth: Int) throws {
        var level = target
        var levels: [String] = [target]
        for _ in 1..<depth {
            level = String(level[..<level.lastIndex(of: "/")!])
            levels.append(level)
        }
        for path in levels.reversed() where try posix.makeDirectory(path) {
            try posix.syncDirectory(String(path[..<path.lastIndex(of: "/")!]))
        }
    }

    private func removeFile(_ directory: String, name: String) throws {
        guard posix.exists(directory + "/" + name) else { return }
        try posix.remove(directory + "/" + name)
        try posix.syncDirectory(directory)
    }
}
