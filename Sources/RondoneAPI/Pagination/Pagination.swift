/// `limit`, `marker` and `sort` of a list request, validated as Gnocchi's
/// `get_pagination_options`: `limit` an int ≥ 1 clamped to `max_limit` (default
/// `max_limit`), `marker` a single string, `sort` one or more `key[:dir]` strings.
public struct PaginationOptions: Sendable, Equatable {
    public var limit: Int
    public var marker: String?
    public var sorts: [String]

    public init(limit: Int, marker: String? = nil, sorts: [String]) {
        self.limit = limit
        self.marker = marker
        self.sorts = sorts
    }

    /// Reads the query (`name=value` pairs in order, repeated names allowed).
    public init(query: [(name: String, value: String)], defaultSorts: [String], maxLimit: Int)
        throws(APIError)
    {
        let limits = query.filter { $0.name == "limit" }.map(\.value)
        let markers = query.filter { $0.name == "marker" }.map(\.value)
        let sorts = query.filter { $0.name == "sort" }.map(\.value)
        switch limits.count {
        case 0: limit = maxLimit
        case 1:
            guard let value = Self.pythonInt(limits[0]) else {
                throw .argumentValueError(reason: "expected int for dictionary value @ data['limit']")
            }
            guard value >= 1 else {
                throw .argumentValueError(
                    reason: "value must be at least 1 for dictionary value @ data['limit']")
            }
            limit = min(value, maxLimit)
        default: throw .argumentValueError(reason: "expected int for dictionary value @ data['limit']")
        }
        guard markers.count <= 1 else {
            throw .argumentValueError(reason: "expected str for dictionary value @ data['marker']")
        }
        marker = markers.first
        self.sorts = sorts.isEmpty ? defaultSorts : sorts
    }

    /// Python's `int(str)`: surrounding white space, a sign, digits with single `_`
    /// between them. Values beyond Int are clamped (they are clamped to max_limit anyway).
    static func pythonInt(_ text: String) -> Int? {
        var bytes = Substring(text).utf8.drop { $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D) }
        while let last = bytes.last, last == 0x20 || (last >= 0x09 && last <= 0x0D) {
            bytes = bytes.dropLast()
        }
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            negative = sign == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        guard !bytes.isEmpty, bytes.first != UInt8(ascii: "_"), bytes.last != UInt8(ascii: "_") else {
            return nil
        }
        var value = 0
        var previousUnderscore = false
        for byte in bytes {
            if byte == UInt8(ascii: "_") {
                if previousUnderscore { return nil }
                previousUnderscore = true
                continue
            }
            previousUnderscore = false
            guard byte &- UInt8(ascii: "0") < 10 else { return nil }
            value = value > Int.max / 20 ? Int.max / 10 : value * 10 + Int(byte &- UInt8(ascii: "0"))
        }
        return negative ? -value : value
    }

    /// The `Link: <...>; rel="next"` value Gnocchi's `set_resp_link_hdr` sends: the request's
    /// `path_url`, then the echoed query arguments with `limit`, `marker` and `sort`
    /// replaced, sorted by name and `urlencode`d (`sort=id%3Aasc`).
    public func nextLink(pathURL: String, echoing query: [(name: String, value: String)], nextMarker: String)
        -> String
    {
        var arguments: [String: [String]] = [:]
        for (name, value) in query { arguments[name, default: []].append(value) }
        arguments["limit"] = [String(limit)]
        arguments["marker"] = [nextMarker]
        arguments["sort"] = sorts
        let encoded = arguments.keys.sorted().flatMap { name in
            arguments[name]!.map { URLQuoting.quotePlus(name) + "=" + URLQuoting.quotePlus($0) }
        }
        return "<\(pathURL)?\(encoded.joined(separator: "&"))>; rel=\"next\""
    }
}
