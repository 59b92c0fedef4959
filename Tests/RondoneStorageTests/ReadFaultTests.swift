import Foundation
import RondoneStorage
import RondoneTimeSeries
import Testing

/// A file that cannot be read (EIO) and a compaction that cannot write: the call fails
/// naming the file, nothing is served that was not read, nothing stored is damaged, and
/// the same call succeeds once the fault is gone.
@Suite struct ReadFaultTests {
    let metric = MetricID(high: 7, low: 9)
    let key = SplitAddress(
        aggregation: "mean", granularity: TimeDelta(nanoseconds: 60_000_000_000),
        key: Timestamp(nanoseconds: 0))

    @Test func unreadableAggregateLogNamesTheSegment() async throws {
        let directory = TestDirectory("agg-eio")
        defer { directory.remove() }
        let faults = FaultInjector()
        var options = FileAggregateStore.Options()
        options.faults = faults
        let store = try FileAggregateStore(directory: directory.path, options: options)
        defer { store.close() }
        try await store.putSplit([1, 2, 3], key, for: metric)
        let segment = try #require(directory.files(endingWith: ".agl").last)
        faults.fail(.read, errno: EIO)
        await #expect(throws: StorageError.io(operation: "read", path: segment, errno: EIO)) {
            try await store.split(key, of: metric)
        }
        faults.fail(.read, errno: EIO)
        await #expect(throws: StorageError.io(operation: "read", path: segment, errno: EIO)) {
            try await store.splits(in: [
                SplitRange(
                    metric: metric, aggregation: "mean", granularity: key.granularity, first: nil, last: nil)
            ])
        }
        #expect(try await store.split(key, of: metric) == [1, 2, 3])
    }

    @Test func unreadableIncomingSegmentNamesItAndKeepsTheMeasures() async throws {
        let directory = TestDirectory("incoming-eio")
        defer { directory.remove() }
        let faults = FaultInjector()
        var options = FileIncomingStore.Options(sacks: 1)
        options.faults = faults
        let store = try FileIncomingStore(directory: directory.path, options: options)
        defer { store.close() }
        let batch = IncomingBatch(metric: metric, timestamps: [1, 2, 3], values: [1, 2, 3])
        try await store.add(batch)
        faults.fail(.read, errno: EIO)
        do {
            _ = try await store.claim(sack: 0)
            Issue.record("a claim over an unreadable segment returned measures")
        } catch let error as StorageError {
            guard case .io("read", let path, EIO) = error else {
                Issue.record("expected an EIO read error naming the segment, got \(error)")
                return
            }
            #expect(path.hasPrefix(directory.path + "/incoming1-0/") && path.hasSuffix(".log"))
        }
        // The failed claim was dropped: the measures are all still there.
        let claim = try await store.claim(sack: 0)
        #expect(claim.measures[metric] == batch)
        try await store.complete(claim)
    }

    /// Compaction runs after a commit that is already durable: a full disk during it
    /// changes nothing (the old segment stays) and the commit still succeeds.
    @Test func aFailedCompactionIsHarmless() async throws {
        let directory = TestDirectory("agg-compaction-full")
        defer { directory.remove() }
        let faults = FaultInjector()
        var options = FileAggregateStore.Options()
        options.faults = faults
        options.compactionMinimumDeadBytes = 0
        options.segmentBytes = 4096
        do {
            let store = try FileAggregateStore(directory: directory.path, options: options)
            defer { store.close() }
            for round in 0..<20 {
                try await store.putSplit([UInt8](repeating: UInt8(round), count: 1000), key, for: metric)
            }
            let before = directory.files(endingWith: ".agl")
            // Every write after the commit's own fails: the compaction that follows it.
            faults.fail(.write, errno: ENOSPC, times: 1000, after: 1)
            try await store.putSplit([UInt8](repeating: 99, count: 1000), key, for: metric)
            #expect(try await store.split(key, of: metric) == [UInt8](repeating: 99, count: 1000))
            // The segments the failed compaction was copying are all still there.
            #expect(Set(before).isSubset(of: Set(directory.files(endingWith: ".agl"))))
            faults.clear()
            try await store.putSplit([UInt8](repeating: 100, count: 1000), key, for: metric)
        }
        let reopened = try FileAggregateStore(directory: directory.path)
        defer { reopened.close() }
        #expect(try await reopened.split(key, of: metric) == [UInt8](repeating: 100, count: 1000))
    }
}
