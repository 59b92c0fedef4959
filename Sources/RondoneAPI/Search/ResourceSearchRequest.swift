import Hummingbird
import RondoneIndexer

/// Reads the filter of a resource search or batch delete as Gnocchi does: the JSON body
/// when there is one (415 unless JSON, 400 when it does not decode), else the `filter=`
/// string syntax, else none; then the caller (401) for the creator that `id` operands
/// are converted with, then the schema (400 `Invalid input`).
enum ResourceSearchRequest {
    /// The filter; nil when none was given or it is `{}`.
    static func filter(_ request: Request, in context: ControllerContext) async throws
        -> ResourceSearchFilter?
    {
        let body = try await request.collectBody(upTo: context.configuration.maxBodySize)
        let document: SearchValue
        if body.readableBytes > 0 {
            try request.requireJSONContentType()
            let json: JSONValue
            do throws(JSONReader.SyntaxError) {
                json = try JSONReader.parse(body.readableBytesView)
            } catch {
                throw APIError.unableToDecodeBody(reason: error.reason)
            }
            if SearchValue.exceedsLimits(json) { throw SearchValue.tooLarge }
            document = SearchValue(json)
        } else if let text = request.queryPairs.last(where: { $0.name == "filter" })?.value, !text.isEmpty {
            document = try SearchFilterString.parse(text)
        } else {
            return nil
        }
        let identity = try context.authenticator.identity(request.headers)
        let validated = try ResourceSearchSchema.validate(document, creator: identity.creator)
        if case .object(let members) = validated, members.isEmpty { return nil }
        return ResourceSearchFilter(tree: validated)
    }
}
