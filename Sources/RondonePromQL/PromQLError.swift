/// A query Rondone cannot run: a parse or type error (Prometheus's `bad_data`, HTTP 400),
/// or a construct it does not support yet (HTTP 501, naming it).
public enum PromQLError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Bad syntax or types, at a byte offset of the query.
    case parse(at: Int, String)
    /// Valid PromQL that this implementation does not run yet.
    case unsupported(String)
    /// A query that parses but cannot be evaluated on this data (Prometheus's `execution`
    /// errors: duplicate series in a one-to-one match, too many samples).
    case execution(String)

    public var description: String {
        switch self {
        case .parse(let position, let message): "parse error at char \(position + 1): \(message)"
        case .unsupported(let what): "not supported yet: \(what)"
        case .execution(let message): message
        }
    }
}
