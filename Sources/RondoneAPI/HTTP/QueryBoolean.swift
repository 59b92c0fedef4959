import RondoneJSON

/// `oslo_utils.strutils.bool_from_string(strict=True)`, as Gnocchi's `strtobool` uses it
/// for query flags (`details`, `refresh`, `create_metrics`).
public enum QueryBoolean {
    static let trueWords: Set<String> = ["1", "t", "true", "on", "y", "yes"]
    static let falseWords: Set<String> = ["0", "f", "false", "off", "n", "no"]

    /// The flag's value, or Gnocchi's 400 `Unable to parse `name': ...`.
    public static func parse(_ name: String, _ value: String) throws(APIError) -> Bool {
        let word = value.lowercased().trimmingCharacters(in: [" ", "\t", "\n", "\r"])
        if trueWords.contains(word) { return true }
        if falseWords.contains(word) { return false }
        throw .badRequest(
            "Unable to parse `\(name)': Unrecognized value \(PythonRepr.string(value)), acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'"
        )
    }
}

extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
