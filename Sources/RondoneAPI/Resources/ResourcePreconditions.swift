import Hummingbird
import RondoneIndexer
import RondoneTimeSeries

/// Conditional requests on a resource (RFC 9110 §13.2.2 order, as Gnocchi's
/// `etag_precondition_check`): `If-Match`, then `If-Unmodified-Since` when there is no
/// `If-Match`, then `If-None-Match` (304 for GET/HEAD, 412 otherwise), then
/// `If-Modified-Since` for GET/HEAD when there is no `If-None-Match`.
enum ResourcePreconditions {
    /// Throws 412 when the request's conditions do not hold for `resource`; returns the
    /// empty 304 to answer instead when a read's conditions say the client's copy is current.
    static func check(_ request: Request, _ resource: Resource) throws(APIError) -> Response? {
        let etag = ResourceJSON.etag(resource)
        let lastModified = lastModified(resource)
        let isRead = request.method == .get || request.method == .head
        let ifMatch = request.headers[.ifMatch]
        if let ifMatch, !matches(ifMatch, etag) { throw APIError(.preconditionFailed) }
        if ifMatch == nil, let text = request.headers[.ifUnmodifiedSince],
            let since = Timestamp(httpDate: text), since < lastModified
        {
            throw APIError(.preconditionFailed)
        }
        let ifNoneMatch = request.headers[.ifNoneMatch]
        if let ifNoneMatch, matches(ifNoneMatch, etag) {
            guard isRead else { throw APIError(.preconditionFailed) }
            return notModified
        }
        if ifNoneMatch == nil, isRead, let text = request.headers[.ifModifiedSince],
            let since = Timestamp(httpDate: text), since >= lastModified
        {
            return notModified
        }
        return nil
    }

    private static let notModified = Response(status: .notModified, headers: [:], body: ResponseBody())

    /// `ETag` and `Last-Modified` of a resource response.
    static func headers(_ resource: Resource) -> HTTPFields {
        var headers = HTTPFields()
        headers[.eTag] = "\"\(ResourceJSON.etag(resource))\""
        headers[.lastModified] = lastModified(resource).httpDate
        return headers
    }

    /// `revision_start` truncated to whole seconds.
    private static func lastModified(_ resource: Resource) -> Timestamp {
        let nanoseconds = resource.revisionStart.nanoseconds
        return Timestamp(
            nanoseconds: nanoseconds - ((nanoseconds % 1_000_000_000) + 1_000_000_000) % 1_000_000_000)
    }

    /// Whether an `If-Match`/`If-None-Match` list names `etag` (or is `*`); weak tags
    /// (`W/"…"`) compare by their opaque part, as webob does.
    private static func matches(_ header: String, _ etag: String) -> Bool {
        for item in header.split(separator: ",") {
            var tag = Substring(item).trimmingSpaces
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            if tag.count >= 2, tag.first == "\"", tag.last == "\"" { tag = tag.dropFirst().dropLast() }
            if tag == etag { return true }
        }
        return false
    }
}
