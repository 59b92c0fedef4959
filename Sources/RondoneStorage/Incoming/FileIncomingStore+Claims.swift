#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Claims: taking waiting measures out for processing, and removing exactly them.
extension FileIncomingStore {
    public func claim(sack: Int) async throws -> IncomingClaim {
        try checkSack(sack)
        let token = try reserveClaim(sack: sack)
        do {
            // Sealing first means every record of the claim is in a segment that will
            // never be appended to again, so `complete` can delete whole files.
            let sealed = try await seal(sack: sack)
            let refs = index.sacks.withLock { sacks in
                sacks[sack].claim = (token, .sack(sealedThrough: sealed))
                return sacks[sack].metrics.mapValues { $0.filter { $0.position.segment <= sealed } }
            }
            let measures = try await io.run { try self.read(sack: sack, refs, wholeSegments: true) }
            return IncomingClaim(sack: sack, metric: nil, measures: measures, token: token)
        } catch {
            dropClaim(sack: sack, token: token)
            throw error
        }
    }

    public func claim(metric: MetricID) async throws -> IncomingClaim {
        let sack = metric.sack(among: sackCount)
        let token = try reserveClaim(sack: sack)
        do {
            let refs = index.sacks.withLock { sacks in
                let refs = sacks[sack].metrics[metric] ?? []
                sacks[sack].claim = (token, .metric(metric, before: refs.last?.end))
                return refs
            }
            let measures = try await io.run {
                try self.read(sack: sack, refs.isEmpty ? [:] : [metric: refs], wholeSegments: false)
            }
            return IncomingClaim(sack: sack, metric: metric, measures: measures, token: token)
        } catch {
            dropClaim(sack: sack, token: token)
            throw error
        }
    }

    public func complete(_ claim: IncomingClaim) async throws {
        let scope = try index.sacks.withLock { sacks in
            guard let current = sacks[claim.sack].claim, current.token == claim.token else {
                throw StorageError.unknownClaim
            }
            return current.scope
        }
        switch scope {
        case .sack(let sealedThrough):
            // Oldest first: a consumed record in a newer segment must not disappear
            // while an older segment it refers to is still there.
            try await io.run {
                let directory = self.layout.sackDirectory(claim.sack)
                let sequences = try self.posix.list(directory).compactMap(IncomingLayout.segmentSequence)
                    .sorted()
                for sequence in sequences where sequence <= sealedThrough {
                    try self.posix.remove(self.layout.segmentPath(sack: claim.sack, sequence: sequence))
                }
                try self.posix.syncDirectory(directory)
            }
            index.sacks.withLock { sacks in
                sacks[claim.sack].removeSegments(through: sealedThrough)
                sacks[claim.sack].firstSegment = max(sacks[claim.sack].firstSegment, sealedThrough + 1)
            }
        case .metric(let metric, let before):
            if let before {
                try await appendConsumed(metric, before: before, sack: claim.sack)
                await reclaimSegments(sack: claim.sack)
            }
        }
        dropClaim(sack: claim.sack, token: claim.token)
    }

    public func release(_ claim: IncomingClaim) async {
        dropClaim(sack: claim.sack, token: claim.token)
    }

    public func deleteUnprocessed(metric: MetricID) async throws {
        let sack = metric.sack(among: sackCount)
        let end = index.sacks.withLock { $0[sack].metrics[metric]?.last?.end }
        guard let end else { return }
        try await appendConsumed(metric, before: end, sack: sack)
        // Reclaiming needs the sack to itself; if a claim holds it, that claim (or a
        // later one) reclaims instead.
        guard let token = try? reserveClaim(sack: sack) else { return }
        await reclaimSegments(sack: sack)
        dropClaim(sack: sack, token: token)
    }

    /// Durably records that `metric`'s records before `position` are done; the index
    /// forgets them once the record is on disk.
    private func appendConsumed(_ metric: MetricID, before position: LogPosition, sack: Int) async throws {
        var append = SackAppend(sack: sack)
        IncomingRecord.appendConsumed(metric: metric, position: position, into: &append.bytes)
        append.entries = [.consumed(metric, position)]
        try await appendDurably(append)
    }

    func reserveClaim(sack: Int) throws -> UInt64 {
        let token = makeToken()
        try index.sacks.withLock { sacks in
            guard sacks[sack].claim == nil else { throw StorageError.claimOutstanding(sack: sack) }
            sacks[sack].claim = (token, .metric(MetricID(high: 0, low: 0), before: nil))
        }
        return token
    }

    func dropClaim(sack: Int, token: UInt64) {
        index.sacks.withLock { sacks in
            if sacks[sack].claim?.token == token { sacks[sack].claim = nil }
        }
    }

    /// Reads and re-verifies the records `refs` points at. A record damaged since it
    /// was indexed is reported and left out, never returned.
    func read(sack: Int, _ refs: [MetricID: [RecordRef]], wholeSegments: Bool) throws
        -> [MetricID: IncomingBatch]
    {
        var bySegment: [UInt64: [(MetricID, RecordRef)]] = [:]
        for (metric, list) in refs {
            for ref in list { bySegment[ref.position.segment, default: []].append((metric, ref)) }
        }
        var result: [MetricID: IncomingBatch] = [:]
        var served = Set<MetricID>()
        for metric in refs.keys where !(refs[metric]?.isEmpty ?? true) {
            result[metric] = IncomingBatch(metric: metric, timestamps: [], values: [])
        }
        for (sequence, list) in bySegment.sorted(by: { $0.key < $1.key }) {
            let path = layout.segmentPath(sack: sack, sequence: sequence)
            let fd = try posix.openFile(path, O_RDONLY)
            defer { posix.closeFile(fd) }
            let whole =
                wholeSegments
                ? try posix.read(fd, count: Int(try posix.fileSize(fd, path: path)), at: 0, path: path) : []
            for (metric, ref) in list.sorted(by: { $0.1.position < $1.1.position }) {
                let bytes =
                    wholeSegments
                    ? whole : try posix.read(fd, count: ref.length, at: ref.position.offset, path: path)
                let offset = wholeSegments ? Int(ref.position.offset) : 0
                let intact = bytes.withUnsafeBytes { raw -> Bool in
                    guard case .measures(metric, ref.count)? = IncomingRecord.parse(raw, at: offset)?.record
                    else {
                        return false
                    }
                    IncomingRecord.decodeMeasures(raw, at: offset, count: ref.count, into: &result[metric]!)
                    served.insert(metric)
                    return true
                }
                if !intact {
                    reportCorruption(
                        IncomingCorruption(
                            path: path, offset: ref.position.offset, length: Int64(ref.length),
                            tornTail: false))
                }
            }
        }
        // A metric whose only pending batches were empty is still returned (empty):
        // it was posted to, as in Gnocchi.
        return result.filter { served.contains($0.key) }
    }
}
