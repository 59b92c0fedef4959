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

    /// Checksums belong to the engine's codec: the store hands back damaged bytes as
    /// they are, and its own job is only that writes are whole.
    @Test func damagedBlobsAreReturnedAsStored() async throws {
        let directory = TestDirectory("agg-damage")
        defer { directory.remove() }
        let store = try FileAggregateStore(directory: directory.path)
        defer { store.close() }
        try await store.putSplit([1, 2, 3, 4], key, for: metric)
        let file = directory.path + "/metrics/\(metric)/mean_60000000000/0"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        bytes[1] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: file))
        #expect(try await store.split(key, of: metric) == [1, 0xFD, 3, 4])
        try Data([1, 2]).write(to: URL(fileURLWithPath: file))
        #expect(try await store.split(key, of: metric) == [1, 2])
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
}
