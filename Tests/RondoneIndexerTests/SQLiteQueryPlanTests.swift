import Foundation
import RondoneIndexer
import RondoneIndexerSQLite
import RondoneTimeSeries
import Testing

/// Every search the API makes often is served by an index: `EXPLAIN QUERY PLAN` of its
/// SQL has no full `SCAN` of `resource`, `resource_history` or a type table (a scan of
/// an already-filtered subquery is fine).
@Suite struct SQLiteQueryPlanTests {
    static let instance = ResourceType(
        name: "instance",
        attributes: [
            ResourceTypeAttribute(name: "host", kind: .string(minLength: 0, maxLength: 255), required: true),
            ResourceTypeAttribute(name: "flavor", kind: .number(min: nil, max: nil), required: false),
        ])
    static let id = ResourceID(high: 0x1234_5678_9abc_def0, low: 42)
    static let time = Timestamp(nanoseconds: 1_500_000_000_000_000_000)

    static let searches: [(String, ResourceQuery)] = [
        ("id", ResourceQuery(filter: .compare(attribute: "id", .eq, .uuid(id.description)))),
        ("project", ResourceQuery(filter: .compare(attribute: "project_id", .eq, .string("p")), limit: 100)),
        ("policy", ResourceQuery(filter: .visibleTo(project: "p"), limit: 100)),
        (
            "policy and id",
            ResourceQuery(
                filter: .and([
                    .visibleTo(project: "p"), .compare(attribute: "id", .eq, .uuid(id.description)),
                ]))
        ),
        (
            "custom attribute",
            ResourceQuery(type: "instance", filter: .compare(attribute: "host", .eq, .string("h")))
        ),
        (
            "custom attribute, policy",
            ResourceQuery(
                type: "instance",
                filter: .and([.visibleTo(project: "p"), .compare(attribute: "flavor", .eq, .number(2))]),
                limit: 10)
        ),
        (
            "history revision_start",
            ResourceQuery(history: true, filter: .compare(attribute: "revision_start", .ge, .datetime(time)))
        ),
        (
            "history id",
            ResourceQuery(
                type: "instance", history: true,
                filter: .compare(attribute: "id", .eq, .uuid(id.description)),
                sorts: [ResourceSort(.revision)])
        ),
        (
            "started_at with limit",
            ResourceQuery(filter: .compare(attribute: "started_at", .ge, .datetime(time)), limit: 10)
        ),
        (
            "created_by_user_id",
            ResourceQuery(filter: .compare(attribute: "created_by_user_id", .eq, .string("u")), limit: 10)
        ),
        (
            "like prefix",
            ResourceQuery(
                type: "instance", filter: .like(attribute: "host", pattern: "web%", caseInsensitive: false))
        ),
        ("marker", ResourceQuery(limit: 10, marker: id.description)),
    ]

    @Test(arguments: searches.map(\.0))
    func indexed(_ name: String) async throws {
        let query = Self.searches.first { $0.0 == name }!.1
        let indexer = try await SQLiteIndexerTests.contract.makeIndexer() as! SQLiteIndexer
        defer {
            try? FileManager.default.removeItem(
                at: URL(fileURLWithPath: indexer.path).deletingLastPathComponent())
        }
        _ = try await indexer.createResourceType(Self.instance)
        _ = try await indexer.createResource(
            ResourceCreation(
                id: Self.id, type: "instance", originalResourceID: "x", creator: "u:p",
                attributes: ["host": .string("h")]))
        let plan = try await indexer.explainResources(query)
        let scans = plan.filter {
            $0.hasPrefix("SCAN ") && !$0.contains("subquery") && !$0.contains("CONSTANT ROW")
        }
        #expect(scans.isEmpty, "\(name): \(plan)")
    }
}
