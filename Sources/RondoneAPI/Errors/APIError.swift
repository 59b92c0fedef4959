public import HTTPTypes
import RondoneJSON

/// The one error type controllers throw: an HTTP status with Gnocchi's `description`
/// (a string, `null`, or a validation object). ``ErrorMiddleware`` renders it the way
/// Gnocchi (pecan + webob) does: JSON when the request's `Accept` prefers it, else
/// webob's HTML page (or plain text when neither HTML nor JSON is acceptable).
public struct APIError: Error, Sendable {
    /// What Gnocchi puts in the `description` field.
    public enum Description: Sendable, Equatable {
        /// No detail: JSON `null`, nothing under the HTML explanation.
        case none
        /// A message; JSON string.
        case text(String)
        /// A structured detail (validation errors); JSON object.
        case json(JSONValue)
    }

    public var status: HTTPResponse.Status
    public var description: Description
    /// Extra response headers (`Allow` on a 405, `Location` on a 302).
    public var headers: HTTPFields

    public init(
        _ status: HTTPResponse.Status, _ description: Description = .text(""), headers: HTTPFields = [:]
    ) {
        self.status = status
        self.description = description
        self.headers = headers
    }

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.init(status, .text(message))
    }

    /// webob's title for the status (`"Not Found"`), which Gnocchi puts in `title`.
    public var title: String { Self.title(for: status.code) }

    // MARK: Gnocchi's common errors

    /// 401 as Gnocchi's auth helpers raise it (`abort(401)`: empty description).
    public static var unauthorized: APIError { APIError(.unauthorized) }
    /// 403 as `enforce` raises it (`abort(403)`: empty description).
    public static var forbidden: APIError { APIError(.forbidden) }
    /// 415 as `deserialize` raises it for a Content-Type other than JSON.
    public static var unsupportedMediaType: APIError { APIError(.unsupportedMediaType) }
    /// 413 for a body over the configured maximum.
    public static var contentTooLarge: APIError { APIError(.contentTooLarge) }
    /// 404 for a path no controller serves (pecan: `description` is `null`).
    public static var routeNotFound: APIError { APIError(.notFound, .none) }

    /// 404 for a named thing that does not exist (`"Archive policy nope does not exist"`).
    public static func notFound(_ message: String) -> APIError { APIError(.notFound, .text(message)) }
    /// 400 with a plain message.
    public static func badRequest(_ message: String) -> APIError { APIError(.badRequest, .text(message)) }

    /// 400 for a voluptuous validation failure: `{"cause": "Invalid input", "reason": ..., "detail": [path...]}`.
    public static func invalidInput(reason: String, path: [String] = []) -> APIError {
        APIError(
            .badRequest,
            .json(
                .object([
                    ("cause", .string("Invalid input")),
                    ("reason", .string(reason)),
                    ("detail", .array(path.map { .string($0) })),
                ])))
    }

    /// 400 for a body that is not JSON: `{"cause": "Unable to decode body", "reason": ..., "detail": []}`.
    public static func unableToDecodeBody(reason: String) -> APIError {
        APIError(
            .badRequest,
            .json(
                .object([
                    ("cause", .string("Unable to decode body")),
                    ("reason", .string(reason)),
                    ("detail", .array([])),
                ])))
    }

    /// 400 for a bad query argument: `{"cause": "Argument value error", "reason": ...}`.
    public static func argumentValueError(reason: String) -> APIError {
        APIError(
            .badRequest,
            .json(.object([("cause", .string("Argument value error")), ("reason", .string(reason))])))
    }

    /// 405 with webob's `Allow` header.
    public static func methodNotAllowed(allowed: [HTTPRequest.Method]) -> APIError {
        var headers = HTTPFields()
        headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
        return APIError(.methodNotAllowed, .text(""), headers: headers)
    }

    static func title(for code: Int) -> String {
        switch code {
        case 302: "Found"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 409: "Conflict"
        case 412: "Precondition Failed"
        case 413: "Request Entity Too Large"
        case 415: "Unsupported Media Type"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 507: "Insufficient Storage"
        default: code >= 500 ? "Internal Server Error" : "Bad Request"
        }
    }
}
