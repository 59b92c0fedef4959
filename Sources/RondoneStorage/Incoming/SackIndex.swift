/// Where one intact measures record lies in a sack's log.
struct RecordRef: Sendable {
    var position: LogPosition
    var length: Int
    var count: Int

    /// The position just after this record.
    var end: LogPosition { LogPosition(segment: position.segment, offset: position.offset + Int64(length)) }
}

/// What a sack's outstanding claim covers, so `complete` removes exactly that.
enum ClaimScope: Sendable {
    /// The whole sack: every segment up to and including this sequence number.
    case sack(sealedThrough: UInt64)
    /// One metric: its records before this position (nil: it had none).
    case metric(MetricID, before: LogPosition?)
}

/// The in-memory index of one sack's log: per metric, its waiting records.
///
/// Built by scanning the log on open and kept up to date by the group committer, so
/// backlog questions and claims never rescan the files, and one metric's claim reads
/// only that metric's records.
struct SackIndex: Sendable {
    private(set) var metrics: [MetricID: [RecordRef]] = [:]
    private(set) var batches = 0
    private(set) var measures = 0
    /// The claim currently out, if any: its token and scope.
    var claim: (token: UInt64, scope: ClaimScope)?
    /// The lowest segment sequence number that may still be on disk.
    var firstSegment: UInt64 = 1
    /// The highest segment sequence number known to hold records (0: none).
    private(set) var lastSegment: UInt64 = 0

    /// The segment of the oldest waiting measures record; nil when nothing waits.
    /// Every segment before it holds only consumed records and consumed marks.
    var oldestWaitingSegment: UInt64? {
        metrics.values.lazy.compactMap { $0.first?.position.segment }.min()
    }

    /// Notes that `segment` holds records (measures or consumed marks).
    mutating func noteSegment(_ segment: UInt64) {
        lastSegment = max(lastSegment, segment)
    }

    var totals: BacklogSummary.SackTotals {
        BacklogSummary.SackTotals(metrics: metrics.count, batches: batches, measures: measures)
    }

    func pending(_ metric: MetricID) -> PendingCount? {
        metrics[metric].map { refs in
            PendingCount(batches: refs.count, measures: refs.reduce(0) { $0 + $1.count })
        }
    }

    mutating func add(_ metric: MetricID, _ ref: RecordRef) {
        metrics[metric, default: []].append(ref)
        noteSegment(ref.position.segment)
        batches += 1
        measures += ref.count
    }

    /// Forgets the records of `metric` that lie before `position` (they were processed).
    mutating func consume(_ metric: MetricID, before position: LogPosition) {
        guard var refs = metrics[metric] else { return }
        let kept = refs.firstIndex { $0.position >= position } ?? refs.count
        for ref in refs[..<kept] { measures -= ref.count }
        batches -= kept
        refs.removeFirst(kept)
        metrics[metric] = refs.isEmpty ? nil : refs
    }

    /// Forgets every record in segments up to `sealedThrough` (their files are deleted).
    mutating func removeSegments(through sealedThrough: UInt64) {
        for (metric, _) in metrics {
            consume(metric, before: LogPosition(segment: sealedThrough + 1, offset: 0))
        }
    }
}
