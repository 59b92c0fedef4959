import HTTPTypes
import RondoneAPI
import RondoneAPITesting
import Testing

/// `/ui`: the console's static files, served from the binary with their media type, a
/// strict Content-Security-Policy and an `ETag` (304 on a match), without credentials.
@Suite("Web console files")
struct ConsoleTests {
    static let assets: [(String, String)] = [
        ("index.html", "text/html; charset=utf-8"),
        ("console.css", "text/css; charset=utf-8"),
        ("favicon.svg", "image/svg+xml"),
        ("app.js", "text/javascript; charset=utf-8"),
        ("api.js", "text/javascript; charset=utf-8"),
        ("dom.js", "text/javascript; charset=utf-8"),
        ("chart.js", "text/javascript; charset=utf-8"),
        ("table.js", "text/javascript; charset=utf-8"),
        ("series.js", "text/javascript; charset=utf-8"),
        ("query.js", "text/javascript; charset=utf-8"),
        ("resources.js", "text/javascript; charset=utf-8"),
        ("policies.js", "text/javascript; charset=utf-8"),
        ("status.js", "text/javascript; charset=utf-8"),
        ("promtext.js", "text/javascript; charset=utf-8"),
    ]

    @Test func thePageAndEveryFileAreServedWithTheirTypeCSPAndETag() async throws {
        try await APITestServer.run { client in
            let redirect = try await client.request(.get, "/ui")
            #expect(redirect.status == .found)
            #expect(redirect.headers[.location] == "http://localhost/ui/")
            let index = try await client.request(.get, "/ui/")
            #expect(index.status == .ok)
            #expect(index.headers[.contentType] == "text/html; charset=utf-8")
            #expect(index.text.contains(#"<script type="module" src="app.js"></script>"#))
            for (name, contentType) in Self.assets {
                let response = try await client.request(.get, "/ui/\(name)")
                #expect(response.status == .ok, "\(name)")
                #expect(response.headers[.contentType] == contentType, "\(name)")
                #expect(response.headers[.contentSecurityPolicy]?.hasPrefix("default-src 'self'") == true)
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.headers[.cacheControl] == "no-cache")
                #expect(!response.text.isEmpty, "\(name)")
                let etag = try #require(response.headers[.eTag], "\(name)")
                #expect(etag.hasPrefix("\"") && etag.hasSuffix("\"") && etag.count == 34)
                let again = try await client.request(.get, "/ui/\(name)", headers: ["If-None-Match": etag])
                #expect(again.status == .notModified, "\(name)")
                #expect(again.text.isEmpty)
                #expect(again.headers[.eTag] == etag)
                let other = try await client.request(.get, "/ui/\(name)", headers: ["If-None-Match": "\"0\""])
                #expect(other.status == .ok)
                let head = try await client.request(.head, "/ui/\(name)")
                #expect(head.status == .ok && head.text.isEmpty)
            }
            // Each file is named in the page or in another file, so none is left unloaded.
            #expect(index.headers[.eTag] != nil)
        }
    }

    @Test func anUnknownFileIsA404AndOtherMethodsA405() async throws {
        try await APITestServer.run { client in
            let missing = try await client.request(
                .get, "/ui/nope.js", headers: ["Accept": "application/json"])
            #expect(missing.status == .notFound)
            #expect(missing.text.contains("The console has no file nope.js"))
            let post = try await client.request(.post, "/ui/app.js")
            #expect(post.status == .methodNotAllowed)
        }
    }

    @Test func everyModuleTheConsoleImportsIsServed() async throws {
        try await APITestServer.run { client in
            let served = Set(Self.assets.map(\.0))
            for (name, _) in Self.assets where name.hasSuffix(".js") {
                let source = try await client.request(.get, "/ui/\(name)").text
                for line in source.split(separator: "\n") where line.hasPrefix("import ") {
                    guard let start = line.range(of: "'./"),
                        let end = line[start.upperBound...].firstIndex(of: "'")
                    else { continue }
                    let imported = String(line[start.upperBound..<end])
                    #expect(served.contains(imported), "\(name) imports \(imported)")
                }
            }
        }
    }
}
