import Foundation
import RondoneIndexer
import RondoneIndexerSQLite
import RondoneTimeSeries
import Testing

/// `SQLiteIndexer` as an import target (`rondone backup` of a deployment writes a data
/// directory's index this way): resources keep their history and revision numbers,
/// metrics their creator and links, and a second import changes nothing.
@Suite struct SQLiteIndexerImportTests {
    static let type = ResourceType(
        name: "host",
        attributes: [
            ResourceTypeAttribute(name: "name", kind: .string(minLength: 0, maxLength: 255), required: true),
            ResourceTypeAttribute(name: "cpus", kind: .number(min: 0, max: nil), required: false),
        ])

    static func makeIndexer(_ directory: URL, _ name: String) async throws -> SQLiteIndexer {
        let indexer = try SQLiteIndexer(path: directory.appendingPathComponent(name).path)
        try await indexer.upgrade(createDefaultPolicies: true)
        return indexer
    }

    @Test func resourcesWithHistoryAndMetricsRoundTrip() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "rondone-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try await Self.makeIndexer(directory, "source.sqlite")
        let target = try await Self.makeIndexer(directory, "target.sqlite")
        _ = try await source.createResourceType(Self.type)
        _ = try await target.createResourceType(Self.type)

        // Revisions of two resources interleaved, so their numbers are not 1, 2, 3 per
        // resource; a standalone metric and an attached one.
        let first = ResourceID(high: 1, low: 1)
        let second = ResourceID(high: 2, low: 2)
        let attached = MetricID(high: 3, low: 3)
        let standalone = MetricID(high: 4, low: 4)
        for id in [first, second] {
            _ = try await source.createResource(
                ResourceCreation(
                    id: id, type: "host", originalResourceID: "r\(id.high)", creator: "u:p",
                    metrics: id == first
                        ? [("cpu", .new(id: attached, archivePolicyName: "low", unit: "%"))] : [],
                    attributes: ["name": .string("a")]))
        }
        for round in 1...3 {
            for id in [first, second] {
                var change = ResourceUpdate()
                change.attributes = ["name": .string("v\(round)"), "cpus": .number(Double(round))]
                _ = try await source.updateResource(id, type: "host", change)
            }
        }
        _ = try await source.createMetric(
            MetricCreation(id: standalone, creator: "x:y", archivePolicyName: "medium", name: "alone"))

        let history = try await source.resources(ResourceQuery(type: "host", history: true, details: true))
        #expect(history.count == 8)
        let grouped = Dictionary(grouping: history, by: \.id).values.map { $0 }
        let inserted = try await target.importResources(grouped)
        #expect(inserted == [first, second])
        let metrics = try await source.metrics(MetricQuery())
        #expect(try await target.importMetrics(metrics, truncating: [standalone]) == 2)
        try await target.finishImport()

        let copied = try await target.resources(ResourceQuery(type: "host", history: true, details: true))
        #expect(copied == history)
        #expect(try await target.metrics(MetricQuery()) == metrics)
        #expect(try await target.metricsNeedingRawDataTruncation(limit: 10) == [standalone])

        // Again: nothing new.
        #expect(try await target.importResources(grouped).isEmpty)
        #expect(try await target.importMetrics(metrics, truncating: []) == 0)

        // The next revision made in the target comes after every imported one.
        var change = ResourceUpdate()
        change.attributes = ["name": .string("later")]
        _ = try await target.updateResource(first, type: "host", change)
        let largest = history.map(\.revision).max()!
        let revisions = try await target.resources(ResourceQuery(type: "host", history: true)).map(\.revision)
        #expect(revisions.contains { $0 > largest })

        // Checkpoints: saved, read back, forgotten.
        #expect(try await target.importCheckpoint("a") == nil)
        try await target.saveImportCheckpoint("a", value: "1")
        try await target.saveImportCheckpoint("a", value: "2")
        #expect(try await target.importCheckpoint("a") == "2")
        try await target.saveImportCheckpoint("a", value: nil)
        #expect(try await target.importCheckpoint("a") == nil)
    }
}
