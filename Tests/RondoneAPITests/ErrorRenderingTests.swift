import HummingbirdTesting
import RondoneAPITesting
import RondoneTesting
import Testing

@testable import RondoneAPI

@Suite("Errors as Gnocchi renders them")
struct ErrorRenderingTests {
    @Test func unknownRouteJSONAndHTML() async throws {
        try await APITestServer.run { client in
            let json = try await client.request(.get, "/v1/nope", headers: ["Accept": "application/json"])
            #expect(json.status == .notFound)
            #expect(json.text == #"{"code": 404, "title": "Not Found", "description": null}"#)
            let html = try await client.request(.get, "/nope", headers: ["Accept": "*/*"])
            #expect(html.headers[.contentType] == "text/html; charset=UTF-8")
            #expect(
                html.text
                    == "<html>\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n  <h1>404 Not Found</h1>\n  The resource could not be found.<br /><br />\n\n\n\n </body>\n</html>"
            )
        }
    }

    @Test func wrongMethodIs405WithAllow() async throws {
        try await APITestServer.run { client in
            let json = try await client.request(.put, "/v1/status", headers: ["Accept": "application/json"])
            #expect(json.status == .methodNotAllowed)
            #expect(json.headers[.allow] == "GET")
            #expect(json.text == #"{"code": 405, "title": "Method Not Allowed", "description": ""}"#)
            let html = try await client.request(.put, "/v1/status", headers: ["Accept": "*/*"])
            #expect(
                html.text.contains(
                    "  The method PUT is not allowed for this resource. <br /><br />\n\n </body>"))
        }
    }

    @Test func notAcceptableComesFirst() async throws {
        try await APITestServer.run { client in
            let response = try await client.request(.get, "/v1/status", headers: ["Accept": "text/plain"])
            #expect(response.status == .notAcceptable)
            #expect(response.headers[.contentType] == "text/plain; charset=UTF-8")
            #expect(
                response.text
                    == "406 Not Acceptable\n\nThe resource could not be generated that was acceptable to your browser (content of type text/plain. \n\n "
            )
        }
    }

    @Test func renderedPageMatchesWebob() {
        let error = APIError.notFound("Archive policy nope does not exist")
        let html = ErrorPageProbe.render(error, accept: "*/*")
        #expect(
            html
                == "<html>\n <head>\n  <title>404 Not Found</title>\n </head>\n <body>\n  <h1>404 Not Found</h1>\n  The resource could not be found.<br /><br />\nArchive policy nope does not exist\n\n\n </body>\n</html>"
        )
        #expect(
            ErrorPageProbe.render(error, accept: "application/json")
                == #"{"code": 404, "title": "Not Found", "description": "Archive policy nope does not exist"}"#
        )
        // No Accept header at all: webob's plain-text page (what gabbi's requests get).
        #expect(
            ErrorPageProbe.render(error, accept: nil).hasPrefix(
                "404 Not Found\n\nThe resource could not be found."))
        // Equal quality: pecan prefers text/html (earlier in its offers) over JSON.
        #expect(ErrorPageProbe.render(error, accept: "application/json, text/html").hasPrefix("<html>"))
        let invalid = APIError.invalidInput(reason: "extra keys not allowed @ data['x']", path: ["x"])
        #expect(
            ErrorPageProbe.render(invalid, accept: "application/json")
                == #"{"code": 400, "title": "Bad Request", "description": {"cause": "Invalid input", "reason": "extra keys not allowed @ data['x']", "detail": ["x"]}}"#
        )
        #expect(
            ErrorPageProbe.render(invalid, accept: "*/*").contains(
                "{&#x27;cause&#x27;: &#x27;Invalid input&#x27;, &#x27;reason&#x27;: &quot;extra keys not allowed @ data[&#x27;x&#x27;]&quot;"
            ))
    }

    @Test func acceptNegotiation() {
        let offers = ["text/plain", "text/html", "application/json"]
        #expect(AcceptHeader(nil).bestOffer(offers) == "text/plain")
        #expect(AcceptHeader("application/json").bestOffer(offers) == "application/json")
        #expect(AcceptHeader("*/*;q=0.5, application/json").bestOffer(offers) == "application/json")
        #expect(AcceptHeader("text/*").acceptableOffers(offers) == ["text/plain", "text/html"])
        #expect(AcceptHeader("application/json;q=0").bestOffer(["application/json"]) == nil)
        #expect(AcceptHeader("garbage").acceptableOffers(offers) == offers)
    }
}

enum ErrorPageProbe {
    static func render(_ error: APIError, accept: String?) -> String {
        let page = ErrorPage(error, request: .init(method: "GET", accept: accept, contentType: nil))
        return String(decoding: page.body, as: UTF8.self)
    }
}
