import HTTPTypes
import Hummingbird

/// `/ui`: the built-in web console (issue 18), static files compiled into the binary.
///
/// The files hold no data, so they are served to anyone (``AuthMiddleware`` lets them
/// through even when `--web-config` requires passwords); every call the page makes goes to
/// the API with the credentials the user signed in with. Each answer carries a strong
/// `ETag` (304 to a matching `If-None-Match`), `Cache-Control: no-cache` (revalidate, so a
/// new binary's files are used at once) and a Content-Security-Policy that lets the page
/// load and call nothing but this server. See docs/CONSOLE.md.
struct ConsoleController {
    /// The console's path; `/ui` redirects to `/ui/`, the page, so that its relative
    /// links name the files under it.
    static let root = "/ui"

    /// Only this server's files and API; no inline script or style, no frames, no `<base>`.
    static let contentSecurityPolicy =
        "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"

    func register(on routes: RouteTable) {
        routes.add(.get, Self.root + "/", answersHead: true, negotiation: .none) { request, _ in
            Self.serve(ConsoleAssets.all[ConsoleAssets.index]!, request)
        }
        routes.add(.get, Self.root + "/{asset}", answersHead: true, negotiation: .none) { request, context in
            let name = context.parameters.get("asset") ?? ""
            guard let asset = ConsoleAssets.all[name] else {
                throw APIError.notFound("The console has no file \(name)")
            }
            return Self.serve(asset, request)
        }
    }

    private static let referrerPolicy = HTTPField.Name("Referrer-Policy")!

    /// `asset`, or 304 when the request's `If-None-Match` names its entity tag.
    static func serve(_ asset: ConsoleAsset, _ request: Request) -> Response {
        var headers: HTTPFields = [
            .eTag: asset.etag,
            .cacheControl: "no-cache",
            .contentSecurityPolicy: contentSecurityPolicy,
            .xContentTypeOptions: "nosniff",
            referrerPolicy: "no-referrer",
        ]
        if let ifNoneMatch = request.headers[.ifNoneMatch], matches(ifNoneMatch, asset.etag) {
            return Response(status: .notModified, headers: headers, body: ResponseBody())
        }
        headers[.contentType] = asset.contentType
        headers[.contentLength] = String(asset.bytes.count)
        return Response(
            status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }

    /// Whether an `If-None-Match` list names `etag` or is `*` (weak comparison, RFC 9110).
    private static func matches(_ header: String, _ etag: String) -> Bool {
        for tag in header.split(separator: ",") {
            var tag = tag.trimmingSpaces
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
            if tag == etag { return true }
        }
        return false
    }
}
