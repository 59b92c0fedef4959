import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Encoded records bound for one sack, with what the index must learn once durable.
struct SackAppend: Sendable {
    /// What one record in `bytes` is, at which offset from the start of `bytes`.
    enum Entry: Sendable {
        case measures(MetricID, count: Int, offset: Int, length: Int)
        case consumed(MetricID, LogPosition)
    }

    var sack: Int
    var bytes: [UInt8] = []
    var entries: [Entry] = []
}

/// A sack's active segment as the committer sees it between groups: every byte before
/// `size` is durable and acknowledged.
struct CommittedSegment: Sendable {
    var sequence: UInt64
    var size: Int64
}

/// The group commit of the incoming logs: one dedicated thread writes what every
/// waiting writer queued, makes it durable with one `fdatasync` per touched segment,
/// updates the index, then resumes all those writers at once.
///
/// A dedicated OS thread rather than a task: `fdatasync` blocks for milliseconds, and
/// parking one of the cooperative pool's few threads there would stall unrelated
/// tasks. While the thread syncs, new writers keep queueing; they form the next group,
/// so the number of syncs per second stays bounded by the disk, not by the writers.
final class GroupCommitter: @unchecked Sendable {
    /// A queued request and how to tell its writer the outcome.
    private enum Request {
        case append([SackAppend], done: @Sendable (StorageError?) -> Void)
        /// Closes the sack's active segment; reports the last sealed sequence number.
        case seal(sack: Int, done: @Sendable (UInt64) -> Void)
        /// Runs `body` on the flusher thread once every append queued before it is
        /// durable, with each sack's active segment and its committed size; appends
        /// wait while `body` runs (a backup's consistent point).
        case pause(body: @Sendable ([Int: CommittedSegment]) -> Void)
    }

    /// The segment a sack appends to (flusher thread only).
    private struct ActiveSegment {
        var sequence: UInt64
        var descriptor: Int32
        var size: Int64
        var path: String
    }

    private let layout: IncomingLayout
    private let index: IncomingIndex
    private let posix: POSIX
    private let segmentBytes: Int64
    /// Threads that sync the segments of one group in parallel.
    private let syncers = BlockingExecutor(threads: 7)

    // Guarded by `condition`.
    private let condition = ConditionLock()
    private var queue: [Request] = []
    private var stopping = false
    private var thread: DedicatedThread?

    // Touched only by the flusher thread.
    private var active: [Int: ActiveSegment] = [:]
    private var nextSequence: [UInt64]

    init(
        layout: IncomingLayout, index: IncomingIndex, posix: POSIX, segmentBytes: Int64,
        nextSequence: [UInt64]
    ) {
        self.layout = layout
        self.index = index
        self.posix = posix
        self.segmentBytes = segmentBytes
        self.nextSequence = nextSequence
        let thread = DedicatedThread { [self] in run() }
        condition.withLock { self.thread = thread }
    }

    /// Appends durably; throws if the store is closing or the write failed.
    func append(_ appends: [SackAppend]) async throws {
        let error: StorageError? = await withCheckedContinuation { continuation in
            enqueue(.append(appends, done: { continuation.resume(returning: $0) })) {
                continuation.resume(returning: .closed)
            }
        }
        if let error { throw error }
    }

    /// Seals `sack`'s active segment: later appends go to a new one.
    func seal(sack: Int) async throws -> UInt64 {
        let sealed: UInt64? = await withCheckedContinuation { continuation in
            enqueue(.seal(sack: sack, done: { continuation.resume(returning: $0) })) {
                continuation.resume(returning: nil)
            }
        }
        guard let sealed else { throw StorageError.closed }
        return sealed
    }

    /// Queues a pause (see `Request.pause`); false when the store is closing.
    func pause(_ body: @escaping @Sendable ([Int: CommittedSegment]) -> Void) -> Bool {
        var accepted = true
        enqueue(.pause(body: body)) { accepted = false }
        return accepted
    }

    /// Finishes the queued work, closes the segments and stops the thread.
    func stop() {
        let thread: DedicatedThread? = condition.withLock {
            stopping = true
            condition.signal()
            defer { self.thread = nil }
            return self.thread
        }
        thread?.join()
        syncers.stop()
    }

    private func enqueue(_ request: Request, orIfStopping refuse: () -> Void) {
        let accepted = condition.withLock {
            guard !stopping else { return false }
            queue.append(request)
            condition.signal()
            return true
        }
        if !accepted { refuse() }
    }

