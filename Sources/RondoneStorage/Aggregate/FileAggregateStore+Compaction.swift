import RondoneTimeSeries

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Compaction: the oldest segment's live records are copied, byte for byte, to the end
// of the log as one committed group, then the segment is deleted.
extension FileAggregateStore {
    /// Compacts the oldest segment when dead bytes exceed both the live bytes and
    /// `Options.compactionMinimumDeadBytes`: every copied byte then frees at least one
    /// dead one, so the log stays within about twice its live data.
    ///
    /// Best effort, after a commit that is already durable: a failure leaves the
    /// segment in place (its records are still the live ones) and is retried later.
    func compactIfWorthIt(writer: inout LogWriter) {
        let (dead, live, oldest) = state.withLock { state in
            let total = state.index.totalBytes
            let live = state.index.totalLiveBytes
            return (total - live, live, state.segments.keys.min())
        }
        guard dead > Int64(options.compactionMinimumDeadBytes), dead > live, let oldest else { return }
        try? compact(oldest, writer: &writer)
    }

    /// Only the oldest segment is ever compacted, so a deletion record it drops can no
    /// longer hide anything: every record it superseded was in this segment too.
    func compact(_ sequence: UInt64, writer: inout LogWriter) throws {
        if writer.active?.sequence == sequence { writer.retire() }
        let (segment, live) = state.withLock { ($0.segments[sequence], $0.index.live(in: sequence)) }
        guard let segment else { return }
        if !live.isEmpty {
            let bytes = try posix.read(
                segment.descriptor, count: Int(try posix.fileSize(segment.descriptor, path: segment.path)),
                at: 0,
                path: segment.path)
            var copies: [UInt8] = []
            var moves: [(MetricID, LogLocation, Int)] = []
            try bytes.withUnsafeBytes { raw in
                for (metric, location) in live {
                    // Damage since open: keep the segment rather than copy bad bytes.
                    guard let record = AggregateLogRecord.parse(raw, at: Int(location.offset)),
                        record.metric == metric, record.length == Int(location.recordLength)
                    else { throw StorageError.io(operation: "compact", path: segment.path, errno: EIO) }
                    moves.append((metric, location, copies.count))
                    copies.append(
                        contentsOf: raw[Int(location.offset)..<Int(location.offset) + record.length])
                }
            }
            try appendDurably(copies, records: moves.count, writer: &writer) { target, base, state in
                for (metric, old, offset) in moves {
                    var new = old
                    new.segment = target
                    new.offset = base + Int64(offset)
                    state.index.move(metric, from: old, to: new)
                }
            }
        }
        state.withLock { state in
            state.segments[sequence] = nil
            state.index.segmentBytes[sequence] = nil
            state.index.liveBytes[sequence] = nil
        }
        try posix.remove(segment.path)
        try posix.syncDirectory(directory + "/log")
    }
}
