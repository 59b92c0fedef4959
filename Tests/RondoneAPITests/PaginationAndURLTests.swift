import HTTPTypes
import RondoneAPI
import Testing

@Suite("Pagination, query strings and request URLs")
struct PaginationAndURLTests {
    @Test func limitValidation() throws {
        let defaults = ["id:asc"]
        #expect(try PaginationOptions(query: [], defaultSorts: defaults, maxLimit: 7).limit == 7)
        #expect(
            try PaginationOptions(query: [("limit", "100000")], defaultSorts: defaults, maxLimit: 7).limit
                == 7)
        #expect(
            try PaginationOptions(query: [("limit", " 3 ")], defaultSorts: defaults, maxLimit: 7).limit == 3)
        for bad in ["0", "-1"] {
            #expect(throws: APIError.self) {
                try PaginationOptions(query: [("limit", bad)], defaultSorts: defaults, maxLimit: 7)
            }
        }
        do {
            _ = try PaginationOptions(query: [("limit", "1.5")], defaultSorts: defaults, maxLimit: 7)
            Issue.record("accepted 1.5")
        } catch {
            guard case .json(let body) = error.description else { return #expect(Bool(false)) }
            #expect(
                body.text
                    == #"{"cause": "Argument value error", "reason": "expected int for dictionary value @ data['limit']"}"#
            )
        }
        let sorted = try PaginationOptions(
            query: [("sort", "name:asc"), ("sort", "id:desc")], defaultSorts: defaults, maxLimit: 7)
        #expect(sorted.sorts == ["name:asc", "id:desc"])
    }

    @Test func linkHeaderAsGnocchi() throws {
        let query = [("limit", "1"), ("foo", "bar"), ("sort", "name:asc"), ("sort", "id:desc")]
        let options = try PaginationOptions(query: query, defaultSorts: ["id:asc"], maxLimit: 7)
        let link = options.nextLink(
            pathURL: "http://127.0.0.1:8041/v1/metric", echoing: query,
            nextMarker: "43d0b424-2350-4f30-b961-31d5a61a0ccc")
        #expect(
            link
                == #"<http://127.0.0.1:8041/v1/metric?foo=bar&limit=1&marker=43d0b424-2350-4f30-b961-31d5a61a0ccc&sort=name%3Aasc&sort=id%3Adesc>; rel="next""#
        )
        #expect(URLQuoting.quotePlus("a b/c:d") == "a+b%2Fc%3Ad")
    }

    @Test func queryStrings() {
        let pairs = QueryString.parse("a=1&b=x+y&c=%41%zz&d&a=2")
        #expect(pairs.map(\.name) == ["a", "b", "c", "d", "a"])
        #expect(pairs.map(\.value) == ["1", "x y", "A%zz", "", "2"])
    }

    @Test func requestURLs() {
        var request = HTTPRequest(
            method: .get, scheme: "http", authority: "example.org:80", path: "/v1/metric?limit=2")
        var url = RequestURL(request: request, proxyHeaders: false, fallbackHost: "127.0.0.1:8041")
        #expect(url.pathURL == "http://example.org/v1/metric")
        #expect(url.absolute("/v1/metric/a b") == "http://example.org/v1/metric/a%20b")
        request.headerFields[HTTPField.Name("Forwarded")!] =
            "for=1.2.3.4;proto=https;host=proxy:9, for=5.6.7.8"
        request.headerFields[HTTPField.Name("X-Forwarded-Prefix")!] = "/pre"
        url = RequestURL(request: request, proxyHeaders: true, fallbackHost: "")
        #expect(url.pathURL == "https://proxy:9/pre/v1/metric")
        #expect(
            RequestURL(request: request, proxyHeaders: false, fallbackHost: "").hostURL
                == "http://example.org")
    }
}
