import Foundation
import Testing

@testable import RondoneTimeSeries

/// The processing step against Gnocchi 4.7's own `execute_data_processing` on an
/// in-memory WRITE_FULL driver: `Fixtures/processing-e2e.json`, written by
/// `scripts/vectors/archive_policy_vectors.py e2e` (nine shuffled batches with
/// in-batch duplicates, repeats of the previous batch and too-old points).
@Suite struct MetricProcessingTests {
    struct Vectors: Decodable {
        struct Points: Decodable {
            var timestamps: [Int64]
            var values: [Double]
        }
        struct Item: Decodable {
            var granularity: Double
            var points: Int?
            var timespan: Double?
        }
        struct Split: Decodable {
            var method: String
            var granularity: Int64
            var key: Int64
            var timestamps: [Int64]
            var values: [Double]
        }
        struct Policy: Decodable {
            var name: String
            var back_window: Int
            var methods: [String]
            var definition: [Item]
            var buffers: [Points]
            var splits: [Split]
        }
        var batches: [Points]
        var policies: [Policy]
    }

    static func load() throws -> Vectors {
        let url = try #require(
            Bundle.module.url(forResource: "Fixtures/processing-e2e", withExtension: "json"))
        return try JSONDecoder().decode(Vectors.self, from: Data(contentsOf: url))
    }

    /// A stand-in for the aggregate store: what the storage layer will do with a
    /// ``MetricUpdate`` (delete pruned keys, then merge-and-write each split).
    struct Store {
        var splits: [PolicyAggregation: [SplitKey: Series]] = [:]

        mutating func apply(_ update: MetricUpdate) {
            let existing = splits.mapValues { Array($0.keys) }
            for ref in update.splitsToDelete(existingKeys: existing) {
                splits[ref.aggregation]?[ref.key] = nil
            }
            for write in update.splitsToWrite {
                let stored = splits[write.aggregation]?[write.key] ?? Series()
                splits[write.aggregation, default: [:]][write.key] = stored.merging(newer: write.points)
            }
        }
    }

    @Test func matchesGnocchiOverSeveralBatches() throws {
        let vectors = try Self.load()
        #expect(vectors.policies.count == 3)
        for spec in vectors.policies {
            let policy = try ArchivePolicy(
                name: spec.name, backWindow: spec.back_window,
                definition: try spec.definition.map {
                    try ArchivePolicyItem(
                        granularitySeconds: $0.granularity, points: $0.points, timespanSeconds: $0.timespan)
                },
                aggregationMethods: spec.methods)
            var buffer: Series?
            var store = Store()
            for (batch, expectedBuffer) in zip(vectors.batches, spec.buffers) {
                let update = policy.process(
                    buffer: buffer, batch: MeasureBatch(timestamps: batch.timestamps, values: batch.values))
                store.apply(update)
                buffer = update.buffer
                #expect(update.buffer.timestamps == expectedBuffer.timestamps, "policy \(spec.name)")
                #expect(update.buffer.values == expectedBuffer.values, "policy \(spec.name)")
            }
            var actual: [(String, Int64, Int64, Series)] = []
            for (aggregation, splits) in store.splits {
                for (key, points) in splits {
                    actual.append(
                        (
                            aggregation.aggregation.name, aggregation.granularity.nanoseconds,
                            key.timestamp.nanoseconds, points
                        ))
                }
            }
            actual.sort { ($0.1, $0.0, $0.2) < ($1.1, $1.0, $1.2) }
            let expected = spec.splits.sorted {
                ($0.granularity, $0.method, $0.key) < ($1.granularity, $1.method, $1.key)
            }
            #expect(
                actual.map { "\($0.0)@\($0.1)/\($0.2)" }
                    == expected.map { "\($0.method)@\($0.granularity)/\($0.key)" })
            for (got, want) in zip(actual, expected) {
                #expect(got.3.timestamps == want.timestamps, "\(want.method)@\(want.granularity)/\(want.key)")
                // Aggregation arithmetic is another test's concern (and may differ in
                // the last bit for quantiles); here the point is which points exist.
                let close = zip(got.3.values, want.values).allSatisfy {
                    abs($0 - $1) <= 1e-9 * max(1, abs($1))
                }
                #expect(
                    close && got.3.values.count == want.values.count,
                    "\(want.method)@\(want.granularity)/\(want.key)")
            }
        }
    }

    @Test func oldSplitsArePrunedOnlyWhenTheFirstBlockChangesSplit() throws {
        // 1 s kept for 2 h (splits of 1 h), block 1 s, back window 0.
        let policy = try ArchivePolicy(
            name: "p", definition: [try ArchivePolicyItem(granularity: .seconds(1), points: 7200)],
            aggregationMethods: ["last"])
        let hour: Int64 = 3_600_000_000_000
        let t0: Int64 = 1_704_067_200_000_000_000
        let first = policy.process(buffer: nil, batch: MeasureBatch(timestamps: [t0 + 10], values: [1]))
        #expect(first.splitsToPrune.isEmpty)  // no previous buffer
        #expect(first.splitsToWrite.map(\.key.timestamp.nanoseconds) == [t0])
        // Same split: no pruning even far in time within the hour.
        let second = policy.process(
            buffer: first.buffer, batch: MeasureBatch(timestamps: [t0 + hour / 2], values: [2]))
        #expect(second.splitsToPrune.isEmpty)
        // Three hours later: the first block moved to another split; everything
        // before the split of (last − 2 h) goes.
        let third = policy.process(
            buffer: second.buffer, batch: MeasureBatch(timestamps: [t0 + 3 * hour + 5], values: [3]))
        let prune = try #require(third.splitsToPrune.first)
        #expect(prune.oldestKeyToKeep.timestamp.nanoseconds == t0 + hour)
        let existing = [t0, t0 + hour, t0 + 3 * hour].map {
            SplitKey(timestamp: Timestamp(nanoseconds: $0), granularity: .seconds(1))
        }
        #expect(prune.keysToDelete(from: existing.reversed()) == [existing[0]])
        #expect(third.splitsToWrite.map(\.points.values) == [[3]])
    }

    @Test func anEmptyBatchChangesNothing() throws {
        let policy = ArchivePolicy.defaultPolicies[1]
        let buffer = Series(timestamps: [1_000_000_000], values: [4])
        let update = policy.process(buffer: buffer, batch: MeasureBatch(timestamps: [], values: []))
        #expect(update == MetricUpdate(buffer: buffer, splitsToWrite: [], splitsToPrune: []))
    }
}
