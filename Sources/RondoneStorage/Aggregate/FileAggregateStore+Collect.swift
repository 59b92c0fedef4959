public import RondoneTimeSeries

/// What the aggregate log holds for one metric, from the index alone (`rondone gc`).
public struct StoredMetricRecords: Sendable, Equatable {
    /// One split pack: the splits of every method at one granularity and key.
    public struct Pack: Sendable, Equatable, Hashable {
        public var granularity: TimeDelta
        public var key: Timestamp
        /// The bytes of its log record (header, pack, padding).
        public var recordBytes: Int

        public init(granularity: TimeDelta, key: Timestamp, recordBytes: Int) {
            self.granularity = granularity
            self.key = key
            self.recordBytes = recordBytes
        }
    }

    public var metric: MetricID
    /// The bytes of the buffer's log record, 0 without a buffer.
    public var bufferBytes: Int
    /// Sorted by granularity, then key.
    public var packs: [Pack]

    public init(metric: MetricID, bufferBytes: Int, packs: [Pack]) {
        self.metric = metric
        self.bufferBytes = bufferBytes
        self.packs = packs
    }

    /// Every byte of the metric's live records.
    public var totalBytes: Int { bufferBytes + packs.reduce(0) { $0 + $1.recordBytes } }
}

/// The aggregate log's size: every byte of its segments, and those of live records.
public struct AggregateLogSpace: Sendable, Equatable {
    public var segments: Int
    public var totalBytes: Int64
    public var liveBytes: Int64

    public init(segments: Int, totalBytes: Int64, liveBytes: Int64) {
        self.segments = segments
        self.totalBytes = totalBytes
        self.liveBytes = liveBytes
    }

    /// Superseded and deleted records, deletion and commit records: what a full
    /// compaction frees.
    public var deadBytes: Int64 { totalBytes - liveBytes }
}

// Garbage collection: listing what the log holds, deleting whole packs, and compacting
// every segment (Rondone's, for `rondone gc`).
extension FileAggregateStore {
    // Every metric with live records: `storedMetrics()` (FileAggregateStore+Dump.swift).

    /// What the log holds for `metric`, nil when nothing.
    public func storedRecords(of metric: MetricID) -> StoredMetricRecords? {
        state.withLock { state in
            guard let entry = state.index.metrics[metric] else { return nil }
            return StoredMetricRecords(
                metric: metric, bufferBytes: Int(entry.buffer?.recordLength ?? 0),
                packs: entry.packs.map {
                    StoredMetricRecords.Pack(
                        granularity: TimeDelta(nanoseconds: $0.granularity),
                        key: Timestamp(nanoseconds: $0.key),
                        recordBytes: Int($0.location.recordLength))
                })
        }
    }

    /// The log's segments and bytes, total and live.
    public func logSpace() -> AggregateLogSpace {
        state.withLock { state in
            AggregateLogSpace(
                segments: state.segments.count, totalBytes: state.index.totalBytes,
                liveBytes: state.index.totalLiveBytes)
        }
    }

    /// Deletes whole split packs (every method at that granularity and key) of one
    /// metric in one durable commit; packs no longer there are skipped. Returns the
    /// number deleted.
    @discardableResult
    public func deletePacks(_ packs: [StoredMetricRecords.Pack], of metric: MetricID) async throws -> Int {
        guard !packs.isEmpty else { return 0 }
        return try await io.run {
            try self.writer.withLock { writer in
                var group = LogGroup()
                let present = self.state.withLock { state in
                    packs.filter { pack in
                        state.index.metrics[metric]?.packIndex(
                            pack.granularity.nanoseconds, pack.key.nanoseconds
                        )
                        .found ?? false
                    }
                }
                for pack in present {
                    group.add(
                        .packDeleted, metric: metric, first: pack.granularity.nanoseconds,
                        second: pack.key.nanoseconds)
                }
                guard !group.isEmpty else { return 0 }
                try self.append(group, writer: &writer)
                return present.count
            }
        }
    }

    /// Compacts every segment there is now, oldest first, so that the log holds only
    /// live records (and the commit records of the copies): every dead byte is freed.
    ///
    /// Each segment is compacted under the writer lock, and only while it is the oldest
    /// one (the rule that makes dropping its deletion records safe); commits of a
    /// running server go on between segments, into newer segments this call leaves
    /// alone. `progress(done, total)` after each segment. Returns the space before and
    /// after.
    @discardableResult
    public func compactAll(progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws
        -> (before: AggregateLogSpace, after: AggregateLogSpace)
    {
        let before = logSpace()
        let sequences = state.withLock { $0.segments.keys.sorted() }
        for (done, sequence) in sequences.enumerated() {
            try await io.run {
                try self.writer.withLock { writer in
                    let oldest = self.state.withLock { $0.segments.keys.min() }
                    guard oldest == sequence else { return }
                    try self.compact(sequence, writer: &writer)
                }
            }
            progress(done + 1, sequences.count)
        }
        return (before, logSpace())
    }
}
