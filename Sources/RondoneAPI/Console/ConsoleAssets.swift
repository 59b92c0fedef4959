import Crypto

/// One static file of the console: its bytes (compiled into the binary), its media type
/// and its entity tag.
struct ConsoleAsset: Sendable {
    let bytes: [UInt8]
    let contentType: String
    /// A strong `ETag` value (quoted): the first 16 bytes of the SHA-1 of the bytes, so it
    /// changes exactly when the file does (a new build), whatever the server's clock.
    let etag: String

    init(_ bytes: [UInt8], _ contentType: String) {
        self.bytes = bytes
        self.contentType = contentType
        let hex = Array("0123456789abcdef".utf8)
        var tag: [UInt8] = [UInt8(ascii: "\"")]
        for byte in Insecure.SHA1.hash(data: bytes).prefix(16) {
            tag.append(hex[Int(byte >> 4)])
            tag.append(hex[Int(byte & 0x0f)])
        }
        tag.append(UInt8(ascii: "\""))
        etag = String(decoding: tag, as: UTF8.self)
    }
}

/// The console's files by name under `/ui/`. Each is a file of `Console/Assets/`, embedded
/// by SwiftPM (`resources: [.embedInCode(…)]` in Package.swift, which names it
/// `PackageResources.<name with . as _>`); a new file needs a line there and one here
/// (docs/CONSOLE.md).
enum ConsoleAssets {
    static let index = "index.html"

    static let all: [String: ConsoleAsset] = [
        "index.html": ConsoleAsset(PackageResources.index_html, "text/html; charset=utf-8"),
        "console.css": ConsoleAsset(PackageResources.console_css, "text/css; charset=utf-8"),
        "favicon.svg": ConsoleAsset(PackageResources.favicon_svg, "image/svg+xml"),
        "app.js": ConsoleAsset(PackageResources.app_js, javaScript),
        "api.js": ConsoleAsset(PackageResources.api_js, javaScript),
        "dom.js": ConsoleAsset(PackageResources.dom_js, javaScript),
        "chart.js": ConsoleAsset(PackageResources.chart_js, javaScript),
        "table.js": ConsoleAsset(PackageResources.table_js, javaScript),
        "series.js": ConsoleAsset(PackageResources.series_js, javaScript),
        "query.js": ConsoleAsset(PackageResources.query_js, javaScript),
        "resources.js": ConsoleAsset(PackageResources.resources_js, javaScript),
        "policies.js": ConsoleAsset(PackageResources.policies_js, javaScript),
        "status.js": ConsoleAsset(PackageResources.status_js, javaScript),
        "promtext.js": ConsoleAsset(PackageResources.promtext_js, javaScript),
    ]

    private static let javaScript = "text/javascript; charset=utf-8"
}
