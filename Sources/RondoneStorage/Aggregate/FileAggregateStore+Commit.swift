import RondoneTimeSeries

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One segment file of the aggregate log, open for reading (and, the active one, for
/// appending). Readers hold a reference while they read, so compaction can drop a
/// segment from the index without closing a descriptor under a reader's feet.
final class LogSegment: Sendable {
    let sequence: UInt64
    let path: String
    let descriptor: Int32

    init(sequence: UInt64, path: String, descriptor: Int32) {
        self.sequence = sequence
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// `<16 hex digits>.agl`: name order is log order.
    static func name(_ sequence: UInt64) -> String {
        let digits = String(sequence, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits + ".agl"
    }

    /// The sequence number of a segment file name, nil for any other file.
    static func sequence(_ name: String) -> UInt64? {
        guard name.utf8.count == 20, name.hasSuffix(".agl") else { return nil }
        return UInt64(name.prefix(16), radix: 16)
    }
}

/// The index and the segments readers may read from.
struct LogState: Sendable {
    var index = AggregateLogIndex()
    var segments: [UInt64: LogSegment] = [:]
}

/// The appending side of the log (used under the writer lock only).
struct LogWriter: Sendable {
    let logDirectory: String
    var nextSequence: UInt64
    var active: LogSegment?
    var size: Int64 = 0

    /// Never appends to the current segment again (after a failed write or sync, whose
    /// page-cache state is unknown, or before compacting it).
    mutating func retire() {
        active = nil
        size = 0
    }
}

/// The records of one commit, encoded, with what the index learns from each.
struct LogGroup {
    struct Entry {
        var kind: AggregateLogRecord.Kind
        var metric: MetricID
        var first: Int64
        var second: Int64
        var offset: Int
        var blobLength: Int
        /// Pack records: the method names it holds; nil for a damaged pack (all).
        var methods: [String]?
    }

    var bytes: [UInt8] = []
    var entries: [Entry] = []

    var isEmpty: Bool { entries.isEmpty }

    mutating func add(
        _ kind: AggregateLogRecord.Kind, metric: MetricID, first: Int64 = 0, second: Int64 = 0,
        blob: [UInt8] = [], methods: [String]? = []
    ) {
        let offset = AggregateLogRecord.append(
            kind, metric: metric, first: first, second: second, blob: blob, into: &bytes)
        entries.append(
            Entry(
                kind: kind, metric: metric, first: first, second: second, offset: offset,
                blobLength: blob.count,
                methods: methods))
    }
}

// Commits: one group of records, then its commit record, one write, one fdatasync.
extension FileAggregateStore {
    /// The records for `changes`: each touched pack is read, edited and rewritten whole
    /// (a damaged one is replaced by what this commit puts in it).
    func plan(_ changes: [MetricChanges]) throws -> LogGroup {
        var group = LogGroup()
        for change in changes {
            var edits: [PackKey: (puts: [String: [UInt8]], deletes: Set<String>)] = [:]
            for (address, bytes) in change.splits {
                edits[PackKey(address), default: ([:], [])].puts[address.aggregation] = bytes
            }
            for address in change.deletedSplits {
                edits[PackKey(address), default: ([:], [])].deletes.insert(address.aggregation)
            }
            for (key, edit) in edits.sorted(by: {
                ($0.key.granularity, $0.key.key) < ($1.key.granularity, $1.key.key)
            }) {
                let stored = try storedPack(change.metric, key)
                var pack = stored?.pack ?? SplitPack()
                for (name, bytes) in edit.puts where !edit.deletes.contains(name) {
                    pack.records[name] = bytes
                }
                for name in edit.deletes { pack.records[name] = nil }
                guard pack.records.count <= 0xFFFF else {
                    throw StorageError.invalidName(
                        "\(change.metric) \(key.granularity)_\(key.key): too many methods")
                }
                if pack.records.isEmpty {
                    guard stored != nil else { continue }
                    group.add(.packDeleted, metric: change.metric, first: key.granularity, second: key.key)
                } else {
                    guard stored?.pack != pack else { continue }  // unchanged: nothing to write
                    group.add(
                        .pack, metric: change.metric, first: key.granularity, second: key.key,
                        blob: pack.encode(),
                        methods: Array(pack.records.keys))
                }
            }
            if let buffer = change.buffer { group.add(.buffer, metric: change.metric, blob: buffer) }
        }
        return group
    }

    /// Appends `group` and its commit record durably, then updates the index.
    func append(_ group: LogGroup, writer: inout LogWriter) throws {
        try appendDurably(group.bytes, records: group.entries.count, writer: &writer) {
            segment, base, state in
            for entry in group.entries {
                let location = LogLocation(
                    segment: segment, offset: base + Int64(entry.offset), blobLength: Int32(entry.blobLength),
                    recordLength: Int32(AggregateLogRecord.length(blobLength: entry.blobLength)))
                let methods = entry.methods.map { state.index.names.mask($0) } ?? MethodNames.all
                state.index.apply(
                    entry.kind, metric: entry.metric, first: entry.first, second: entry.second, at: location,
                    methods: methods)
            }
        }
    }

    /// Writes `records` (already encoded) and a commit record covering them at the end of
    /// the active segment, `fdatasync`s it, then calls `update` with the segment and
    /// the offset the bytes start at, under the state lock. On a failure the segment is
    /// truncated back (best effort) and retired; the index is untouched.
    func appendDurably(
        _ records: [UInt8], records count: Int, writer: inout LogWriter,
        update: (UInt64, Int64, inout LogState) -> Void
    ) throws {
        let segment = try activeSegment(&writer)
        var bytes = records
        AggregateLogRecord.append(
            .commit, metric: MetricID(high: 0, low: 0), first: Int64(records.count), second: Int64(count),
            into: &bytes)
        let base = writer.size
        do {
            try bytes.withUnsafeBytes {
                try posix.write(segment.descriptor, $0, at: base, path: segment.path)
            }
            try posix.syncData(segment.descriptor, path: segment.path)
        } catch {
            _ = ftruncate(segment.descriptor, off_t(base))
            writer.retire()
            throw error
        }
        writer.size = base + Int64(bytes.count)
        let size = writer.size
        state.withLock { state in
            state.index.segmentBytes[segment.sequence] = size
            update(segment.sequence, base, &state)
        }
    }

    /// The segment to append to, creating (and making durable) a new one when there is
    /// none or the current one is full: the file's name is durable before any commit in
    /// it is acknowledged; later fdatasyncs cover its data and size.
    private func activeSegment(_ writer: inout LogWriter) throws -> LogSegment {
        if let active = writer.active, writer.size < Int64(options.segmentBytes) { return active }
        writer.retire()
        let sequence = writer.nextSequence
        let path = writer.logDirectory + "/" + LogSegment.name(sequence)
        let descriptor = try posix.openFile(path, O_RDWR | O_CREAT | O_EXCL)
        let segment = LogSegment(sequence: sequence, path: path, descriptor: descriptor)
        do {
            try posix.sync(descriptor, path: path)
            try posix.syncDirectory(writer.logDirectory)
        } catch {
            unlink(path)
            throw error
        }
        writer.nextSequence = sequence + 1
        writer.active = segment
        writer.size = 0
        state.withLock { state in
            state.segments[sequence] = segment
            state.index.segmentBytes[sequence] = 0
        }
        return segment
    }

    /// The pack stored at `key`, nil if there is none.
    private func storedPack(_ metric: MetricID, _ key: PackKey) throws -> PackContent? {
        let place: (LogSegment, LogLocation)? = state.withLock { state in
            guard let entry = state.index.metrics[metric] else { return nil }
            let (found, index) = entry.packIndex(key.granularity, key.key)
            guard found else { return nil }
            let location = entry.packs[index].location
            return state.segments[location.segment].map { ($0, location) }
        }
        guard let (segment, location) = place else { return nil }
        return PackContent(try readBlob(segment, location))
    }
}

/// A pack's granularity and split key, in nanoseconds.
struct PackKey: Hashable {
    var granularity: Int64
    var key: Int64

    init(_ address: SplitAddress) {
        granularity = address.granularity.nanoseconds
        key = address.key.nanoseconds
    }
}
