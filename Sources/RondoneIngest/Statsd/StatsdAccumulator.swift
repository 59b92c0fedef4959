public import RondoneTimeSeries

/// What one flush hands to a sink: one measure per metric seen since the previous flush,
/// by metric name (`<name>|<type>`).
public typealias StatsdFlush = [String: Measures]

/// How many lines of a datagram were counted and refused, by reason.
public struct StatsdLineCounts: Sendable, Equatable {
    /// Non-empty lines seen.
    public var lines = 0
    /// Lines counted into the accumulator.
    public var accepted = 0
    /// Refused lines by reason.
    public var refused: [StatsdRefusal: Int] = [:]
    /// The first few refused lines (their text, lossily decoded), for the log.
    public var examples: [(reason: StatsdRefusal, line: String)] = []

    public init() {}

    public static func == (lhs: StatsdLineCounts, rhs: StatsdLineCounts) -> Bool {
        lhs.lines == rhs.lines && lhs.accepted == rhs.accepted && lhs.refused == rhs.refused
    }
}

/// The statsd state between two flushes, keyed by metric name (`<name>|<type>`): decodes
/// datagrams straight from their bytes and keeps one value per metric — counters sum
/// `value / sample_rate`, gauges and timers keep the last value; each measure takes the
/// time of its metric's last line, as gnocchi-statsd does.
///
/// A datagram is split on `\n`; empty lines are skipped and each other line is decoded on
/// its own, so a bad line never drops the lines around it. Looking up a known metric
/// allocates nothing; a metric seen for the first time costs its name once.
public struct StatsdAccumulator: Sendable {
    /// Gnocchi stores `+N`/`-N` gauges as the values N and -N; with `gaugeDeltas` they
    /// change the gauge's last value instead (the statsd daemon's convention, the last
    /// value surviving flushes).
    public let gaugeDeltas: Bool

    private struct Entry: Sendable {
        let name: String
        let type: StatsdMetricType
        var value: Double
        var timestamp: Int64
        var pending: Bool
    }

    private var entries: [Entry] = []
    private var index: [ByteKey: Int] = [:]
    private var key = ByteKey(bytes: [])
    private var pendingCount = 0

    public init(gaugeDeltas: Bool = false) {
        self.gaugeDeltas = gaugeDeltas
    }

    /// Whether nothing waits for the next flush.
    public var isEmpty: Bool { pendingCount == 0 }

    /// Counts every line of `datagram`, stamped `timestamp` (nanoseconds since the epoch).
    @discardableResult
    public mutating func add(datagram: UnsafeRawBufferPointer, at timestamp: Int64) -> StatsdLineCounts {
        let bytes = datagram.bindMemory(to: UInt8.self)
        var counts = StatsdLineCounts()
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
            if end > start {
                counts.lines += 1
                if let refusal = add(line: bytes, start..<end, at: timestamp) {
                    counts.refused[refusal, default: 0] += 1
                    if counts.examples.count < 3 {
                        counts.examples.append(
                            (refusal, Self.printable(bytes, start..<min(end, start + 200))))
                    }
                } else {
                    counts.accepted += 1
                }
            }
            start = end + 1
        }
        return counts
    }

    /// A refused line for the log: control characters as `?`, invalid UTF-8 replaced.
    private static func printable(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: bytes[range].map { $0 < 0x20 || $0 == 0x7F ? UInt8(ascii: "?") : $0 }, as: UTF8.self)
    }

    /// Counts `bytes[range]`, or says why not.
    private mutating func add(
        line bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, at timestamp: Int64
    )
        -> StatsdRefusal?
    {
        let line: StatsdLine
        switch StatsdLine.decode(bytes, range) {
        case .success(let decoded): line = decoded
        case .failure(let refusal): return refusal
        }
        key.bytes.removeAll(keepingCapacity: true)
        key.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[line.name]))
        key.bytes.append(UInt8(ascii: "|"))
        key.bytes.append(contentsOf: line.type.suffix.utf8)
        let position: Int
        if let known = index[key] {
            position = known
        } else {
            guard let name = String(validating: key.bytes, as: UTF8.self) else { return .malformed }
            position = entries.count
            entries.append(Entry(name: name, type: line.type, value: 0, timestamp: timestamp, pending: false))
            index[key] = position
        }
        entries[position].timestamp = timestamp
        switch line.type {
        case .counter:
            let increment = line.value / (line.sampleRate ?? 1)
            entries[position].value =
                entries[position].pending ? entries[position].value + increment : increment
        case .gauge where gaugeDeltas && line.signed:
            entries[position].value += line.value
        case .gauge, .timer:
            entries[position].value = line.value
        }
        if !entries[position].pending {
            entries[position].pending = true
            pendingCount += 1
        }
        return nil
    }

    /// Takes the measures waiting since the previous flush and starts a new period.
    public mutating func flush() -> StatsdFlush {
        var flush = StatsdFlush(minimumCapacity: pendingCount)
        guard pendingCount > 0 else { return flush }
        for position in entries.indices where entries[position].pending {
            flush[entries[position].name] = Measures(
                timestamps: [entries[position].timestamp], values: [entries[position].value])
            entries[position].pending = false
        }
        pendingCount = 0
        return flush
    }
}
