import Foundation
import RondoneStorage
import RondoneTesting

/// Storage-specific draws from the seeded generator.
extension SplitMix64 {
    mutating func metric() -> MetricID {
        MetricID(high: next(), low: next())
    }
}

/// A fresh empty directory for one test, removed by `remove()`.
struct TestDirectory {
    let path: String

    init(_ label: String = "storage") {
        let base = FileManager.default.temporaryDirectory.path + "/rondone-storage-tests"
        path = base + "/\(label)-\(getpid())-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        Self.remove(path)
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Every file under `path` whose name ends with `suffix`, sorted.
    func files(endingWith suffix: String) -> [String] {
        let names = FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String } ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted().map { path + "/" + $0 }
    }
}

/// A batch of `count` measures for `metric` starting at `first` ns, values derived from it.
func makeBatch(_ metric: MetricID, first: Int64, count: Int, step: Int64 = 1_000_000_000) -> IncomingBatch {
    IncomingBatch(
        metric: metric, timestamps: (0..<Int64(count)).map { first + $0 * step },
        values: (0..<count).map { Double(first) + Double($0) * 0.5 })
}

/// Concatenates batches of one metric in order, as a claim returns them.
func concatenated(_ batches: [IncomingBatch]) -> IncomingBatch? {
    guard let first = batches.first else { return nil }
    return IncomingBatch(
        metric: first.metric, timestamps: batches.flatMap(\.timestamps), values: batches.flatMap(\.values))
}

/// Claims and completes every sack, returning what the claims held.
func drainAll(_ store: any IncomingStore) async throws -> [MetricID: IncomingBatch] {
    var all: [MetricID: IncomingBatch] = [:]
    for sack in 0..<store.sackCount {
        let claim = try await store.claim(sack: sack)
        for (metric, batch) in claim.measures { all[metric] = batch }
        try await store.complete(claim)
    }
    return all
}
