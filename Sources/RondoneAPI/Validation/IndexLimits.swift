import RondoneIndexer
import RondoneJSON

/// The longest names and strings the index stores (docs/LIMITS.md), checked before
/// anything is written: longer input is a 400 in voluptuous' words at the field's path,
/// so a request never stores (or echoes in a `Location` header) an unbounded name.
/// Gnocchi's columns have the same widths but it answers an overflow by dropping the
/// connection or with a 500.
enum IndexLimits {
    /// Names of archive policies, rules, metrics and resource types, and metric
    /// patterns (Gnocchi's `String(255)` columns).
    static let name = 255
    /// `user_id`, `project_id` and the creator of resources (`String(255)`).
    static let identifier = 255

    /// 400 `length of value must be at most N for dictionary value @ data[...]` when
    /// `text` has more than `max` characters.
    static func check(_ text: String, max: Int, at path: [String]) throws(APIError) {
        guard text.unicodeScalars.count > max else { return }
        let location = path.map { PythonRepr.string($0) }.joined(separator: "][")
        throw APIError.invalidInput(
            reason: "length of value must be at most \(max) for dictionary value @ data[\(location)]",
            path: path)
    }
}
