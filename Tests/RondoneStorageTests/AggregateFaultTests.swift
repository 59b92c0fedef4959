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

    @Test(arguments: [
        (FaultInjector.Operation.write, ENOSPC), (.sync, EIO), (.rename, EIO), (.create, ENOSPC),
    ])
    func failedPutKeepsTheOldBlob(_ operation: FaultInjector.Operation, _ code: Int32) async throws {
        let directory = TestDirectory("agg-inject")
        defer { directory.remove() }
        let faults = FaultInjector()
        var options = FileAggregateStore.Options()
        options.faults = faults
        let store = try FileAggregateStore(directory: directory.path, options: options)
        defer { store.close() }
        try await store.putSplit([1, 2, 3], key, for: metric)
        try await store.putBuffer([4], for: metric)
        faults.fail(operation, errno: code)
        await #expect(throws: StorageError.self) { try await store.putSplit([9, 9, 9, 9], key, for: metric) }
        #expect(try await store.split(key, of: metric) == [1, 2, 3])
        #expect(try await store.buffer(of: metric) == [4])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/tmp").isEmpty)
        try await store.putSplit([5], key, for: metric)  // works again once the fault is gone
        #expect(try await store.split(key, of: metric) == [5])
    }

    @Test(.enabled(if: Tmpfs.available, "needs root and tmpfs"))
    func fullDiskFailsThePutAndKeepsTheOldBlob() async throws {
        try await Tmpfs.withMount(size: "64k") { path in
            let store = try FileAggregateStore(directory: path + "/aggregate")
            defer { store.close() }
            try await store.putSplit([UInt8](repeating: 7, count: 1000), key, for: metric)
            await #expect(throws: StorageError.self) {
                try await store.putSplit([UInt8](repeating: 8, count: 200_000), key, for: metric)
            }
            do {
                try await store.putSplit([UInt8](repeating: 8, count: 200_000), key, for: metric)
            } catch let error as StorageError {
                guard case .diskFull = error else { Issue.record("expected diskFull, got \(error)"); return }
            }
            #expect(try await store.split(key, of: metric) == [UInt8](repeating: 7, count: 1000))
            #expect(try FileManager.default.contentsOfDirectory(atPath: path + "/aggregate/tmp").isEmpty)
        }
    }

    /// Checksums of blobs belong to the engine's codec: a damaged blob is handed back
    /// as stored. A pack whose own header is damaged is handed back whole for every
    /// method (so the codec reports it), never read as "no such split".
    @Test func damagedBlobsAreReturnedAsStored() async throws {
        let directory = TestDirectory("agg-damage")
        defer { directory.remove() }
        let store = try FileAggregateStore(directory: directory.path)
        defer { store.close() }
        let max = SplitAddress(aggregation: "max", granularity: key.granularity, key: key.key)
        try await store.putSplit([1, 2, 3, 4], key, for: metric)
        try await store.putSplit([5, 6], max, for: metric)
        let file = directory.path + "/metrics/\(metric)/60000000000_0"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        #expect(bytes.suffix(6) == Data([5, 6, 1, 2, 3, 4]))  // blobs in name order: max, mean
        bytes[bytes.count - 3] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: file))
        #expect(try await store.split(key, of: metric) == [1, 0xFD, 3, 4])
        #expect(try await store.split(max, of: metric) == [5, 6])
        bytes[14] ^= 0x01  // a name length: the header checksum catches it
        try bytes.write(to: URL(fileURLWithPath: file))
        #expect(try await store.split(key, of: metric) == [UInt8](bytes))
        #expect(try await store.split(max, of: metric) == [UInt8](bytes))
        try Data([1, 2]).write(to: URL(fileURLWithPath: file))
        #expect(try await store.split(key, of: metric) == [1, 2])
        #expect(
            try await store.splitKeys(of: metric, aggregation: "sum", granularity: key.granularity) == [
                key.key
            ])
        // A write replaces a damaged pack with what it puts.
        try await store.putSplit([7], key, for: metric)
        #expect(try await store.split(key, of: metric) == [7])
        #expect(try await store.split(max, of: metric) == nil)
    }

    @Test func strayTempFilesAndDeletionsAreCleanedOnOpen() async throws {
        let directory = TestDirectory("agg-reopen")
        defer { directory.remove() }
        do {
            let store = try FileAggregateStore(directory: directory.path)
            try await store.putBuffer([1], for: metric)
            store.close()
        }
        // What a crash leaves: a half-written temp file and a deleted metric not yet purged.
        try Data([0xAA]).write(to: URL(fileURLWithPath: directory.path + "/tmp/17"))
        try FileManager.default.moveItem(
            atPath: directory.path + "/metrics/\(metric)", toPath: directory.path + "/deleted/\(metric).0-1")
        let store = try FileAggregateStore(directory: directory.path)
        defer { store.close() }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/tmp").isEmpty)
        var waited = 0
        while try await store.pendingDeletions() > 0 && waited < 500 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        #expect(try await store.pendingDeletions() == 0)
        #expect(try await store.buffer(of: metric) == nil)
    }

    /// A batched commit that fails part-way: every blob is whole (old or new), no
    /// buffer is new while a split change of the commit is not applied, and the retry
    /// applies everything.
    @Test(arguments: [
        (FaultInjector.Operation.write, 15), (.sync, 0), (.sync, 1), (.sync, 2), (.rename, 5), (.rename, 25),
        (.create, 3),
    ])
    func failedBatchedCommitKeepsBuffersBehindSplits(_ operation: FaultInjector.Operation, _ after: Int)
        async throws
    {
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
        faults.fail(operation, errno: EIO, after: after)
        await #expect(throws: StorageError.self) { try await store.commit(changes(2)) }
        faults.clear()
        for metric in metrics {
            let splits = try await store.splits(addresses, of: metric)
            #expect(splits.allSatisfy { $0 == [1, 1] || $0 == [2, 1] })
            if try await store.buffer(of: metric) == [2] {
                #expect(splits.allSatisfy { $0 == [2, 1] }, "a new buffer with an old split")
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/tmp").isEmpty)
        try await store.commit(changes(2))
        for metric in metrics {
            #expect(try await store.splits(addresses, of: metric).allSatisfy { $0 == [2, 1] })
            #expect(try await store.buffer(of: metric) == [2])
        }
    }
}
