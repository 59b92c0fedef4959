import Synchronization

/// Where an incoming store keeps its files (see docs/STORAGE.md, "Directory layout").
struct IncomingLayout: Sendable {
    let directory: String
    let sackCount: Int

    /// Gnocchi's sack name, `incoming<total>-<number>`, as the sack's directory.
    func sackDirectory(_ sack: Int) -> String {
        directory + "/incoming\(sackCount)-\(sack)"
    }

    /// Segments are named by their sequence number in 16 hex digits, so that the
    /// name order is the log order.
    func segmentPath(sack: Int, sequence: UInt64) -> String {
        let digits = String(sequence, radix: 16)
        return sackDirectory(sack) + "/" + String(repeating: "0", count: 16 - digits.count) + digits + ".log"
    }

    /// The sequence number of a segment file name, nil for any other file.
    static func segmentSequence(_ name: String) -> UInt64? {
        guard name.utf8.count == 20, name.hasSuffix(".log") else { return nil }
        return UInt64(name.prefix(16), radix: 16)
    }
}

/// The shared, locked in-memory index of every sack.
final class IncomingIndex: Sendable {
    let sacks: Mutex<[SackIndex]>

    init(_ sacks: [SackIndex]) {
        self.sacks = Mutex(sacks)
    }

    /// Records what a durable append added: new measures records and consumed marks.
    func apply(sack: Int, segment: UInt64, parts: [(offset: Int64, entries: [SackAppend.Entry])]) {
        sacks.withLock { sacks in
            for part in parts {
                for entry in part.entries {
                    switch entry {
                    case .measures(let metric, let count, let offset, let length):
                        let position = LogPosition(segment: segment, offset: part.offset + Int64(offset))
                        sacks[sack].add(metric, RecordRef(position: position, length: length, count: count))
                    case .consumed(let metric, let position):
                        sacks[sack].noteSegment(segment)
                        sacks[sack].consume(metric, before: position)
                    }
                }
            }
        }
    }
}
