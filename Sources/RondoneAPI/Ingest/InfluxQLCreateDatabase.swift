/// The one InfluxQL statement Gnocchi answers: `CREATE DATABASE name` (keywords in any
/// case, the name a bare word `[A-Za-z_][A-Za-z0-9_]*` or a `"`-quoted string with `\`
/// escapes), optionally followed by `;`.
enum InfluxQLCreateDatabase {
    /// The database name, or nil when `query` is anything else.
    static func name(in query: String) -> String? {
        var rest = Substring(query)
        for keyword in ["create", "database"] {
            rest = rest.drop { $0.isWhitespace }
            guard rest.prefix(keyword.count).lowercased() == keyword else { return nil }
            rest = rest.dropFirst(keyword.count)
        }
        guard rest.first?.isWhitespace == true else { return nil }
        rest = rest.drop { $0.isWhitespace }
        var name = ""
        if rest.first == "\"" {
            rest = rest.dropFirst()
            var escaped = false
            var closed = false
            while let character = rest.popFirst() {
                if escaped {
                    name.append(character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    closed = true
                    break
                } else {
                    name.append(character)
                }
            }
            guard closed else { return nil }
        } else {
            guard let first = rest.first, first == "_" || (first.isASCII && first.isLetter) else {
                return nil
            }
            name = String(rest.prefix { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) })
            rest = rest.dropFirst(name.count)
        }
        rest = rest.drop { $0.isWhitespace }
        if rest.first == ";" { rest = rest.dropFirst() }
        return rest.allSatisfy(\.isWhitespace) ? name : nil
    }
}
