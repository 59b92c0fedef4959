import RondoneTimeSeries

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Opening: the index is rebuilt from the log; the former file layout is imported.
extension FileAggregateStore {
    struct Opened {
        var state: LogState
        var nextSequence: UInt64
        var corruptions: [AggregateCorruption]
    }

    /// Scans every segment in order and applies each intact, committed group of
    /// records. A damaged stretch is skipped (the scanner resumes at the next 8-byte
    /// boundary holding an intact record) and so is every group it touches: a group
    /// is applied only when its commit record is intact, starts where the group's
    /// first intact record does and counts all of them.
    static func scan(log: String, posix: POSIX) throws -> Opened {
        var state = LogState()
        var corruptions: [AggregateCorruption] = []
        let sequences = try posix.list(log).compactMap(LogSegment.sequence).sorted()
        for sequence in sequences {
            let path = log + "/" + LogSegment.name(sequence)
            let bytes = try posix.readAll(path)
            bytes.withUnsafeBytes { raw in
                scanSegment(
                    raw, sequence: sequence, path: path, into: &state.index, corruptions: &corruptions)
            }
            state.index.segmentBytes[sequence] = Int64(bytes.count)
            let descriptor = try posix.openFile(path, O_RDONLY)
            state.segments[sequence] = LogSegment(sequence: sequence, path: path, descriptor: descriptor)
        }
        // Appends go to a new segment: a torn tail stays behind records never acknowledged.
        return Opened(state: state, nextSequence: (sequences.last ?? 0) + 1, corruptions: corruptions)
    }

    /// Applies every intact, committed group of records of one segment's bytes to `index`
    /// and reports each damaged or uncommitted stretch (see ``scan(log:posix:)``). Takes
    /// the bytes as read, whatever they are (the fuzz target `fuzz-aggregate-log-record`
    /// feeds it arbitrary ones).
    static func scanSegment(
        _ raw: UnsafeRawBufferPointer, sequence: UInt64, path: String, into index: inout AggregateLogIndex,
        corruptions: inout [AggregateCorruption]
    ) {
        var pending: [AggregateLogRecord.Parsed] = []
        var pendingStart = 0
        var offset = 0
        while offset < raw.count {
            guard let record = AggregateLogRecord.parse(raw, at: offset) else {
                var next = offset + 8
                while next < raw.count && AggregateLogRecord.parse(raw, at: next) == nil { next += 8 }
                let end = min(next, raw.count)
                let start = pending.isEmpty ? offset : pendingStart
                corruptions.append(
                    AggregateCorruption(
                        path: path, offset: Int64(start), length: Int64(end - start),
                        tornTail: end == raw.count))
                pending.removeAll()
                offset = end
                continue
            }
            // A commit's `first` and `second` are compared as read from the file: computing
            // `offset - first` would overflow for a damaged `first` (fuzz-aggregate-log-record).
            if record.kind != .commit {
                if pending.isEmpty { pendingStart = offset }
                pending.append(record)
            } else if !pending.isEmpty && record.first == Int64(offset - pendingStart)
                && record.second == Int64(pending.count)
            {
                for item in pending { apply(item, raw, segment: sequence, to: &index) }
                pending.removeAll()
            } else if !pending.isEmpty {
                // The commit does not cover what precedes it: part of its group
                // was lost to damage already reported, or this is garbage.
                pending.removeAll()
            }
            offset += record.length
        }
        if !pending.isEmpty {
            // Records with no commit after them: a commit cut short by a crash.
            corruptions.append(
                AggregateCorruption(
                    path: path, offset: Int64(pendingStart), length: Int64(raw.count - pendingStart),
                    tornTail: true))
        }
    }

    private static func apply(
        _ record: AggregateLogRecord.Parsed, _ raw: UnsafeRawBufferPointer, segment: UInt64,
        to index: inout AggregateLogIndex
    ) {
        var methods: UInt64 = 0
        if record.kind == .pack {
            let blob = UnsafeRawBufferPointer(
                rebasing: raw[record.blobOffset..<record.blobOffset + record.blobLength])
            methods = SplitPack.names(blob).map { index.names.mask($0) } ?? MethodNames.all
        }
        let location = LogLocation(
            segment: segment, offset: Int64(record.blobOffset - AggregateLogRecord.headerSize),
            blobLength: Int32(record.blobLength), recordLength: Int32(record.length))
        index.apply(
            record.kind, metric: record.metric, first: record.first, second: record.second, at: location,
            methods: methods)
    }

    /// Imports a directory of the former layout (`metrics/<uuid>/buffer` and split-pack
    /// files `metrics/<uuid>/<granularity ns>_<key ns>`) into the log, 1 000 metrics per
    /// commit, then removes it. A crash part-way leaves `metrics/` in place and the next
    /// open imports it again (the later copy of a record wins, with the same content).
    func importFormerLayout() throws {
        let metrics = directory + "/metrics"
        if posix.isDirectory(metrics) {
            try writer.withLock { writer in
                var group = LogGroup()
                var grouped = 0
                for name in try posix.list(metrics) {
                    guard let metric = MetricID(name) else { continue }
                    let metricDirectory = metrics + "/" + name
                    for file in try posix.list(metricDirectory) {
                        let path = metricDirectory + "/" + file
                        if file == "buffer" {
                            group.add(.buffer, metric: metric, blob: try posix.readAll(path))
                            continue
                        }
                        let parts = file.split(separator: "_", maxSplits: 1)
                        guard parts.count == 2, let granularity = Int64(parts[0]), let key = Int64(parts[1])
                        else {
                            continue
                        }
                        let blob = try posix.readAll(path)
                        group.add(
                            .pack, metric: metric, first: granularity, second: key, blob: blob,
                            methods: SplitPack.decode(blob).map { Array($0.records.keys) })
                    }
                    grouped += 1
                    if grouped == 1000 {
                        if !group.isEmpty { try append(group, writer: &writer) }
                        group = LogGroup()
                        grouped = 0
                    }
                }
                if !group.isEmpty { try append(group, writer: &writer) }
            }
            try posix.renameFile(metrics, directory + "/metrics.imported")
            try posix.syncDirectory(directory)
        }
        // What the former layout left: its imported tree, temp files, deleted metrics.
        for name in ["metrics.imported", "tmp", "deleted"]
        where posix.isDirectory(directory + "/" + name) {
            try posix.removeTree(directory + "/" + name)
        }
    }
}
