import Foundation
import RondoneStorage
import RondoneTimeSeries
import Testing

/// Faults really injected into the file aggregate store.
@Suite struct AggregateFaultTests {
    let metric = MetricID(high: 1, low: 2)
    let key = SplitAddress(
        aggregation: "mean", granularity: TimeDelta(nanoseconds: 60_000_000_000),
        key: Timestamp(nanoseconds: 0))

    @Test(arguments: [(FaultInjector.Operation.write, ENOSPC), (.sync, EIO)])
    func failedPutKeepsTheOldBlob(_ operation: FaultInjector.Operation, _ code: Int32) async throws {
        let directory = TestDirectory("agg-inject")
        defer { directory.remove() }
        let faults = FaultInjector()
        var options = FileAggregateStore.Options()
        options.faults = faults
        do {
            let store = try FileAggregateStore(directory: directory.path, options: options)
            defer { store.close() }
            try await store.putSplit([1, 2, 3], key, for: metric)
            try await store.putBuffer([4], for: metric)
            faults.fail(operation, errno: code)
            await #expect(throws: StorageError.self) {
                try await store.putSplit([9, 9, 9, 9], key, for: metric)
            }
            #expect(try await store.split(key, of: metric) == [1, 2, 3])
            #expect(try await store.buffer(of: metric) == [4])
            // The failed segment is retired: the next commit needs a new one.
            faults.fail(.create, errno: ENOSPC)
            await #expect(throws: StorageError.self) { try await store.putSplit([8], key, for: metric) }
            #expect(try await store.split(key, of: metric) == [1, 2, 3])
            try await store.putSplit([5], key, for: metric)  // works again once the fault is gone
            #expect(try await store.split(key, of: metric) == [5])
        }
        let reopened = try FileAggregateStore(directory: directory.path)
        defer { reopened.close() }
        #expect(try await reopened.split(key, of: metric) == [5])
        #expect(try await reopened.buffer(of: metric) == [4])
    }

    @Test(.enabled(if: Tmpfs.available, "needs root and tmpfs"))
    func fullDiskFailsThePutAndKeepsTheOldBlob() async throws {
        try await Tmpfs.withMount(size: "64k") { path in
            let store = try FileAggregateStore(directory: path + "/aggregate")
            defer { store.close() }
            try await store.putSplit([UInt8](repeating: 7, count: 1000), key, for: metric)
            do {
                try await store.putSplit([UInt8](repeating: 8, count: 200_000), key, for: metric)
                Issue.record("a 200 kB put fitted in 64 kB")
            } catch let error as StorageError {
                guard case .diskFull = error else {
                    Issue.record("expected diskFull, got \(error)")
                    return
                }
            }
            #expect(try await store.split(key, of: metric) == [UInt8](repeating: 7, count: 1000))
        }
    }

    /// Checksums of blobs belong to the engine's codec: a blob damaged after open is
    /// handed back as stored. A pack whose own header is damaged is handed back whole
    /// for every method (so the codec reports it), never read as "no such split".
    @Test func damagedBlobsAreReturnedAsStored() async throws {
        let directory = TestDirectory("agg-damage")
        defer { directory.remove() }
        let store = try FileAggregateStore(directory: directory.path)
        defer { store.close() }
        let max = SplitAddress(aggregation: "max", granularity: key.granularity, key: key.key)
        try await store.commit([
            MetricChanges(metric: metric, splits: [key: [1, 2, 3, 4], max: [5, 6]])
        ])
        let file = try #require(directory.files(endingWith: ".agl").last)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        let pack = Data(SplitPack(records: ["max": [5, 6], "mean": [1, 2, 3, 4]]).encode())
        let start = try #require(bytes.range(of: pack)?.lowerBound)
        bytes[start + pack.count - 3] ^= 0xFF
        try patch(file, bytes)
        #expect(try await store.split(key, of: metric) == [1, 0xFD, 3, 4])
        #expect(try await store.split(max, of: metric) == [5, 6])
        bytes[start + 9] ^= 0x01  // the first method code: the header checksum catches it
        try patch(file, bytes)
        let damaged = [UInt8](bytes[start..<start + pack.count])
        #expect(try await store.split(key, of: metric) == damaged)
        #expect(try await store.split(max, of: metric) == damaged)
        // A write replaces a damaged pack with what it puts.
        try await store.putSplit([7], key, for: metric)
        #expect(try await store.split(key, of: metric) == [7])
        #expect(try await store.split(max, of: metric) == nil)
    }

    /// A batched commit that fails part-way is not applied at all (its records are
    /// never followed by their commit record), and the retry applies everything.
    @Test(arguments: [FaultInjector.Operation.write, .sync])
    func failedBatchedCommitChangesNothing(_ operation: FaultInjector.Operation) async throws {
        let directory = TestDirectory("agg-batch")
        defer { directory.remove() }
        let faults = FaultInjector()
        var options = FileAggregateStore.Options()
        options.faults = faults
        let store = try FileAggregateStore(directory: directory.path, options: options)
        defer { store.close() }
        let metrics = (0..<10).map { MetricID(high: 5, low: UInt64($0)) }
        let addresses = ["mean", "max", "min", "sum"].flatMap { method in
            [0, 3600].map {
                SplitAddress(
                    aggregation: method, granularity: TimeDelta(nanoseconds: 60_000_000_000),
                    key: Timestamp(nanoseconds: Int64($0) * 1_000_000_000))
            }
        }
        func changes(_ version: UInt8) -> [MetricChanges] {
            metrics.map { metric in
                MetricChanges(
                    metric: metric,
                    splits: Dictionary(uniqueKeysWithValues: addresses.map { ($0, [version, 1]) }),
                    buffer: [version])
            }
        }
        try await store.commit(changes(1))
        faults.fail(operation, errno: EIO)
        await #expect(throws: StorageError.self) { try await store.commit(changes(2)) }
        faults.clear()
        for metric in metrics {
            #expect(try await store.splits(addresses, of: metric).allSatisfy { $0 == [1, 1] })
            #expect(try await store.buffer(of: metric) == [1])
        }
        try await store.commit(changes(2))
        for metric in metrics {
            #expect(try await store.splits(addresses, of: metric).allSatisfy { $0 == [2, 1] })
            #expect(try await store.buffer(of: metric) == [2])
        }
    }

    /// Rewrites `file` in place (same inode: the open store reads through its descriptor).
    func patch(_ file: String, _ bytes: Data) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: file))
        defer { try? handle.close() }
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: bytes)
    }
}
