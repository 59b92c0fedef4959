import Foundation
import HTTPTypes
import Hummingbird
public import HummingbirdTesting
import Logging
public import RondoneAPI
public import RondoneServer

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starts a whole server on an ephemeral port over a fresh temporary data directory and
/// hands the test a client that talks real HTTP to it; everything is torn down
/// afterwards. Every API integration test goes through here, so none repeats set-up
/// code, and the server is built by ``RondoneServer`` exactly as `rondone serve` builds
/// it: SQLite index, file incoming log and aggregate store, metricd, janitor, reader.
public enum APITestServer {
    /// Runs `test` against a live server built from `configuration`.
    ///
    /// - Parameters:
    ///   - defaultPolicies: create `low`/`medium`/`high`/`bool` and the default rule (by
    ///     default the index starts empty, as Gnocchi's functional tests expect).
    ///   - workers: metricd workers to start, polling every 50 ms; 0 leaves metricd
    ///     stopped (reads still work; measures wait for `refresh=true`).
    ///   - services: replaces services of the real wiring before the API is built.
    public static func run<Value: Sendable>(
        _ configuration: APIConfiguration = .testing, defaultPolicies: Bool = false, workers: Int = 1,
        services customize: (inout APIServices) -> Void = { _ in },
        _ test: @Sendable (APITestClient) async throws -> Value
    ) async throws -> Value {
        var configuration = configuration
        configuration.host = "127.0.0.1"
        configuration.port = 0
        let path = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let backends = Backends.embedded(try DataDirectory(path: path, sacks: 8))
        do {
            try await backends.upgrade(createDefaultPolicies: defaultPolicies)
            var logger = Logger(label: "rondone.test")
            logger.logLevel = configuration.logLevel
            var server = RondoneServer(
                backends: backends, metricd: .init(processingDelay: .milliseconds(50)), logger: logger)
            customize(&server.services)
            try await server.start(workers: workers)
            do {
                let app = try server.application(configuration: configuration)
                let running = server
                let value = try await app.test(.live) { client in
                    try await test(APITestClient(client: client, dataDirectory: path, server: running))
                }
                await server.stop()
                await backends.close()
                return value
            } catch {
                await server.stop()
                throw error
            }
        } catch {
            await backends.close()
            throw error
        }
    }

    /// ``run(_:defaultPolicies:workers:services:_:)`` (the name is older than every test
    /// server having the real stores).
    public static func runWithStores<Value: Sendable>(
        _ configuration: APIConfiguration = .testing, defaultPolicies: Bool = false,
        _ test: @Sendable (APITestClient) async throws -> Value
    ) async throws -> Value {
        try await run(configuration, defaultPolicies: defaultPolicies, test)
    }

    /// A new, empty directory under the system's temporary directory.
    private static func temporaryDirectory() throws -> String {
        var template = Array("/tmp/rondone-test-XXXXXX".utf8CString)
        guard let result = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw TemporaryDirectoryError.cannotCreate
        }
        return String(cString: result)
    }
}

/// The client a test gets: raw HTTP requests with Gnocchi's test users' credentials at hand.
public struct APITestClient: Sendable {
    public let client: any TestClientProtocol
    /// The server's data directory (removed after the test).
    public let dataDirectory: String
    /// The server under test: its stores, metricd and reader.
    public let server: RondoneServer

    /// `Authorization` values of the users Gnocchi's functional tests use.
    public static let admin = "basic YWRtaW46"
    public static let foobar = "basic Zm9vYmFyOg=="

    /// Sends one request; `headers` by name, `body` as UTF-8 text.
    public func request(
        _ method: HTTPRequest.Method, _ uri: String, headers: [String: String] = [:], body: String? = nil
    ) async throws -> TestResponse {
        var fields = HTTPFields()
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        return try await client.execute(
            uri: uri, method: method, headers: fields, body: body.map { ByteBuffer(string: $0) })
    }
}

extension APIConfiguration {
    /// The settings Gnocchi's functional tests expect (max_limit 7, CORS for
    /// `http://foobar.com`, proxy headers honoured, basic auth).
    public static var testing: APIConfiguration {
        APIConfiguration(
            maxLimit: 7, authMode: .basic, corsAllowedOrigins: ["http://foobar.com"], proxyHeaders: true,
            maxBodySize: 1 << 20, logLevel: .warning)
    }
}

extension TestResponse {
    /// The body as text.
    public var text: String { String(buffer: body) }
}

enum TemporaryDirectoryError: Error {
    case cannotCreate
}
