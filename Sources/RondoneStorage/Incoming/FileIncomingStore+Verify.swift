public import RondoneTimeSeries

/// What ``FileIncomingStore/verify(progress:)`` found: counts, the metrics with
/// measures waiting, and every problem.
public struct IncomingVerification: Sendable {
    public var segments = 0
    public var bytes: Int64 = 0
    /// Intact records read: measures records (and their measures) and consumed marks.
    public var measuresRecords = 0
    public var measures = 0
    public var consumedRecords = 0
    /// Metrics with measures waiting for processing, as the store's index has them.
    public var waitingMetrics: Set<MetricID> = []
    public var findings: [StoreFinding] = []
}

// Verification (`rondone fsck`): every record's framing and CRC in every segment of
// every sack. Safe while the store is written: a stretch that does not parse at the end
// of a sack's newest segment may be an append in flight, so such a tail is read again
// after the group committer finished every append queued before it.
extension FileIncomingStore {
    /// Checks every segment of every sack.
    ///
    /// - Parameter progress: told `(sacks done, sacks)` as it goes.
    public func verify(progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws
        -> IncomingVerification
    {
        var result = IncomingVerification()
        var tails: [(path: String, offset: Int)] = []
        for sack in 0..<sackCount {
            progress(sack, sackCount)
            let part = try await io.run { self.verifySack(sack) }
            result.segments += part.result.segments
            result.bytes += part.result.bytes
            result.measuresRecords += part.result.measuresRecords
            result.measures += part.result.measures
            result.consumedRecords += part.result.consumedRecords
            result.findings += part.result.findings
            tails += part.tails
        }
        if !tails.isEmpty {
            // Every append queued before this returns is written and synced.
            try await committer.append([])
            for tail in tails {
                let found = try await io.run { self.verifyTail(path: tail.path, offset: tail.offset) }
                result.findings += found
            }
        }
        result.waitingMetrics = index.sacks.withLock { sacks in
            Set(sacks.flatMap(\.metrics.keys))
        }
        progress(sackCount, sackCount)
        return result
    }

    private func verifySack(_ sack: Int) -> (
        result: IncomingVerification, tails: [(path: String, offset: Int)]
    ) {
        var result = IncomingVerification()
        var tails: [(path: String, offset: Int)] = []
        let sequences: [UInt64]
        do {
            sequences = try posix.list(layout.sackDirectory(sack)).compactMap(IncomingLayout.segmentSequence)
                .sorted()
        } catch {
            result.findings.append(
                StoreFinding(kind: .unreadableFile, path: layout.sackDirectory(sack), detail: "\(error)"))
            return (result, tails)
        }
        for missing in SegmentGaps.missing(sequences) {
            // Segments go oldest first: a gap whose older neighbour is gone by now was a
            // deletion seen half-way, not a lost file.
            let older = sequences.last { $0 < missing }
            guard let older, posix.exists(layout.segmentPath(sack: sack, sequence: older)) else { continue }
            result.findings.append(
                StoreFinding(
                    kind: .missingSegment, path: layout.segmentPath(sack: sack, sequence: missing),
                    detail: "segment missing between older and newer ones; the measures it held are lost"))
        }
        for sequence in sequences {
            let path = layout.segmentPath(sack: sack, sequence: sequence)
            guard let bytes = try? posix.readAll(path) else {
                // Processed and removed since the listing, or unreadable.
                if posix.exists(path) {
                    result.findings.append(
                        StoreFinding(kind: .unreadableFile, path: path, detail: "cannot be read"))
                }
                continue
            }
            result.segments += 1
            result.bytes += Int64(bytes.count)
            let newest = sequence == sequences.last
            bytes.withUnsafeBytes { raw in
                Self.verifyRecords(raw, path: path, into: &result) { offset in
                    // The end of the newest segment may be an append in flight.
                    guard newest else { return false }
                    tails.append((path, offset))
                    return true
                }
            }
        }
        return (result, tails)
    }

    /// Checks the records of one segment; `deferTail` may take a torn tail to look at
    /// again later (it returns true then).
    static func verifyRecords(
        _ raw: UnsafeRawBufferPointer, path: String, into result: inout IncomingVerification,
        deferTail: (Int) -> Bool = { _ in false }
    ) {
        SegmentScanner.scan(
            raw,
            record: { parsed, _, _ in
                switch parsed {
                case .measures(_, let count):
                    result.measuresRecords += 1
                    result.measures += count
                case .consumed: result.consumedRecords += 1
                }
            },
            damaged: { offset, length, tornTail in
                if tornTail && looksTorn(raw, at: offset) {
                    if deferTail(offset) { return }
                    result.findings.append(
                        StoreFinding(
                            kind: .tornTail, path: path, offset: Int64(offset), length: Int64(length),
                            detail:
                                "a write cut short after the last intact record (crash residue, never acknowledged), or a truncated file"
                        ))
                } else {
                    result.findings.append(
                        StoreFinding(
                            kind: .damagedRecord, path: path, offset: Int64(offset), length: Int64(length),
                            metric: headerMetric(raw, at: offset),
                            detail: "record fails its framing or CRC-32C; its measures are skipped"))
                }
            })
    }

    /// A deferred tail, read again now that appends in flight are done.
    private func verifyTail(path: String, offset: Int) -> [StoreFinding] {
        guard let bytes = try? posix.readAll(path), bytes.count > offset else { return [] }
        var result = IncomingVerification()
        bytes.withUnsafeBytes { raw in
            let tail = UnsafeRawBufferPointer(rebasing: raw[offset...])
            Self.verifyRecords(tail, path: path, into: &result)
        }
        return result.findings.map { finding in
            var finding = finding
            finding.offset = finding.offset.map { $0 + Int64(offset) }
            return finding
        }
    }

    /// Whether unparsable bytes with nothing intact after them look like a write cut
    /// short: fewer bytes than a header, a length running past the end, or zeros.
    static func looksTorn(_ raw: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        let remaining = raw.count - offset
        if remaining < IncomingRecord.headerSize { return true }
        let payload = Int(LittleEndianBytes.read32(raw, offset))
        if 8 + payload > remaining { return true }
        return raw[offset...].allSatisfy { $0 == 0 }
    }

    /// The metric a damaged record's header names, when its magic is intact.
    static func headerMetric(_ raw: UnsafeRawBufferPointer, at offset: Int) -> MetricID? {
        guard raw.count - offset >= IncomingRecord.headerSize,
            Array(raw[offset + 9..<offset + 12]) == IncomingRecord.magic
        else { return nil }
        return MetricID(
            high: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self)),
            low: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self)))
    }
}

extension FileIncomingStore {
    /// Whether measures of `metric` wait for processing right now (the index alone).
    public func holdsMeasures(of metric: MetricID) -> Bool {
        let sack = metric.sack(among: sackCount)
        return index.sacks.withLock { $0[sack].metrics[metric] != nil }
    }

    /// The directory of the sack `metric` belongs to.
    public func sackDirectory(of metric: MetricID) -> String {
        layout.sackDirectory(metric.sack(among: sackCount))
    }
}
