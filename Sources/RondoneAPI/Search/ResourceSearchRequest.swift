import Hummingbird
import RondoneIndexer
import RondoneJSON

/// Reads the filter of a resource search or batch delete as Gnocchi does: the JSON body
/// when there is one (415 unless JSON, 400 when it does not decode), else the `filter=`
/// string syntax, else none; then the caller (401) for the creator that `id` operands
/// are converted with, then the schema (400 `Invalid input`).
enum ResourceSearchRequest {
    /// The filter; nil when none was given or it is `{}`.
    static func filter(
        _ request: Request, _ requestContext: RondoneRequestContext, in context: ControllerContext
    ) async throws
        -> ResourceSearchFilter?
    {
        let document: SearchValue
        if let json = try await body(request, in: context) {
            document = SearchValue(json)
        } else if let text = request.queryPairs.last(where: { $0.name == "filter" })?.value, !text.isEmpty {
            document = try SearchFilterString.parse(text)
        } else {
            return nil
        }
        return try validated(document, requestContext, in: context)
    }

    /// `document` checked with the caller (401) as the creator `id` operands are
    /// converted with, then the schema (400); nil for `{}`.
    static func validated(
        _ document: SearchValue, _ requestContext: RondoneRequestContext, in context: ControllerContext
    ) throws
        -> ResourceSearchFilter?
    {
        let identity = try requestContext.identity()
        let validated = try ResourceSearchSchema.validate(document, creator: identity.creator)
        if case .object(let members) = validated, members.isEmpty { return nil }
        return ResourceSearchFilter(tree: validated)
    }

    /// A search body as `deserialize` reads it: nil when empty; else 415 unless JSON,
    /// 400 when it does not decode or is beyond the filter limits (docs/LIMITS.md).
    static func body(_ request: Request, in context: ControllerContext) async throws -> JSONValue? {
        let body = try await request.collectBody(upTo: context.configuration.maxBodySize)
        guard body.readableBytes > 0 else { return nil }
        try request.requireJSONContentType()
        let json: JSONValue
        do throws(JSONReader.SyntaxError) {
            json = try JSONReader.parse(body.readableBytesView)
        } catch {
            throw APIError.unableToDecodeBody(reason: error.reason)
        }
        if SearchValue.exceedsLimits(json) { throw SearchValue.tooLarge }
        return json
    }
}
