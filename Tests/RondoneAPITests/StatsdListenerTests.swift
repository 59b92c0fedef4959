import Foundation
import HummingbirdTesting
import Logging
import RondoneAPI
import RondoneAPITesting
import RondoneIngest
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The statsd listener inside a live server: datagrams sent over UDP on loopback, the
/// stored values read back through the REST API, the counters through `/metrics`.
@Suite("statsd listener in the server")
struct StatsdListenerTests {
    static let admin = ["Authorization": APITestClient.admin]
    static let resource = "0a7a15ff-aa13-4ac2-897c-9bdf30ce175b"

    /// Sends each datagram to `127.0.0.1:port` from a plain UDP socket.
    static func send(_ datagrams: [[UInt8]], to port: Int) throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        for datagram in datagrams {
            let sent = datagram.withUnsafeBytes { bytes in
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(
                            fd, bytes.baseAddress, bytes.count, 0, $0,
                            socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
            #expect(sent == datagram.count)
        }
    }

    /// The value of the sample `line` of `/metrics` (0 when absent).
    static func counter(_ client: APITestClient, _ line: String) async throws -> Double {
        let text = try await client.request(.get, "/metrics").text
        for sample in text.split(separator: "\n") where sample.hasPrefix(line + " ") {
            return Double(sample.dropFirst(line.count + 1)) ?? 0
        }
        return 0
    }

    /// Waits until the listener has read `lines` lines (UDP on loopback is not lost, but
    /// its delivery is asynchronous).
    static func waitForLines(_ client: APITestClient, _ lines: Double) async throws {
        for _ in 0..<500 {
            if try await counter(client, "rondone_statsd_lines_total") >= lines { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("the listener did not read \(lines) lines")
    }

    static func measures(_ client: APITestClient, _ metric: String, query: String = "") async throws
        -> TestResponse
    {
        let name = metric.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        return try await client.request(
            .get, "/v1/resource/generic/\(resource)/metric/\(name)/measures?refresh=true\(query)",
            headers: admin)
    }

    @Test func theResourceExistsBeforeTheFirstDatagram() async throws {
        try await APITestServer.run(defaultPolicies: true, workers: 0) { client in
            let settings = StatsdSettings(
                host: "127.0.0.1", port: 0, resourceID: StatsdSettings.resourceID(Self.resource)!,
                creator: "statsd-user", flushDelay: 3600)
            let listener = try await client.server.startStatsd(
                settings: settings, logger: Logger(label: "test"))
            let resource = try await client.request(
                .get, "/v1/resource/generic/\(Self.resource)", headers: Self.admin)
            #expect(resource.status == .ok)
            #expect(
                resource.text.contains(#""creator": "statsd-user""#)
                    && resource.text.contains(#""metrics": {}"#))
            await listener.stop()
            // A second start finds it there.
            let again = try await client.server.startStatsd(settings: settings, logger: Logger(label: "test"))
            await again.stop()
        }
    }

    @Test func datagramsBecomeOneMeasurePerMetricPerFlush() async throws {
        try await APITestServer.run(defaultPolicies: true) { client in
            let settings = StatsdSettings(
                host: "127.0.0.1", port: 0, resourceID: StatsdSettings.resourceID(Self.resource)!,
                creator: "statsd-user", flushDelay: 3600)
            let listener = try await client.server.startStatsd(
                settings: settings, logger: Logger(label: "test"))
            try Self.send(
                [
                    Array("hits:1|c\nhits:2|c|@0.5\nbroken line\ntemp:20|g".utf8),
                    Array("temp:-3|g\nlatency:12.5|ms\nset:1|s\nhits:1|g|@0.5".utf8),
                    [0xFF, 0x00, 0x0A] + Array("hits:10|c|@0.1".utf8),
                ], to: listener.port)
            try await Self.waitForLines(client, 9)
            await listener.flush()

            let resource = try await client.request(
                .get, "/v1/resource/generic/\(Self.resource)", headers: Self.admin)
            #expect(resource.status == .ok)
            #expect(resource.text.contains(#""creator": "statsd-user""#))
            #expect(resource.text.contains(#""hits|c""#))
            #expect(try await Self.measures(client, "hits|c").text.hasSuffix(", 105.0]]"))
            #expect(try await Self.measures(client, "temp|g").text.hasSuffix(", -3.0]]"))
            #expect(try await Self.measures(client, "latency|ms").text.hasSuffix(", 12.5]]"))
            #expect(try await Self.measures(client, "set|s").status == .notFound)

            #expect(try await Self.counter(client, "rondone_statsd_datagrams_total") == 3)
            #expect(
                try await Self.counter(client, #"rondone_statsd_lines_refused_total{reason="malformed"}"#)
                    == 2)
            #expect(
                try await Self.counter(client, #"rondone_statsd_lines_refused_total{reason="unknown_type"}"#)
                    == 1)
            #expect(
                try await Self.counter(client, #"rondone_statsd_lines_refused_total{reason="bad_sampling"}"#)
                    == 1)
            #expect(try await Self.counter(client, "rondone_statsd_measures_flushed_total") == 3)

            // Stopping flushes what is pending. Wait for this very line: the three
            // datagrams above already made 10 lines, so waiting for 10 raced the send.
            let linesBefore = try await Self.counter(client, "rondone_statsd_lines_total")
            try Self.send([Array("hits:7|c".utf8)], to: listener.port)
            try await Self.waitForLines(client, linesBefore + 1)
            await listener.stop()
            // Both flushes' measures, whether or not they fall in one granularity period.
            let sums = try await Self.measures(client, "hits|c", query: "&aggregation=sum")
            let points = try #require(
                try JSONSerialization.jsonObject(with: Data(sums.text.utf8)) as? [[Any]])
            #expect(points.compactMap { $0.last as? Double }.reduce(0, +) == 112, "\(sums.text)")
            #expect(try await Self.counter(client, "rondone_statsd_measures_flushed_total") == 4)
        }
    }
}
