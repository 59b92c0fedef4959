import Foundation
import HTTPTypes
import Hummingbird
public import HummingbirdTesting
public import RondoneAPI
import RondoneIndexer
import RondoneProcessing
import RondoneStorage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starts the API on an ephemeral port over a fresh temporary data directory and hands
/// the test a client that talks real HTTP to it; everything is torn down afterwards.
/// Every API integration test goes through here, so none repeats set-up code.
public enum APITestServer {
    /// Runs `test` against a live server built from `configuration` and `services`.
    public static func run<Value: Sendable>(
        _ configuration: APIConfiguration = .testing,
        services: APIServices = APIServices(),
        _ test: @Sendable (APITestClient) async throws -> Value
    ) async throws -> Value {
        var configuration = configuration
        configuration.host = "127.0.0.1"
        configuration.port = 0
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let app = try RondoneApplication.build(configuration: configuration, services: services)
        let path = directory.path
        return try await app.test(.live) { client in
            try await test(APITestClient(client: client, dataDirectory: path))
        }
    }
}

extension APITestServer {
    /// Runs `test` against a live server with the real embedded stores — SQLite index,
    /// file incoming log and aggregate store, one metricd worker polling every 50 ms — on
    /// a fresh temporary data directory, as `rondone serve` wires them.
    ///
    /// Starts empty (no archive policies), as Gnocchi's functional tests expect, unless
    /// `defaultPolicies` asks for `low`/`medium`/`high`/`bool` and the default rule.
    public static func runWithStores<Value: Sendable>(
        _ configuration: APIConfiguration = .testing, defaultPolicies: Bool = false,
        _ test: @Sendable (APITestClient) async throws -> Value
    ) async throws -> Value {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("rondone-api-\(UInt64.random(in: 0...UInt64.max))").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let indexer = try SQLiteIndexer(path: root + "/index.sqlite")
        try await indexer.upgrade(createDefaultPolicies: defaultPolicies)
        let incoming = try FileIncomingStore(directory: root + "/incoming", options: .init(sacks: 8))
        let aggregates = try FileAggregateStore(directory: root + "/aggregates")
        defer {
            incoming.close()
            aggregates.close()
        }
        let metricd = Metricd(
            incoming: incoming, aggregates: aggregates, catalog: IndexerMetricCatalog(indexer: indexer),
            options: .init(processingDelay: .milliseconds(50)))
        await metricd.start(workers: 1)
        do {
            let value = try await run(
                configuration,
                services: APIServices(
                    status: MetricdStatusProvider(metricd: metricd), indexer: indexer, incoming: incoming,
                    metricd: metricd),
                test)
            await metricd.stop()
            return value
        } catch {
            await metricd.stop()
            throw error
        }
    }
}

/// The client a test gets: raw HTTP requests with Gnocchi's test users' credentials at hand.
public struct APITestClient: Sendable {
    public let client: any TestClientProtocol
    /// A fresh directory the test may use for data (removed after the test).
    public let dataDirectory: String

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

/// A directory under the system's temporary directory, removed with its content.
struct TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/rondone-test-XXXXXX".utf8CString)
        guard let result = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw TemporaryDirectoryError.cannotCreate
        }
        path = String(cString: result)
    }

    func remove() {
        // Test data directories are shallow: remove files, then the directory.
        if let dir = opendir(path) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) {
                    String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name != "." && name != ".." { unlink(path + "/" + name) }
            }
            closedir(dir)
        }
        rmdir(path)
    }
}

enum TemporaryDirectoryError: Error {
    case cannotCreate
}
