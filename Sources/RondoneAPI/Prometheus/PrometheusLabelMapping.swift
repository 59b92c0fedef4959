import RondoneIndexer
import RondoneJSON
import RondonePromQL

/// How a Gnocchi metric and its resource become a Prometheus series' labels
/// (docs/PROMQL.md, "The mapping"):
///
/// * `__name__`: the metric's name with every character outside `[a-zA-Z0-9_:]` made `_`,
///   the original in `gnocchi_name` when that changed it. A name `base@k=v,k2=v2` — the
///   form remote write (`--prometheus-keep-labels`) and the InfluxDB protocol store
///   labels in — is read back as `base` and the labels `k`, `k2`;
/// * `resource_id` (the id as the client gave it), `resource_type`, `project_id`,
///   `user_id`, and each attribute of the resource's type (names made valid the same
///   way), when the metric is attached to a resource;
/// * `metric_id`, and `aggregation` (added per stored method by the catalog).
enum PrometheusLabelMapping {
    /// Labels Rondone sets itself; a resource attribute or a kept label of the same name
    /// gives way to them.
    static let reserved: Set<String> = [
        "__name__", "gnocchi_name", "resource_id", "resource_type", "project_id", "user_id", "metric_id",
        "aggregation",
    ]

    /// The labels of `metric` (without `aggregation`), attached to `resource` when given.
    static func labels(of metric: Metric, resource: Resource?) -> [PromQLLabel] {
        var labels: [PromQLLabel] = []
        var seen: Set<String> = []
        func add(_ name: String, _ value: String?) {
            guard let value, !value.isEmpty, seen.insert(name).inserted else { return }
            labels.append(PromQLLabel(name, value))
        }
        add("metric_id", metric.id.description)
        if let name = metric.name {
            let (base, kept) = split(name)
            let metricName = sanitized(base)
            add("__name__", metricName)
            if metricName != name { add("gnocchi_name", name) }
            if let resource {
                add("resource_id", resource.originalResourceID)
                add("resource_type", resource.type)
                add("project_id", resource.projectID)
                add("user_id", resource.userID)
            }
            for (label, value) in kept where !reserved.contains(label) { add(label, value) }
        } else if let resource {
            add("resource_id", resource.originalResourceID)
            add("resource_type", resource.type)
            add("project_id", resource.projectID)
            add("user_id", resource.userID)
        }
        if let resource {
            for (attribute, value) in resource.attributes.sorted(by: { $0.key < $1.key }) {
                let label = sanitized(attribute)
                guard !reserved.contains(label) else { continue }
                add(label, text(value))
            }
        }
        return labels
    }

    /// `name` with every character outside `[a-zA-Z0-9_:]` replaced by `_`.
    static func sanitized(_ name: String) -> String {
        var bytes: [UInt8] = []
        var changed = false
        for scalar in name.unicodeScalars {
            if scalar.isASCII, isNameByte(UInt8(scalar.value)) {
                bytes.append(UInt8(scalar.value))
            } else {
                bytes.append(UInt8(ascii: "_"))
                changed = true
            }
        }
        return changed ? String(decoding: bytes, as: UTF8.self) : name
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: ":"):
            return true
        default:
            return false
        }
    }

    /// Splits `base@k=v,k2=v2` into its base and labels; a name of any other form (no
    /// `@`, a part without `=`, a label name that is not one) is its own base.
    static func split(_ name: String) -> (base: String, labels: [(String, String)]) {
        guard let at = name.firstIndex(of: "@"), at != name.startIndex else { return (name, []) }
        let rest = name[name.index(after: at)...]
        var labels: [(String, String)] = []
        for part in rest.split(separator: ",", omittingEmptySubsequences: false) {
            guard let equals = part.firstIndex(of: "=") else { return (name, []) }
            let label = String(part[..<equals])
            guard PromQLLabels.isValidName(label) else { return (name, []) }
            labels.append((label, String(part[part.index(after: equals)...])))
        }
        return (String(name[..<at]), labels)
    }

    /// An attribute's value as a label value ("" for null, which leaves the label out).
    static func text(_ value: AttributeValue) -> String {
        switch value {
        case .null: return ""
        case .string(let text), .uuid(let text): return text
        case .number(let number): return JSONValue.pythonRepr(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .datetime(let time): return time.formatted(.datetime)
        }
    }
}
