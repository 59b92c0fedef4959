public import RondoneTimeSeries

/// What ``FileAggregateStore/verify(progress:)`` found: counts, the live metrics as the
/// store's index has them, and every problem.
public struct AggregateVerification: Sendable {
    /// What the index holds for one metric.
    public struct StoredMetric: Sendable {
        public var hasBuffer = false
        /// The granularities (ns) of its split packs.
        public var granularities: Set<Int64> = []

        public init() {}
    }

    public var segments = 0
    public var bytes: Int64 = 0
    /// Intact records read, and the commits among them that applied.
    public var records = 0
    public var commits = 0
    /// Live blobs checked.
    public var buffers = 0
    public var packs = 0
    public var splits = 0
    /// Every metric with live data.
    public var metrics: [MetricID: StoredMetric] = [:]
    public var findings: [StoreFinding] = []
}

// Verification (`rondone fsck`): every record's framing and CRC, the commit structure,
// and every live blob through its codec. Safe while the store is written: the segments
// and their committed lengths are taken under the state lock, and only committed bytes
// are read (a segment compaction drops meanwhile stays readable through its descriptor).
extension FileAggregateStore {
    /// Checks every segment of the log and every live blob.
    ///
    /// - Parameter progress: told `(segments done, segments)` as it goes.
    public func verify(progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws
        -> AggregateVerification
    {
        try await io.run { self.verifyNow(progress: progress) }
    }

    private struct LiveBlob {
        var metric: MetricID
        var location: LogLocation
        /// Packs: granularity and key (ns); nil for a buffer.
        var pack: (granularity: Int64, key: Int64)?
    }

    private func verifyNow(progress: @Sendable (Int, Int) -> Void) -> AggregateVerification {
        var result = AggregateVerification()
        let (segments, metrics) = state.withLock { state in
            (
                state.segments.values.sorted { $0.sequence < $1.sequence }.map {
                    ($0, state.index.segmentBytes[$0.sequence] ?? 0)
                },
                state.index.metrics
            )
        }
        var live: [UInt64: [LiveBlob]] = [:]
        for (metric, entry) in metrics {
            var stored = AggregateVerification.StoredMetric()
            if let buffer = entry.buffer {
                stored.hasBuffer = true
                live[buffer.segment, default: []].append(LiveBlob(metric: metric, location: buffer))
            }
            for pack in entry.packs {
                stored.granularities.insert(pack.granularity)
                live[pack.location.segment, default: []].append(
                    LiveBlob(metric: metric, location: pack.location, pack: (pack.granularity, pack.key)))
            }
            result.metrics[metric] = stored
        }
        let log = directory + "/log"
        for missing in SegmentGaps.missing(segments.map(\.0.sequence)) {
            result.findings.append(
                StoreFinding(
                    kind: .missingSegment, path: log + "/" + LogSegment.name(missing),
                    detail: "segment missing between older and newer ones; the commits it held are lost"))
        }
        for (number, (segment, committed)) in segments.enumerated() {
            progress(number, segments.count)
            result.segments += 1
            let bytes: [UInt8]
            do {
                bytes = try posix.read(segment.descriptor, count: Int(committed), at: 0, path: segment.path)
            } catch {
                result.findings.append(
                    StoreFinding(kind: .unreadableFile, path: segment.path, detail: "\(error)"))
                continue
            }
            result.bytes += Int64(bytes.count)
            if bytes.count < committed {
                result.findings.append(
                    StoreFinding(
                        kind: .truncatedFile, path: segment.path, offset: Int64(bytes.count),
                        length: committed - Int64(bytes.count),
                        detail:
                            "the file ends \(committed - Int64(bytes.count)) bytes before what was committed")
                )
            }
            bytes.withUnsafeBytes { raw in
                Self.verifyRecords(raw, path: segment.path, into: &result)
                for blob in live[segment.sequence] ?? [] {
                    Self.verifyBlob(blob, raw, path: segment.path, into: &result)
                }
            }
        }
        progress(segments.count, segments.count)
        return result
    }

    /// The framing, CRC and commit structure of one segment's records.
    static func verifyRecords(
        _ raw: UnsafeRawBufferPointer, path: String, into result: inout AggregateVerification
    ) {
        var pending = 0
        var pendingStart = 0
        var offset = 0
        while offset < raw.count {
            guard let record = AggregateLogRecord.parse(raw, at: offset) else {
                var next = offset + 8
                while next < raw.count && AggregateLogRecord.parse(raw, at: next) == nil { next += 8 }
                let end = min(next, raw.count)
                if end == raw.count && Self.looksTorn(raw, at: offset) {
                    let start = pending > 0 ? pendingStart : offset
                    result.findings.append(
                        StoreFinding(
                            kind: .tornTail, path: path, offset: Int64(start),
                            length: Int64(raw.count - start),
                            detail:
                                "a commit cut short after the last intact record (crash residue, never acknowledged), or a truncated file"
                        ))
                } else {
                    result.findings.append(
                        StoreFinding(
                            kind: .damagedRecord, path: path, offset: Int64(offset),
                            length: Int64(end - offset),
                            metric: Self.headerMetric(raw, at: offset),
                            detail:
                                "record fails its framing or CRC-32C; the commit it belongs to is not applied"
                        ))
                }
                pending = 0
                offset = end
                continue
            }
            result.records += 1
            if record.kind != .commit {
                if pending == 0 { pendingStart = offset }
                pending += 1
            } else if pending > 0 {
                if record.first == Int64(offset - pendingStart) && record.second == Int64(pending) {
                    result.commits += 1
                } else {
                    result.findings.append(
                        StoreFinding(
                            kind: .damagedRecord, path: path, offset: Int64(offset),
                            length: Int64(record.length),
                            detail: "commit record does not describe the \(pending) records before it"))
                }
                pending = 0
            }
            offset += record.length
        }
        if pending > 0 {
            result.findings.append(
                StoreFinding(
                    kind: .tornTail, path: path, offset: Int64(pendingStart),
                    length: Int64(raw.count - pendingStart),
                    detail:
                        "records with no commit record after them (a commit cut short by a crash, never acknowledged), or a truncated file"
                ))
        }
    }

    /// Whether the unparsable bytes at `offset`, with nothing intact after them, look
    /// like a write cut short rather than a damaged record: fewer bytes than a header,
    /// a record whose length runs past the end of the file, or zeros.
    static func looksTorn(_ raw: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        let remaining = raw.count - offset
        if remaining < AggregateLogRecord.headerSize { return true }
        let payload = Int(LittleEndianBytes.read32(raw, offset))
        if 8 + payload > remaining { return true }
        return raw[offset...].allSatisfy { $0 == 0 }
    }

    /// The metric a damaged record's header names, when its magic is intact.
    static func headerMetric(_ raw: UnsafeRawBufferPointer, at offset: Int) -> MetricID? {
        guard raw.count - offset >= AggregateLogRecord.headerSize,
            Array(raw[offset + 9..<offset + 12]) == AggregateLogRecord.magic,
            let kind = AggregateLogRecord.Kind(rawValue: raw[offset + 8]), kind != .commit
        else { return nil }
        return MetricID(
            high: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self)),
            low: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self)))
    }

    /// A live buffer through the raw series codec, a live pack's header and each of its
    /// splits through the split codec.
    private static func verifyBlob(
        _ blob: LiveBlob, _ raw: UnsafeRawBufferPointer, path: String,
        into result: inout AggregateVerification
    ) {
        let start = Int(blob.location.blobOffset)
        let end = start + Int(blob.location.blobLength)
        guard end <= raw.count else { return }  // past a truncation: reported already
        let bytes = Array(raw[start..<end])
        let offset = blob.location.offset
        guard let (granularity, key) = blob.pack else {
            result.buffers += 1
            do throws(CodecError) {
                _ = try RawSeriesCodec.decode(bytes)
            } catch {
                result.findings.append(
                    StoreFinding(
                        kind: .damagedBuffer, path: path, offset: offset, metric: blob.metric,
                        detail: "the unaggregated buffer fails to decode: \(error)"))
            }
            return
        }
        result.packs += 1
        let at =
            "granularity \(TimeDelta(nanoseconds: granularity).formatted), split \(Timestamp(nanoseconds: key).formatted())"
        guard let pack = SplitPack.decode(bytes) else {
            result.findings.append(
                StoreFinding(
                    kind: .damagedPack, path: path, offset: offset, metric: blob.metric,
                    detail: "split pack header fails its checks (\(at))"))
            return
        }
        for (name, split) in pack.records.sorted(by: { $0.key < $1.key }) {
            result.splits += 1
            let address = SplitAddress(
                aggregation: name, granularity: TimeDelta(nanoseconds: granularity),
                key: Timestamp(nanoseconds: key))
            do throws(CorruptSplit) {
                _ = try address.decode(split, of: blob.metric)
            } catch {
                result.findings.append(
                    StoreFinding(
                        kind: .damagedSplit, path: path, offset: offset, metric: blob.metric,
                        detail: "split `\(name)' fails to decode (\(at)): \(error.error)"))
            }
        }
    }
}

extension FileAggregateStore {
    /// Whether the store holds a buffer or a split pack of `metric` right now (the index
    /// alone, no I/O).
    public func holdsData(of metric: MetricID) -> Bool {
        state.withLock { $0.index.metrics[metric] != nil }
    }
}
