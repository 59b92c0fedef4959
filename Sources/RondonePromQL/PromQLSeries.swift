/// One label of a series.
public struct PromQLLabel: Hashable, Sendable, Comparable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    public static func < (a: Self, b: Self) -> Bool {
        a.name < b.name || (a.name == b.name && a.value < b.value)
    }
}

/// A series' labels, sorted by name, no name twice, no empty value (Prometheus drops them).
public struct PromQLLabels: Hashable, Sendable, Comparable {
    public private(set) var labels: [PromQLLabel]

    public init(_ labels: [PromQLLabel]) {
        var byName: [String: String] = [:]
        for label in labels where !label.value.isEmpty { byName[label.name] = label.value }
        self.labels = byName.map { PromQLLabel($0.key, $0.value) }.sorted()
    }

    public init(_ pairs: [String: String]) {
        self.init(pairs.map { PromQLLabel($0.key, $0.value) })
    }

    /// The value of `name`, "" when absent (as Prometheus reads a missing label).
    public subscript(name: String) -> String {
        labels.first { $0.name == name }?.value ?? ""
    }

    /// These labels with `name` set to `value` (removed when `value` is empty).
    public func setting(_ name: String, to value: String) -> PromQLLabels {
        PromQLLabels(labels.filter { $0.name != name } + [PromQLLabel(name, value)])
    }

    public func removing(_ names: Set<String>) -> PromQLLabels {
        PromQLLabels(labels.filter { !names.contains($0.name) })
    }

    public func keeping(_ names: Set<String>) -> PromQLLabels {
        PromQLLabels(labels.filter { names.contains($0.name) })
    }

    /// The labels that name a series: `__name__`, and `gnocchi_name`, where Rondone keeps
    /// a Gnocchi metric's name as given when `__name__` had to change it
    /// (docs/PROMQL.md). What drops the name (functions, arithmetic, `without`, `ignoring`)
    /// drops both, so the result of `abs(x)` carries no trace of the name either way.
    public static let nameLabels: Set<String> = ["__name__", "gnocchi_name"]

    /// Without the metric name, as functions and arithmetic return their series.
    public var droppingName: PromQLLabels { removing(Self.nameLabels) }

    /// Prometheus's label name rule: `[a-zA-Z_][a-zA-Z0-9_]*`.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
            return false
        }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                return true
            default:
                return false
            }
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.labels.lexicographicallyPrecedes(b.labels) }
}

/// A sample: milliseconds since the epoch, and a value.
public struct PromQLSample: Equatable, Sendable {
    public var time: Int64
    public var value: Double

    public init(_ time: Int64, _ value: Double) {
        self.time = time
        self.value = value
    }
}

/// A series with its samples in time order.
public struct PromQLSeries: Equatable, Sendable {
    public var labels: PromQLLabels
    public var samples: [PromQLSample]

    public init(labels: PromQLLabels, samples: [PromQLSample]) {
        self.labels = labels
        self.samples = samples
    }

    /// The index of the first sample at or after `time`.
    func firstIndex(atOrAfter time: Int64) -> Int {
        var low = 0
        var high = samples.count
        while low < high {
            let middle = (low + high) / 2
            if samples[middle].time < time { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The samples in `[from, through]`.
    func window(from: Int64, through: Int64) -> ArraySlice<PromQLSample> {
        let start = firstIndex(atOrAfter: from)
        let end = firstIndex(atOrAfter: through &+ 1)
        return samples[start..<max(start, end)]
    }
}

/// Where the engine reads series from: the series whose labels satisfy every matcher,
/// with their samples in `[start, end]` (milliseconds).
public protocol PromQLStorage: Sendable {
    func select(_ matchers: [PromQLMatcher], start: Int64, end: Int64, hints: PromQLSelectHints) async throws
        -> [PromQLSeries]
}

/// What a selection is for (Prometheus's `SelectHints`), so that a storage holding a
/// series at several resolutions can pick one: the evaluation step and the window each
/// step looks at.
public struct PromQLSelectHints: Equatable, Sendable {
    /// Milliseconds between evaluation steps; 0 when there is a single step.
    public var step: Int64
    /// Milliseconds each step looks back: a range selector's range, the lookback of an
    /// instant selector.
    public var range: Int64
    /// Whether the selector is a range (`[r]`), not an instant selector.
    public var isRange: Bool

    public init(step: Int64, range: Int64, isRange: Bool) {
        self.step = step
        self.range = range
        self.isRange = isRange
    }
}

/// The result of a query, as the HTTP API renders it.
public enum PromQLResult: Equatable, Sendable {
    case scalar(time: Int64, value: Double)
    case string(time: Int64, value: String)
    /// An instant vector: one sample per series, all at the query's time.
    case vector(time: Int64, [PromQLSeries])
    /// A range vector, or a range query's result.
    case matrix([PromQLSeries])
}
