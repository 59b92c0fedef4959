import Foundation
import RondoneIndexer
import RondoneIndexerSQLite
import Testing

/// The shared driver contract, run against the SQLite driver on a temporary file each.
@Suite struct SQLiteIndexerTests {
    static let contract = IndexerContract(
        makeIndexer: {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "rondone-index-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let indexer = try SQLiteIndexer(path: directory.appendingPathComponent("index.sqlite").path)
            try await indexer.upgrade(createDefaultPolicies: false)
            return indexer
        },
        dispose: { indexer in
            guard let indexer = indexer as? SQLiteIndexer else { return }
            try? FileManager.default.removeItem(
                at: URL(fileURLWithPath: indexer.path).deletingLastPathComponent())
        })

    @Test(arguments: IndexerContract.Check.allCases)
    func contract(_ check: IndexerContract.Check) async throws {
        try await Self.contract.run(check)
    }
}
