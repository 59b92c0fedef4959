import Foundation
import HTTPTypes
import HummingbirdTesting
import RondoneAPI
import RondoneAPITesting
import Testing

/// `?dry_run=true` on the destructive calls (docs/OPERATIONS.md "Dry runs in the API"):
/// the answer counts what the real call then deletes, nothing changes meanwhile, and the
/// refusals and permissions are the real call's.
@Suite("Dry runs of deletions over HTTP")
struct DryRunTests {
    static var admin: [String: String] { MetricControllerTests.admin }
    static var foobar: [String: String] { MetricControllerTests.foobar }

    static func uuid(_ last: Int) -> String {
        "7e1c0d8a-5b1e-4c8f-9d2a-6f3b2a1c" + String(format: "%04d", last)
    }

    static func object(_ response: TestResponse) throws -> [String: Any] {
        try MetricControllerTests.object(response.text)
    }

    @Test func batchDeleteDryRunCountsWhatTheDeleteDeletes() async throws {
        try await APITestServer.runWithStores(defaultPolicies: true) { client in
            // 510 resources of user u0 (more than a page of the dry run's count), 4 of u1;
            // u0's first 3 carry 2 metrics each.
            for index in 1...514 {
                let policy = #"{"archive_policy_name": "low"}"#
                let metrics = index <= 3 ? #", "metrics": {"a": \#(policy), "b": \#(policy)}"# : ""
                let created = try await client.request(
                    .post, "/v1/resource/generic", headers: Self.foobar,
                    body: #"{"id": "\#(Self.uuid(index))", "user_id": "u\#(index > 510 ? 1 : 0)"\#(metrics)}"#
                )
                #expect(created.status == .created)
            }
            let filter = #"{"=": {"user_id": "u0"}}"#
            func delete(_ query: String) async throws -> TestResponse {
                try await client.request(
                    .delete, "/v1/resource/generic" + query, headers: Self.foobar, body: filter)
            }
            func state() async throws -> (resources: Int, metrics: Int) {
                let resources = try await client.request(
                    .get, "/v1/resource/generic?limit=1000", headers: Self.foobar)
                let metrics = try await client.request(.get, "/v1/metric", headers: Self.foobar)
                return (
                    try MetricControllerTests.list(resources.text).count,
                    try MetricControllerTests.list(metrics.text).count
                )
            }
            func present(_ indexes: [Int]) async throws -> [Bool] {
                var found: [Bool] = []
                for index in indexes {
                    let got = try await client.request(
                        .get, "/v1/resource/generic/\(Self.uuid(index))", headers: Self.foobar)
                    found.append(got.status == .ok)
                }
                return found
            }
            let sample = [1, 2, 3, 250, 510, 511, 514]
            let before = try await state()
            #expect(before.metrics == 6)
            #expect(try await present(sample) == Array(repeating: true, count: 7))
            for spelling in ["true", "1", "yes", "True"] {
                let dryRun = try await delete("?dry_run=" + spelling)
                #expect(dryRun.status == .ok, "\(dryRun.text)")
                let answer = try Self.object(dryRun)
                #expect(answer["dry_run"] as? Bool == true)
                #expect(answer["deleted"] as? Int == 510)
                #expect(answer["metrics"] as? Int == 6)
                let listed = try #require(answer["resources"] as? [String])
                #expect(listed.count == 510)
                #expect(Set(listed) == Set((1...510).map(Self.uuid)))
            }
            #expect(try await state() == before)
            #expect(try await present(sample) == Array(repeating: true, count: 7))
            let invalid = try await delete("?dry_run=maybe")
            #expect(invalid.status == .badRequest)
            #expect(invalid.text.contains("Unable to parse `dry_run'"))
            #expect(try await state() == before)
            // An empty filter is refused as by the real call.
            let empty = try await client.request(
                .delete, "/v1/resource/generic?dry_run=true", headers: Self.foobar, body: "{}")
            #expect(empty.status == .badRequest)

            let real = try await delete("?dry_run=false")
            #expect(real.text == #"{"deleted": 510}"#)
            #expect(try await state().metrics == 0)
            #expect(try await present(sample) == [false, false, false, false, false, true, true])
        }
    }

