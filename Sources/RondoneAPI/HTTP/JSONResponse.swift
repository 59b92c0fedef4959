public import Hummingbird
import RondoneJSON

/// Builds Gnocchi's JSON responses (their content negotiation is the route's
/// ``ContentNegotiation``, done by ``RouteTable``).
public enum JSONResponse {
    /// A JSON document with `Content-Type: application/json`.
    public static func make(_ body: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:])
        -> Response
    {
        make(bytes: body.serialized(), status: status, headers: headers)
    }

    /// Pre-serialized JSON bytes (hot paths write their own).
    public static func make(bytes: [UInt8], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:])
        -> Response
    {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(
            status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// An empty response (202 of measure POSTs, 204 of deletes).
    public static func empty(_ status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        Response(status: status, headers: headers, body: ResponseBody())
    }
}

extension Request {
    /// The query as ordered `name=value` pairs, decoded as webob does (`+` is a space,
    /// percent escapes in names and values), repeated names kept.
    public var queryPairs: [(name: String, value: String)] {
        QueryString.parse(uri.query ?? "")
    }

    /// The body, or 413 when it is larger than `limit`.
    public func collectBody(upTo limit: Int) async throws -> ByteBuffer {
        do {
            return try await body.collect(upTo: limit)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw APIError.contentTooLarge
        }
    }

    /// A JSON request body as Gnocchi's `deserialize` reads it: 415 unless the content
    /// type is JSON, 413 over `limit`, 400 "Unable to decode body" when it is not JSON.
    public func jsonBody(limit: Int, contentTypes: [String] = ["application/json"]) async throws -> JSONValue
    {
        try requireJSONContentType(contentTypes)
        let buffer = try await collectBody(upTo: limit)
        do throws(JSONReader.SyntaxError) {
            return try JSONReader.parse(buffer.readableBytesView)
        } catch {
            throw APIError.unableToDecodeBody(reason: error.reason)
        }
    }

    /// Gnocchi's `deserialize` precondition: 415 unless `Content-Type` is JSON.
    public func requireJSONContentType(_ accepted: [String] = ["application/json"]) throws(APIError) {
        let mime = (headers[.contentType] ?? "").split(separator: ";").first.map {
            $0.trimmingSpaces.lowercased()
        }
        guard let mime, accepted.contains(mime) else { throw .unsupportedMediaType }
    }
}
