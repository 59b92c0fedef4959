import RondoneJSON

/// Renders an ``APIError`` body exactly as Gnocchi's stack does: pecan writes
/// `{"code", "title", "description"}` when `application/json` is the best of
/// (text/plain, text/html, application/json); otherwise webob picks between its HTML page,
/// its own JSON shape and plain text from the same `Accept` header.
struct ErrorPage {
    var contentType: String
    var body: [UInt8]

    /// Request facts some webob templates print.
    struct RequestFacts {
        var method: String
        var accept: String?
        var contentType: String?
    }

    init(_ error: APIError, request: RequestFacts) {
        let accept = AcceptHeader(request.accept)
        if accept.bestOffer(["text/plain", "text/html", "application/json"]) == "application/json" {
            let description: JSONValue =
                switch error.description {
                case .none: .null
                case .text(let text): .string(text)
                case .json(let value): value
                }
            let document: JSONValue = .object([
                ("code", .int(Int64(error.status.code))),
                ("title", .string(error.title)),
                ("description", description),
            ])
            self.init(contentType: "application/json", body: document.serialized())
            return
        }
        let status = "\(error.status.code) \(error.title)"
        // webob answers plain text when the request has no Accept header at all.
        switch request.accept == nil ? nil : accept.bestOffer(["text/html", "application/json"]) {
        case "text/html":
            let inner = Self.body(error, request: request, escape: Self.htmlEscape)
            let page =
                "<html>\n <head>\n  <title>\(status)</title>\n </head>\n <body>\n  <h1>\(status)</h1>\n  \(inner)\n </body>\n</html>"
            self.init(contentType: "text/html; charset=UTF-8", body: Array(page.utf8))
        case "application/json":
            let inner = Self.body(error, request: request, escape: { $0 })
            let document: JSONValue = .object([
                ("message", .string(inner)), ("code", .string(status)), ("title", .string(error.title)),
            ])
            self.init(contentType: "application/json", body: document.serialized())
        default:
            let inner = Self.stripTags(Self.body(error, request: request, escape: { $0 }))
            self.init(contentType: "text/plain; charset=UTF-8", body: Array("\(status)\n\n\(inner)".utf8))
        }
    }

    private init(contentType: String, body: [UInt8]) {
        self.contentType = contentType
        self.body = body
    }

    /// webob's body template for the status, with `detail` filled in.
    static func body(_ error: APIError, request: RequestFacts, escape: (String) -> String) -> String {
        let detail: String =
            switch error.description {
            case .none: ""
            case .text(let text): escape(text)
            case .json(let value): escape(PythonRepr.repr(value))
            }
        switch error.status.code {
        case 405:
            return
                "The method \(escape(request.method)) is not allowed for this resource. <br /><br />\n\(detail)"
        case 406:
            return
                "The resource could not be generated that was acceptable to your browser\n(content of type \(escape(request.accept ?? "")). <br /><br />\n\(detail)"
        case 415:
            return
                "The request media type \(escape(request.contentType ?? "")) is not supported by this server.\n<br /><br />\n\(detail)"
        default:
            return "\(escape(explanation(error.status.code)))<br /><br />\n\(detail)\n\n"
        }
    }

    static func explanation(_ code: Int) -> String {
        switch code {
        case 401:
            "This server could not verify that you are authorized to access the document you requested. Either you supplied the wrong credentials (e.g., bad password), or your browser does not understand how to supply the credentials required."
        case 403: "Access was denied to this resource."
        case 404: "The resource could not be found."
        case 409: "There was a conflict when trying to complete your request."
        case 412: "Request precondition failed."
        case 413: "The body of your request was too large for this server."
        case 503: "The server is currently unavailable. Please try again at a later time."
        case 507: "There was not enough space to save the resource."
        case 500...:
            "The server has either erred or is incapable of performing the requested operation."
        default:
            "The server could not comply with the request since it is either malformed or otherwise incorrect."
        }
    }

    /// Python's `html.escape(text, quote=True)`.
    static func htmlEscape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#x27;"
            default: out.append(character)
            }
        }
        return out
    }

    /// webob's `strip_tags`: newlines become spaces, `<br…>` becomes a newline, other
    /// tags and comment markers go.
    static func stripTags(_ text: String) -> String {
        let flat = text.replacing("\n", with: " ").replacing("\r", with: "")
        var out = ""
        var index = flat.startIndex
        while index < flat.endIndex {
            let rest = flat[index...]
            if rest.hasPrefix("<!--") {
                index = flat.index(index, offsetBy: 4)
            } else if rest.hasPrefix("-->") {
                index = flat.index(index, offsetBy: 3)
            } else if flat[index] == "<", let close = rest.firstIndex(of: ">") {
                if rest.lowercased().hasPrefix("<br") { out.append("\n") }
                index = flat.index(after: close)
            } else {
                out.append(flat[index])
                index = flat.index(after: index)
            }
        }
        return out
    }
}
