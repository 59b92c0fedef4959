import RondoneTimeSeries

/// Where a live record of the aggregate log lies.
struct LogLocation: Sendable, Hashable {
    var segment: UInt64
    /// The record's offset in its segment; its blob starts 48 bytes later.
    var offset: Int64
    var blobLength: Int32
    /// The whole record's length, for the live-bytes count of its segment.
    var recordLength: Int32

    var blobOffset: Int64 { offset + Int64(AggregateLogRecord.headerSize) }
}

/// One split pack of a metric in the index: its granularity and key, where it lies,
/// and which methods it holds (a bit per interned method name).
struct PackEntry: Sendable {
    var granularity: Int64
    var key: Int64
    var location: LogLocation
    var methods: UInt64
}

/// What the index holds for one metric: its buffer and its packs, sorted by
/// (granularity, key). An array, not a dictionary: a metric has a few packs, and
/// 100 000 metrics must cost little memory.
struct MetricEntry: Sendable {
    var buffer: LogLocation?
    var packs: [PackEntry] = []

    var isEmpty: Bool { buffer == nil && packs.isEmpty }

    func packIndex(_ granularity: Int64, _ key: Int64) -> (found: Bool, index: Int) {
        var low = 0
        var high = packs.count
        while low < high {
            let middle = (low + high) / 2
            if (packs[middle].granularity, packs[middle].key) < (granularity, key) {
                low = middle + 1
            } else {
                high = middle
            }
        }
        let found = low < packs.count && packs[low].granularity == granularity && packs[low].key == key
        return (found, low)
    }
}

/// Method names as bits: the first 63 names seen get one bit each; bit 63 stands for
/// "some name past those", whose packs must be read to know.
struct MethodNames: Sendable {
    private var bits: [String: Int] = [:]
    static let overflow: UInt64 = 1 << 63
    /// A damaged pack answers for every method (the engine's codec reports it).
    static let all: UInt64 = ~0

    mutating func mask(_ names: some Sequence<String>) -> UInt64 {
        var mask: UInt64 = 0
        for name in names {
            if let bit = bits[name] {
                mask |= 1 << UInt64(bit)
            } else if bits.count < 63 {
                bits[name] = bits.count
                mask |= 1 << UInt64(bits.count - 1)
            } else {
                mask |= Self.overflow
            }
        }
        return mask
    }

    /// Whether `name` has a bit of its own (then a mask says for sure).
    func hasBit(_ name: String) -> Bool { bits[name] != nil }

    /// Whether a pack with `mask` may hold `name`.
    func mayHold(_ mask: UInt64, _ name: String) -> Bool {
        if let bit = bits[name] { return mask & (1 << UInt64(bit)) != 0 }
        return mask & Self.overflow != 0
    }
}

/// The in-memory index of the aggregate log: per metric, the location of its live
/// buffer and packs; per segment, how many of its bytes are live. Rebuilt by scanning
/// the log on open, updated after each durable commit.
struct AggregateLogIndex: Sendable {
    var metrics: [MetricID: MetricEntry] = [:]
    var names = MethodNames()
    /// Per segment: bytes in the file, and bytes of records the index points at.
    var segmentBytes: [UInt64: Int64] = [:]
    var liveBytes: [UInt64: Int64] = [:]

    var totalBytes: Int64 { segmentBytes.values.reduce(0, +) }
    var totalLiveBytes: Int64 { liveBytes.values.reduce(0, +) }

    /// Applies one intact, committed record found at `location`; `methods` is the
    /// mask of a pack record's method names.
    mutating func apply(
        _ kind: AggregateLogRecord.Kind, metric: MetricID, first: Int64, second: Int64,
        at location: LogLocation,
        methods: UInt64
    ) {
        switch kind {
        case .buffer:
            var entry = metrics[metric] ?? MetricEntry()
            if let old = entry.buffer { release(old) }
            entry.buffer = location
            retain(location)
            metrics[metric] = entry
        case .bufferDeleted:
            guard var entry = metrics[metric], let old = entry.buffer else { return }
            release(old)
            entry.buffer = nil
            metrics[metric] = entry.isEmpty ? nil : entry
        case .pack:
            var entry = metrics[metric] ?? MetricEntry()
            let (found, index) = entry.packIndex(first, second)
            let pack = PackEntry(granularity: first, key: second, location: location, methods: methods)
            if found {
                release(entry.packs[index].location)
                entry.packs[index] = pack
            } else {
                entry.packs.insert(pack, at: index)
            }
            retain(location)
            metrics[metric] = entry
        case .packDeleted:
            guard var entry = metrics[metric] else { return }
            let (found, index) = entry.packIndex(first, second)
            guard found else { return }
            release(entry.packs.remove(at: index).location)
            metrics[metric] = entry.isEmpty ? nil : entry
        case .metricDeleted:
            guard let entry = metrics.removeValue(forKey: metric) else { return }
            if let buffer = entry.buffer { release(buffer) }
            for pack in entry.packs { release(pack.location) }
        case .commit:
            break
        }
    }

    /// Points a live record at its copy (compaction); nothing else changes.
    mutating func move(_ metric: MetricID, from old: LogLocation, to new: LogLocation) {
        guard var entry = metrics[metric] else { return }
        if entry.buffer == old {
            entry.buffer = new
        } else if let index = entry.packs.firstIndex(where: { $0.location == old }) {
            entry.packs[index].location = new
        } else {
            return
        }
        release(old)
        retain(new)
        metrics[metric] = entry
    }

    /// Every live record in `segment`, with its metric.
    func live(in segment: UInt64) -> [(MetricID, LogLocation)] {
        var result: [(MetricID, LogLocation)] = []
        for (metric, entry) in metrics {
            if let buffer = entry.buffer, buffer.segment == segment { result.append((metric, buffer)) }
            for pack in entry.packs where pack.location.segment == segment {
                result.append((metric, pack.location))
            }
        }
        return result.sorted { $0.1.offset < $1.1.offset }
    }

    private mutating func retain(_ location: LogLocation) {
        liveBytes[location.segment, default: 0] += Int64(location.recordLength)
    }

    private mutating func release(_ location: LogLocation) {
        liveBytes[location.segment, default: 0] -= Int64(location.recordLength)
    }
}