    private func run() {
        while true {
            let group: [Request]? = condition.withLock {
                while queue.isEmpty && !stopping { condition.wait() }
                if queue.isEmpty { return nil }
                defer { queue.removeAll(keepingCapacity: true) }
                return queue
            }
            guard let group else { break }
            var pending: [([SackAppend], @Sendable (StorageError?) -> Void)] = []
            for request in group {
                switch request {
                case .append(let appends, let done): pending.append((appends, done))
                case .seal(let sack, let done):
                    // Appends queued before the seal belong to the sealed segments.
                    commit(pending)
                    pending.removeAll()
                    done(closeActive(sack))
                case .pause(let body):
                    commit(pending)
                    pending.removeAll()
                    body(active.mapValues { CommittedSegment(sequence: $0.sequence, size: $0.size) })
                }
            }
            commit(pending)
        }
        for sack in Array(active.keys) { _ = closeActive(sack) }
    }

    /// Writes, syncs and indexes one group of appends, then reports to each writer.
    private func commit(_ requests: [([SackAppend], @Sendable (StorageError?) -> Void)]) {
        guard !requests.isEmpty else { return }
        var bySack: [Int: (bytes: [UInt8], parts: [(request: Int, base: Int, entries: [SackAppend.Entry])])] =
            [:]
        for (number, (appends, _)) in requests.enumerated() {
            for append in appends {
                var group = bySack[append.sack] ?? ([], [])
                group.parts.append((number, group.bytes.count, append.entries))
                group.bytes.append(contentsOf: append.bytes)
                bySack[append.sack] = group
            }
        }
        var failures: [Int: StorageError] = [:]
        var written: [(sack: Int, sequence: UInt64, base: Int64)] = []
        for (sack, group) in bySack.sorted(by: { $0.key < $1.key }) {
            do {
                let segment = try activeSegment(sack)
                do {
                    try group.bytes.withUnsafeBytes {
                        try posix.write(segment.descriptor, $0, at: segment.size, path: segment.path)
                    }
                    active[sack]?.size += Int64(group.bytes.count)
                    written.append((sack, segment.sequence, segment.size))
                } catch {
                    abandon(sack, truncatingTo: segment.size)
                    throw error
                }
            } catch {
                for part in group.parts { failures[part.request] = error as? StorageError ?? .closed }
            }
        }
        // The touched segments are synced in parallel: the file system folds
        // concurrent fdatasyncs into one journal commit, so a group spread over many
        // sacks costs about one sync, not one per sack.
        let targets = written.compactMap { item in active[item.sack].map { (item, $0.descriptor, $0.path) } }
        let syncErrors = Mutex([StorageError?](repeating: nil, count: targets.count))
        syncers.perform(targets.count) { [posix] number in
            do {
                try posix.syncData(targets[number].1, path: targets[number].2)
            } catch {
                syncErrors.withLock { $0[number] = error as? StorageError ?? .closed }
            }
        }
        for (number, ((sack, sequence, base), _, _)) in targets.enumerated() {
            if let error = syncErrors.withLock({ $0[number] }) {
                // After a failed fdatasync the page cache state is unknown: drop the
                // group's bytes and never append to this segment again.
                abandon(sack, truncatingTo: base)
                for part in bySack[sack]!.parts { failures[part.request] = error }
                continue
            }
            let parts = bySack[sack]!.parts.map { (offset: base + Int64($0.base), entries: $0.entries) }
            index.apply(sack: sack, segment: sequence, parts: parts)
        }
        for (number, (_, done)) in requests.enumerated() { done(failures[number]) }
    }

    /// The sack's segment to append to, creating (and making durable) a new one when
    /// there is none or the current one is full.
    private func activeSegment(_ sack: Int) throws -> ActiveSegment {
        if let segment = active[sack], segment.size < segmentBytes { return segment }
        _ = closeActive(sack)
        let sequence = nextSequence[sack]
        let path = layout.segmentPath(sack: sack, sequence: sequence)
        let descriptor = try posix.openFile(path, O_WRONLY | O_CREAT | O_EXCL)
        do {
            // The new file's inode and its directory entry must be durable before any
            // record in it is acknowledged; later fdatasyncs cover the data and size.
            try posix.sync(descriptor, path: path)
            try posix.syncDirectory(layout.sackDirectory(sack))
        } catch {
            close(descriptor)
            unlink(path)
            throw error
        }
        nextSequence[sack] = sequence + 1
        let segment = ActiveSegment(sequence: sequence, descriptor: descriptor, size: 0, path: path)
        active[sack] = segment
        return segment
    }

    /// Closes the sack's active segment; returns the last sequence number used.
    private func closeActive(_ sack: Int) -> UInt64 {
        if let segment = active.removeValue(forKey: sack) { close(segment.descriptor) }
        return nextSequence[sack] - 1
    }

    /// Best effort to cut a failed write off the segment, which is then retired.
    private func abandon(_ sack: Int, truncatingTo size: Int64) {
        if let segment = active[sack] { _ = ftruncate(segment.descriptor, off_t(size)) }
        _ = closeActive(sack)
    }
}