    @Test func batchDeleteDryRunKeepsTheCallersPermissions() async throws {
        var configuration = APIConfiguration.testing
        configuration.authMode = .keystone
        try await APITestServer.runWithStores(configuration) { client in
            func keystone(_ user: String, _ project: String) -> [String: String] {
                SearchPolicyAndDeleteTests.keystone(user: user, project: project)
            }
            for (index, project) in [(1, "A"), (2, "B")] {
                let created = try await client.request(
                    .post, "/v1/resource/generic", headers: keystone("u" + project, project),
                    body: #"{"id": "\#(Self.uuid(index))", "project_id": "\#(project)"}"#)
                #expect(created.status == .created, "\(created.text)")
            }
            // Project A's member may delete what A created: one of the two.
            let dryRun = try await client.request(
                .delete, "/v1/resource/generic?dry_run=true", headers: keystone("uA", "A"),
                body: #"{"in": {"project_id": ["A", "B"]}}"#)
            #expect(dryRun.status == .ok, "\(dryRun.text)")
            #expect(try Self.object(dryRun)["resources"] as? [String] == [Self.uuid(1)])
            let real = try await client.request(
                .delete, "/v1/resource/generic", headers: keystone("uA", "A"),
                body: #"{"in": {"project_id": ["A", "B"]}}"#)
            #expect(real.text == #"{"deleted": 1}"#)
            // Deleting a resource type is for admins, dry run or not.
            _ = try await client.request(
                .post, "/v1/resource_type",
                headers: SearchPolicyAndDeleteTests.keystone(user: "r", project: "A", roles: "admin"),
                body: #"{"name": "box"}"#)
            for query in ["", "?dry_run=true"] {
                let refused = try await client.request(
                    .delete, "/v1/resource_type/box" + query, headers: keystone("uA", "A"))
                #expect(refused.status == .forbidden)
                let policy = try await client.request(
                    .delete, "/v1/archive_policy/low" + query, headers: keystone("uA", "A"))
                #expect(policy.status == .forbidden)
            }
        }
    }

    @Test func resourceTypeDryRun() async throws {
        try await APITestServer.runWithStores { client in
            for name in ["empty", "used"] {
                let created = try await client.request(
                    .post, "/v1/resource_type", headers: Self.admin, body: #"{"name": "\#(name)"}"#)
                #expect(created.status == .created)
            }
            let resource = try await client.request(
                .post, "/v1/resource/used", headers: Self.admin, body: #"{"id": "\#(Self.uuid(1))"}"#)
            #expect(resource.status == .created)

            for name in ["used", "generic"] {
                let dryRun = try await client.request(
                    .delete, "/v1/resource_type/\(name)?dry_run=yes", headers: Self.admin)
                let real = try await client.request(.delete, "/v1/resource_type/\(name)", headers: Self.admin)
                #expect(dryRun.status == .badRequest)
                #expect(dryRun.status == real.status && dryRun.text == real.text)
            }
            let missing = try await client.request(
                .delete, "/v1/resource_type/nope?dry_run=true", headers: Self.admin)
            #expect(missing.status == .notFound)
            let dryRun = try await client.request(
                .delete, "/v1/resource_type/empty?dry_run=true", headers: Self.admin)
            #expect(dryRun.status == .ok)
            #expect(dryRun.text == #"{"dry_run": true, "deleted": 1, "resource_type": "empty"}"#)
            let still = try await client.request(.get, "/v1/resource_type/empty", headers: Self.admin)
            #expect(still.status == .ok)
            let invalid = try await client.request(
                .delete, "/v1/resource_type/empty?dry_run=", headers: Self.admin)
            #expect(invalid.status == .badRequest)
            let real = try await client.request(.delete, "/v1/resource_type/empty", headers: Self.admin)
            #expect(real.status == .noContent)
        }
    }

    @Test func archivePolicyDryRun() async throws {
        // No metricd: the deleted metric stays unpurged, so still uses its policy.
        try await APITestServer.run(workers: 0) { client in
            for name in ["free", "by-metric", "by-rule", "by-deleted"] {
                let created = try await client.request(
                    .post, "/v1/archive_policy", headers: Self.admin,
                    body: #"{"name": "\#(name)", "definition": [{"granularity": "1s", "points": 10}]}"#)
                #expect(created.status == .created)
            }
            _ = try await client.request(
                .post, "/v1/metric", headers: Self.admin, body: #"{"archive_policy_name": "by-metric"}"#)
            _ = try await client.request(
                .post, "/v1/archive_policy_rule", headers: Self.admin,
                body: #"{"name": "r", "metric_pattern": "x.*", "archive_policy_name": "by-rule"}"#)
            let doomed = try await client.request(
                .post, "/v1/metric", headers: Self.admin, body: #"{"archive_policy_name": "by-deleted"}"#)
            let doomedID = try #require(try Self.object(doomed)["id"] as? String)
            let deleted = try await client.request(.delete, "/v1/metric/\(doomedID)", headers: Self.admin)
            #expect(deleted.status == .noContent)

            // In use (a metric, a rule, a deleted metric not yet purged), or missing: the
            // dry run answers as the deletion does.
            for name in ["by-metric", "by-rule", "by-deleted", "missing"] {
                let dryRun = try await client.request(
                    .delete, "/v1/archive_policy/\(name)?dry_run=1", headers: Self.admin)
                let real = try await client.request(
                    .delete, "/v1/archive_policy/\(name)", headers: Self.admin)
                #expect(dryRun.status == (name == "missing" ? .notFound : .badRequest))
                #expect(dryRun.status == real.status && dryRun.text == real.text, "\(name)")
            }
            let dryRun = try await client.request(
                .delete, "/v1/archive_policy/free?dry_run=true", headers: Self.admin)
            #expect(dryRun.text == #"{"dry_run": true, "deleted": 1, "archive_policy": "free"}"#)
            let forbidden = try await client.request(
                .delete, "/v1/archive_policy/free?dry_run=true", headers: Self.foobar)
            #expect(forbidden.status == .forbidden)
            let still = try await client.request(.get, "/v1/archive_policy/free", headers: Self.admin)
            #expect(still.status == .ok)
            let real = try await client.request(.delete, "/v1/archive_policy/free", headers: Self.admin)
            #expect(real.status == .noContent)
        }
    }
}
