// Reclaiming processed segments: a segment none of whose measures records waits any
// more is deleted, oldest first, once it is no longer the one being appended to.
extension FileIncomingStore {
    /// Deletes the sack's segments that lie before its oldest waiting record (all of
    /// them, the active one sealed first, when nothing waits). The caller holds the
    /// sack's claim slot, so no sack claim deletes segments at the same time.
    ///
    /// Best effort: the consumed marks that made the segments deletable are already
    /// durable, so a failure here loses nothing; the files stay until the next
    /// reclaim, sack claim or open.
    func reclaimSegments(sack: Int) async {
        let (waiting, first, last) = index.sacks.withLock {
            ($0[sack].oldestWaitingSegment, $0[sack].firstSegment, $0[sack].lastSegment)
        }
        guard first <= last else { return }  // nothing on disk
        let limit: UInt64
        if let waiting {
            // The active segment is the newest, so it is at or after `waiting`.
            limit = waiting
        } else {
            // Everything is consumed, the active segment too: seal it so it can go.
            // Records appended before the seal are indexed when it returns.
            guard let sealed = try? await seal(sack: sack) else { return }
            limit = index.sacks.withLock { $0[sack].oldestWaitingSegment } ?? (sealed + 1)
        }
        guard limit > first else { return }
        let deleted: Void? = try? await io.run {
            try Self.deleteSegments(before: limit, sack: sack, layout: self.layout, posix: self.posix)
        }
        if deleted != nil {
            index.sacks.withLock { $0[sack].firstSegment = max($0[sack].firstSegment, limit) }
        }
    }

    /// Unlinks the sack's segments numbered below `limit`, oldest first, then syncs
    /// the directory. Oldest first keeps the invariant recovery relies on: a consumed
    /// mark only ever voids records before it, so deleting a prefix of the log never
    /// brings a consumed record back as waiting.
    static func deleteSegments(before limit: UInt64, sack: Int, layout: IncomingLayout, posix: POSIX) throws {
        let directory = layout.sackDirectory(sack)
        let sequences = try posix.list(directory).compactMap(IncomingLayout.segmentSequence)
        let doomed = sequences.filter { $0 < limit }.sorted()
        guard !doomed.isEmpty else { return }
        for sequence in doomed { try posix.remove(layout.segmentPath(sack: sack, sequence: sequence)) }
        try posix.syncDirectory(directory)
    }
}
