import RondoneJSON

/// The two JSON-Patch (RFC 6902) operations Gnocchi's resource type `PATCH` accepts,
/// `add` and `remove`, applied to a document as the `jsonpatch` library does, with its
/// messages for the failures a client can cause.
enum JSONPatch {
    /// One operation: `add` (with its value) or `remove`, at a JSON pointer.
    enum Operation {
        case add(path: String, value: JSONValue)
        case remove(path: String)
    }

    /// Why an operation could not be applied (`jsonpatch`'s message).
    struct Failure: Error {
        var message: String
    }

    /// `document` with every operation applied in order; all or nothing.
    static func apply(_ operations: [Operation], to document: JSONValue) throws(Failure) -> JSONValue {
        var result = document
        for operation in operations {
            switch operation {
            case .add(let path, let value): try set(&result, at: try pointer(path), to: value)
            case .remove(let path): try set(&result, at: try pointer(path), to: nil)
            }
        }
        return result
    }

    /// The reference tokens of a JSON pointer (`/a/b~1c` → `a`, `b/c`).
    private static func pointer(_ path: String) throws(Failure) -> [String] {
        guard !path.isEmpty else { return [] }
        guard path.hasPrefix("/") else { throw Failure(message: "Location must start with /") }
        return path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            String($0).replacingAll("~1", with: "/").replacingAll("~0", with: "~")
        }
    }

    /// Sets (or with nil removes) the member at `tokens` inside `document`.
    private static func set(_ document: inout JSONValue, at tokens: [String], to value: JSONValue?)
        throws(Failure)
    {
        guard let token = tokens.first else {
            guard let value else { throw Failure(message: "can't remove the whole document") }
            document = value
            return
        }
        switch document {
        case .object(var members):
            let index = members.firstIndex { $0.0 == token }
            if tokens.count == 1 {
                switch (index, value) {
                case (let index?, let value?): members[index].1 = value
                case (nil, let value?): members.append((token, value))
                case (let index?, nil): members.remove(at: index)
                case (nil, nil): throw Failure(message: "can't remove a non-existent object '\(token)'")
                }
            } else {
                guard let index else {
                    throw Failure(message: "member '\(token)' not found in \(PythonRepr.repr(document))")
                }
                try set(&members[index].1, at: Array(tokens.dropFirst()), to: value)
            }
            document = .object(members)
        case .array(var items):
            let last = tokens.count == 1
            if last, value != nil, token == "-" {
                items.append(value!)
            } else {
                guard let index = Int(token), index >= 0, index < items.count + (last && value != nil ? 1 : 0)
                else { throw Failure(message: "index '\(token)' is out of bounds") }
                if last {
                    if let value { items.insert(value, at: index) } else { items.remove(at: index) }
                } else {
                    try set(&items[index], at: Array(tokens.dropFirst()), to: value)
                }
            }
            document = .array(items)
        default:
            throw Failure(
                message: "document '\(PythonRepr.repr(document))' is neither an object nor an array")
        }
    }
}
