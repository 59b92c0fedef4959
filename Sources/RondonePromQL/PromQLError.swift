/// A query Rondone cannot run: a parse or type error (Prometheus's `bad_data`, HTTP 400),
/// or a construct it does not support yet (HTTP 501, naming it).
public enum PromQLError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Bad syntax or types, at a byte offset of the query.
    case parse(at: Int, String)
    /// Valid PromQL that this implementation does not run yet.
    case unsupported(String)

    public var description: String {
        switch self {
        case .parse(let position, let message): "parse error at char \(position + 1): \(message)"
        case .unsupported(let what): "not supported yet: \(what)"
        }
    }
}
