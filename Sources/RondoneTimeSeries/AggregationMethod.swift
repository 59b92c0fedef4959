/// One of Gnocchi's aggregation methods, applied to the points of one period.
public enum AggregationMethod: Hashable, Sendable {
    case mean, sum, last, first, max, min, median, std, count
    /// `Npct`: the N-th percentile with linear interpolation between closest ranks.
    case percentile(Int)
}

/// An aggregation as named in archive policies and queries: a method, optionally
/// applied to the rate of change (`rate:mean`: differences of consecutive raw points,
/// then the method).
public struct Aggregation: Hashable, Sendable, CustomStringConvertible {
    public var method: AggregationMethod
    public var isRate: Bool

    @inlinable
    public init(_ method: AggregationMethod, rate: Bool = false) {
        self.method = method
        self.isRate = rate
    }

    /// Parses Gnocchi's names: `mean`, `95pct` (1–99), `rate:last`, …; nil for anything else.
    public init?(name: String) {
        var rest = Substring(name)
        var rate = false
        if rest.hasPrefix("rate:") {
            rate = true
            rest = rest.dropFirst(5)
        }
        let method: AggregationMethod
        switch rest {
        case "mean": method = .mean
        case "sum": method = .sum
        case "last": method = .last
        case "first": method = .first
        case "max": method = .max
        case "min": method = .min
        case "median": method = .median
        case "std": method = .std
        case "count": method = .count
        default:
            guard rest.hasSuffix("pct") else { return nil }
            let digits = rest.dropLast(3)
            guard (1...2).contains(digits.count), digits.first != "0",
                digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                let n = Int(digits)
            else { return nil }
            method = .percentile(n)
        }
        self.init(method, rate: rate)
    }

    /// The name as Gnocchi spells it.
    public var name: String {
        let base: String
        switch method {
        case .mean: base = "mean"
        case .sum: base = "sum"
        case .last: base = "last"
        case .first: base = "first"
        case .max: base = "max"
        case .min: base = "min"
        case .median: base = "median"
        case .std: base = "std"
        case .count: base = "count"
        case .percentile(let n): base = "\(n)pct"
        }
        return isRate ? "rate:" + base : base
    }

    public var description: String { name }

    /// Every name Gnocchi 4.7 accepts in an archive policy: the nine methods,
    /// `1pct`…`99pct`, and `rate:` of each.
    public static let allValid: [Aggregation] = {
        var methods: [AggregationMethod] = [
            .mean, .sum, .last, .first, .max, .min, .median, .std, .count,
        ]
        methods += (1...99).map { AggregationMethod.percentile($0) }
        return methods.map { Aggregation($0) } + methods.map { Aggregation($0, rate: true) }
    }()
}
