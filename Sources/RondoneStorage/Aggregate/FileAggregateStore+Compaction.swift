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
    ///
    /// The live records are read in windows and copied in groups of about
    /// `Options.compactionChunkBytes`, each group committed (and its records moved in the
    /// index) before the next is read: memory stays at two chunks whatever the segment
    /// size. A crash between groups leaves some records in both places, the same bytes,
    /// and the later copy wins on open, as when the crash falls before the unlink.
    func compact(_ sequence: UInt64, writer: inout LogWriter) throws {
        if writer.active?.sequence == sequence { writer.retire() }
        let (segment, live) = state.withLock { ($0.segments[sequence], $0.index.live(in: sequence)) }
        guard let segment else { return }
        let chunk = max(options.compactionChunkBytes, AggregateLogRecord.headerSize)
        let size = try posix.fileSize(segment.descriptor, path: segment.path)
        var window: [UInt8] = []
        var windowStart: Int64 = 0
        var copies: [UInt8] = []
        var moves: [(MetricID, LogLocation, Int)] = []
        func flush() throws {
            guard !moves.isEmpty else { return }
            let batch = moves
            try appendDurably(copies, records: batch.count, writer: &writer) { target, base, state in
                for (metric, old, offset) in batch {
                    var new = old
                    new.segment = target
                    new.offset = base + Int64(offset)
                    state.index.move(metric, from: old, to: new)
                }
            }
            copies.removeAll(keepingCapacity: true)
            moves.removeAll(keepingCapacity: true)
        }
        for (metric, location) in live {
            let length = Int(location.recordLength)
            if location.offset < windowStart
                || location.offset + Int64(length) > windowStart + Int64(window.count)
            {
                windowStart = location.offset
                window = try posix.read(
                    segment.descriptor, count: Int(min(max(Int64(chunk), Int64(length)), size - windowStart)),
                    at: windowStart, path: segment.path)
            }
            let start = Int(location.offset - windowStart)
            try window.withUnsafeBytes { raw in
                // Damage since open: keep the segment rather than copy bad bytes.
                guard let record = AggregateLogRecord.parse(raw, at: start), record.metric == metric,
                    record.length == length
                else { throw StorageError.io(operation: "compact", path: segment.path, errno: EIO) }
                moves.append((metric, location, copies.count))
                copies.append(contentsOf: raw[start..<start + length])
            }
            if copies.count >= chunk { try flush() }
        }
        try flush()
        state.withLock { state in
            state.segments[sequence] = nil
            state.index.segmentBytes[sequence] = nil
            state.index.liveBytes[sequence] = nil
        }
        try posix.remove(segment.path)
        try posix.syncDirectory(directory + "/log")
    }
}
