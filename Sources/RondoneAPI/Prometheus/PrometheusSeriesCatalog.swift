import RondoneIndexer
import RondonePromQL
import RondoneTimeSeries
import Synchronization

/// The metrics a caller may read, as Prometheus series: one series per stored
/// aggregation method of each metric, labelled by ``PrometheusLabelMapping``.
///
/// A caller sees what the rest of the API lets them list: the metrics `GET /v1/metric`
/// lists for them, and the metrics of the resources `GET /v1/resource/generic` lists for
/// them (the project filter in keystone mode, `--strict-isolation` in every mode).
///
/// A catalog is a value: ``PrometheusCatalogCache`` keeps one per caller scope and
/// brings it up to date with the index's recorded changes
/// (``applying(_:in:)``); the lookups built from it (metrics by name, the values of
/// each label) are built once per catalog, at their first use.
struct PrometheusSeriesCatalog: Sendable {
    /// One metric with its labels.
    final class Entry: Sendable {
        let metric: Metric
        let policy: ArchivePolicy
        /// With `aggregation` naming the default method: the series a selector that
        /// names no method reads, built once.
        let labels: PromQLLabels
        /// The stored methods, by name.
        let methods: [String]
        /// The method a selector that names none gets: `mean` when stored, else the first.
        let defaultMethod: String

        /// An entry of `metric`, whose labels without `aggregation` are `labels`.
        init(metric: Metric, policy: ArchivePolicy, labels: PromQLLabels, methods: [String]) {
            let defaultMethod = methods.contains("mean") ? "mean" : methods[0]
            self.metric = metric
            self.policy = policy
            self.labels = labels.setting("aggregation", to: defaultMethod)
            self.methods = methods
            self.defaultMethod = defaultMethod
        }

        /// The labels of the series of `method`.
        func labels(of method: String) -> PromQLLabels {
            method == defaultMethod ? labels : labels.setting("aggregation", to: method)
        }
    }

    /// A selected series: a metric, one of its methods, and the labels with `aggregation`.
    struct Selected: Sendable {
        let entry: Entry
        let method: String
        let labels: PromQLLabels
    }

    /// Every metric, by id.
    let entries: [Entry]
    private let lookups = Lookups()

    /// A catalog of `entries`, which must be ordered by metric id.
    init(entries: [Entry]) {
        self.entries = entries
    }

    /// The series whose labels satisfy every matcher. Matchers on `aggregation` choose
    /// among every stored method; without one, each metric gives its default method.
    func select(_ matchers: [PromQLMatcher]) throws(PromQLError) -> [Selected] {
        let set = try PromQLMatcherSet(matchers)
        let onMethod = set.on("aggregation")
        let candidates: [Int]
        if let name = matchers.first(where: { $0.label == "__name__" && $0.kind == .equal }) {
            candidates = lookups.byName(entries)[name.value] ?? []
        } else {
            candidates = Array(entries.indices)
        }
        let others = set.matchers.filter { $0.matcher.label != "aggregation" }
        var selected: [Selected] = []
        for index in candidates {
            let entry = entries[index]
            guard others.allSatisfy({ $0.matches(entry.labels[$0.matcher.label]) }) else { continue }
            let methods =
                onMethod.isEmpty
                ? [entry.defaultMethod]
                : entry.methods.filter { method in onMethod.allSatisfy { $0.matches(method) } }
            for method in methods {
                selected.append(
                    Selected(
                        entry: entry, method: method, labels: entry.labels(of: method))
                )
            }
        }
        return selected
    }

    /// The values `name` takes among every series, sorted (`aggregation`: every stored
    /// method).
    func values(of name: String) -> [String] {
        lookups.values(of: name, entries)
    }

    /// The label names of every series, sorted.
    func labelNames() -> [String] {
        lookups.names(entries)
    }

    /// Builds the lookups every dashboard asks for first (metrics by name, label names,
    /// metric names), so that the call after an update in the background finds them.
    func prepareLookups() {
        _ = lookups.byName(entries)
        _ = lookups.names(entries)
        _ = lookups.values(of: "__name__", entries)
    }

    /// The lookups of one catalog, each built at its first use and kept with it.
    private final class Lookups: Sendable {
        private struct State {
            var byName: [String: [Int]]?
            var values: [String: [String]] = [:]
            var names: [String]?
        }
        private let state = Mutex(State())

        func byName(_ entries: [Entry]) -> [String: [Int]] {
            state.withLock { state in
                if let byName = state.byName { return byName }
                var byName: [String: [Int]] = [:]
                for (index, entry) in entries.enumerated() {
                    byName[entry.labels["__name__"], default: []].append(index)
                }
                state.byName = byName
                return byName
            }
        }

        func values(of name: String, _ entries: [Entry]) -> [String] {
            state.withLock { state in
                if let values = state.values[name] { return values }
                var values: Set<String> = []
                for entry in entries {
                    if name == "aggregation" {
                        values.formUnion(entry.methods)
                    } else {
                        let value = entry.labels[name]
                        if !value.isEmpty { values.insert(value) }
                    }
                }
                let sorted = values.sorted()
                // Bounded: a caller may ask for many names no series has.
                if state.values.count >= 1_000 { state.values.removeAll() }
                state.values[name] = sorted
                return sorted
            }
        }

        func names(_ entries: [Entry]) -> [String] {
            state.withLock { state in
                if let names = state.names { return names }
                var names: Set<String> = []
                for entry in entries {
                    for label in entry.labels.labels { names.insert(label.name) }
                }
                if !entries.isEmpty { names.insert("aggregation") }
                let sorted = names.sorted()
                state.names = sorted
                return sorted
            }
        }
    }
}
