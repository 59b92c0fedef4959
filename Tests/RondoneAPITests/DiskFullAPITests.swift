import HummingbirdTesting
import RondoneAPI
import RondoneAPITesting
import RondoneIndexerSQLite
import RondoneStorage
import Synchronization
import Testing

/// A full disk over HTTP (Rondone's): a write is 507 Insufficient Storage with Gnocchi's
/// JSON error saying the disk is full and where, counted in `/metrics`; reads keep
/// answering; the same write succeeds once space is back, without a restart. A stored
/// file that cannot be read is a 500 naming it.
@Suite("Full disk over HTTP")
struct DiskFullAPITests {
    static let json = ["Authorization": APITestClient.admin, "Accept": "application/json"]
    static let post = json.merging(["Content-Type": "application/json"]) { $1 }

    /// The real incoming store, refusing every add with `error` while `failing` is set.
    final class Refusing: IncomingStore {
        let base: any IncomingStore
        let error: StorageError
        let failing = Atomic<Bool>(false)
        init(_ base: any IncomingStore, error: StorageError) {
            self.base = base
            self.error = error
        }
        var sackCount: Int { base.sackCount }
        func add(_ batches: [IncomingBatch]) async throws {
            if failing.load(ordering: .relaxed) { throw error }
            try await base.add(batches)
        }
        func backlog(sack: Int) async throws -> [MetricID: PendingCount] {
            try await base.backlog(sack: sack)
        }
        func backlogSummary() async throws -> BacklogSummary { try await base.backlogSummary() }
        func claim(sack: Int) async throws -> IncomingClaim { try await base.claim(sack: sack) }
        func claim(metric: MetricID) async throws -> IncomingClaim { try await base.claim(metric: metric) }
        func complete(_ claim: IncomingClaim) async throws { try await base.complete(claim) }
        func release(_ claim: IncomingClaim) async { await base.release(claim) }
        func deleteUnprocessed(metric: MetricID) async throws {
            try await base.deleteUnprocessed(metric: metric)
        }
    }

    /// The store the server was given, for the test to switch.
    final class Holder: Sendable {
        private let store = Mutex<Refusing?>(nil)
        func set(_ refusing: Refusing) { store.withLock { $0 = refusing } }
        var refusing: Refusing? { store.withLock { $0 } }
    }

    static func metricID(_ text: String) -> String? {
        text.firstRange(of: #""id": ""#).map { String(text[$0.upperBound...].prefix(36)) }
    }

    @Test func fullIncomingDiskIs507AndRecovers() async throws {
        let path = "/data/incoming/incoming8-3/0000000000000007.log"
        let holder = Holder()
        try await APITestServer.run(
            defaultPolicies: true,
            services: { services in
                let store = Refusing(services.incoming, error: .diskFull(path: path))
                holder.set(store)
                services.incoming = store
            }
        ) { client in
            let store = try #require(holder.refusing)
            let created = try await client.request(
                .post, "/v1/metric", headers: Self.post, body: #"{"archive_policy_name": "low"}"#)
            let id = try #require(Self.metricID(created.text))
            let measures = #"[{"timestamp": "2024-01-01T00:00:00", "value": 1}]"#
            #expect(
                try await client.request(
                    .post, "/v1/metric/\(id)/measures", headers: Self.post, body: measures
                ).status == .accepted)

            store.failing.store(true, ordering: .relaxed)
            let refused = try await client.request(
                .post, "/v1/metric/\(id)/measures", headers: Self.post, body: measures)
            #expect(refused.status.code == 507)
            #expect(refused.headers[.contentType] == "application/json")
            #expect(refused.text.contains(#""code": 507"#))
            #expect(refused.text.contains(#""title": "Insufficient Storage""#))
            #expect(refused.text.contains("The disk is full: no space left on device for \(path)."))
            // The ingest protocols answer 507 too.
            #expect(
                try await client.request(
                    .post, "/v1/influxdb/query?q=create+database+full", headers: Self.json
                ).status == .noContent)
            let influx = try await client.request(
                .post, "/v1/influxdb/write?db=full&precision=s",
                headers: Self.json.merging(["Content-Type": "text/plain"]) { $1 },
                body: "cpu,host=a user=1 1704067200")
            #expect(influx.status.code == 507)
            #expect(influx.text.contains("The disk is full"))
            // Reads keep answering.
            #expect(
                try await client.request(.get, "/v1/metric/\(id)/measures?refresh=true", headers: Self.json)
                    .status == .ok)
            #expect(try await client.request(.get, "/v1/metric", headers: Self.json).status == .ok)
            let metrics = try await client.request(.get, "/metrics")
            #expect(metrics.text.contains("rondone_disk_full_refusals_total 2"))

            store.failing.store(false, ordering: .relaxed)
            #expect(
                try await client.request(
                    .post, "/v1/metric/\(id)/measures", headers: Self.post,
                    body: #"[{"timestamp": "2024-01-01T00:05:00", "value": 2}]"#
                ).status == .accepted)
            let read = try await client.request(
                .get, "/v1/metric/\(id)/measures?refresh=true&aggregation=count", headers: Self.json)
            #expect(read.text.contains(#"["2024-01-01T00:00:00+00:00", 300.0, 1.0]"#), "\(read.text)")
            #expect(read.text.contains(#"["2024-01-01T00:05:00+00:00", 300.0, 1.0]"#), "\(read.text)")
        }
    }

    /// SQLITE_FULL (here the index capped at its size with `PRAGMA max_page_count`) is
    /// the same 507, naming the index; the cap lifted, the same write succeeds.
    @Test func fullIndexIs507AndRecovers() async throws {
        try await APITestServer.run(defaultPolicies: true) { client in
            let index = try #require(client.server.backends.indexer as? SQLiteIndexer)
            try await index.capPages(extra: 0)
            var refused: TestResponse?
            for _ in 0..<500 {
                let response = try await client.request(
                    .post, "/v1/metric", headers: Self.post, body: #"{"archive_policy_name": "low"}"#)
                if response.status != .created {
                    refused = response
                    break
                }
            }
            let response = try #require(refused)
            #expect(response.status.code == 507)
            #expect(response.text.contains("The disk is full: no space left on device for the index ("))
            #expect(response.text.contains("index.sqlite"))
            #expect(try await client.request(.get, "/v1/metric", headers: Self.json).status == .ok)
            #expect(try await client.request(.get, "/v1/archive_policy", headers: Self.json).status == .ok)
            try await index.capPages(extra: nil)
            #expect(
                try await client.request(
                    .post, "/v1/metric", headers: Self.post, body: #"{"archive_policy_name": "low"}"#
                ).status == .created)
        }
    }

    /// A stored file that cannot be read (EIO) is a 500 naming it, not data.
    @Test func unreadableFileIs500NamingIt() async throws {
        struct Unreadable: StatusProvider {
            func status(details: Bool) async throws -> ServiceStatus {
                throw StorageError.io(
                    operation: "read", path: "/data/aggregates/log/0000000000000002.agl", errno: 5)
            }
        }
        try await APITestServer.run(services: { $0.status = Unreadable() }) { client in
            let response = try await client.request(.get, "/v1/status", headers: Self.json)
            #expect(response.status == .internalServerError)
            #expect(
                response.text.contains(
                    "Unable to read /data/aggregates/log/0000000000000002.agl: Input/output error (errno 5).")
            )
        }
    }
}
