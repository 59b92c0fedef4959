import Foundation
import RondoneStorage
import RondoneTesting
import Synchronization
import Testing

/// Faults really injected into the file incoming store: damaged logs, failing
/// system calls, a full file system.
@Suite struct IncomingFaultTests {
    let metric = MetricID(high: 42, low: 7)

    /// Three batches of 2, 3 and 4 measures in one segment; returns the segment path.
    func writeThreeBatches(_ directory: TestDirectory) async throws -> String {
        let store = try FileIncomingStore(directory: directory.path, options: .init(sacks: 4))
        for (n, count) in [2, 3, 4].enumerated() {
            try await store.add(makeBatch(metric, first: Int64(n * 100), count: count))
        }
        store.close()
        let segments = directory.files(endingWith: ".log")
        try #require(segments.count == 1)
        return segments[0]
    }

    func batches(_ indices: [Int]) -> IncomingBatch? {
        concatenated(indices.map { makeBatch(metric, first: Int64($0 * 100), count: [2, 3, 4][$0]) })
    }

    func modify(_ path: String, _ change: (inout Data) -> Void) throws {
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        change(&data)
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// Reopens, checks the corruption report, and returns what a claim of the metric holds.
    func reopenAndClaim(_ directory: TestDirectory, corruptions expected: [(offset: Int64, tornTail: Bool)])
        async throws -> IncomingBatch?
    {
        let seen = Mutex<[IncomingCorruption]>([])
        let store = try FileIncomingStore(
            directory: directory.path,
            options: .init(sacks: 4, onCorruption: { corruption in seen.withLock { $0.append(corruption) } }))
        defer { store.close() }
        #expect(
            store.corruptionsAtOpen.map { [$0.offset, $0.tornTail ? 1 : 0] }
                == expected.map { [$0.offset, $0.tornTail ? 1 : 0] })
        #expect(store.corruptRecordCount == expected.count)
        #expect(seen.withLock { $0.count } == expected.count)
        let claim = try await store.claim(metric: metric)
        try await store.complete(claim)
        return claim.measures[metric]
    }

    @Test func reopenServesEverythingAcknowledged() async throws {
        let directory = TestDirectory("reopen")
        defer { directory.remove() }
        var random = SplitMix64(seed: 11)
        let metrics = (0..<20).map { _ in random.metric() }
        do {
            let store = try FileIncomingStore(directory: directory.path, options: .init(sacks: 4))
            for (n, metric) in metrics.enumerated() {
                try await store.add(makeBatch(metric, first: Int64(n), count: n + 1))
            }
            try await store.complete(try await store.claim(metric: metrics[0]))  // a durable consumed record
            let sack = metrics[1].sack(among: 4)
            let sackClaim = try await store.claim(sack: sack)
            try await store.complete(sackClaim)  // segments deleted
            try await store.add(makeBatch(metrics[1], first: 1000, count: 1))
            store.close()
        }
        let store = try FileIncomingStore(directory: directory.path, options: .init(sacks: 4))
        defer { store.close() }
        #expect(store.corruptRecordCount == 0)
        let taken = try await drainAll(store)
        #expect(taken[metrics[0]] == nil)
        #expect(taken[metrics[1]] == makeBatch(metrics[1], first: 1000, count: 1))
        for (n, metric) in metrics.enumerated()
        where n > 1 && metric.sack(among: 4) != metrics[1].sack(among: 4) {
            #expect(taken[metric] == makeBatch(metric, first: Int64(n), count: n + 1))
        }
    }

    @Test func tornTailIsSkippedAndCounted() async throws {
        let directory = TestDirectory("torn")
        defer { directory.remove() }
        let segment = try await writeThreeBatches(directory)
        try modify(segment) { $0.removeLast(5) }
        let served = try await reopenAndClaim(directory, corruptions: [(32 + 32 + 32 + 48, true)])
        #expect(served == batches([0, 1]))
    }

    @Test(arguments: [
        0,  // the length field
        5,  // the checksum
        9,  // the magic
        16,  // the metric id
        40,  // a timestamp
        72,  // a value
    ])
    func bitFlipInMiddleRecordIsSkipped(at byte: Int) async throws {
        let directory = TestDirectory("flip")
        defer { directory.remove() }
        let segment = try await writeThreeBatches(directory)
        let second = 32 + 16 * 2
        try modify(segment) { $0[second + byte] ^= 0x10 }
        let served = try await reopenAndClaim(directory, corruptions: [(Int64(second), false)])
        #expect(served == batches([0, 2]))
    }

    @Test func damageAfterOpenIsCaughtOnRead() async throws {
        let directory = TestDirectory("late-flip")
        defer { directory.remove() }
        let store = try FileIncomingStore(directory: directory.path, options: .init(sacks: 4))
        defer { store.close() }
        try await store.add(makeBatch(metric, first: 0, count: 2))
        try await store.add(makeBatch(metric, first: 100, count: 3))
        try modify(directory.files(endingWith: ".log")[0]) { $0[40] ^= 1 }
        let claim = try await store.claim(sack: metric.sack(among: 4))
        #expect(claim.measures[metric] == makeBatch(metric, first: 100, count: 3))
        #expect(store.corruptRecordCount == 1)
        await store.release(claim)
    }

    @Test(arguments: [(FaultInjector.Operation.write, ENOSPC), (.sync, EIO), (.create, ENOSPC)])
    func failedSystemCallFailsTheAddOnly(_ operation: FaultInjector.Operation, _ code: Int32) async throws {
        let directory = TestDirectory("inject")
        defer { directory.remove() }
        let faults = FaultInjector()
        var options = FileIncomingStore.Options(sacks: 4)
        options.faults = faults
        do {
            let store = try FileIncomingStore(directory: directory.path, options: options)
            if operation != .create { try await store.add(makeBatch(metric, first: 0, count: 2)) }
            faults.fail(operation, errno: code)
            await #expect(throws: StorageError.self) {
                try await store.add(makeBatch(metric, first: 100, count: 3))
            }
            if operation == .create { try await store.add(makeBatch(metric, first: 0, count: 2)) }
            try await store.add(makeBatch(metric, first: 200, count: 4))
            store.close()
        }
        let served = try await reopenAndClaim(directory, corruptions: [])
        #expect(
            served
                == concatenated([
                    makeBatch(metric, first: 0, count: 2), makeBatch(metric, first: 200, count: 4),
                ]))
    }

    @Test func sackCountIsFixedAtCreation() async throws {
        let directory = TestDirectory("sacks")
        defer { directory.remove() }
        try FileIncomingStore(directory: directory.path, options: .init(sacks: 8)).close()
        #expect(throws: StorageError.sackCountMismatch(stored: 8, requested: 16)) {
            try FileIncomingStore(directory: directory.path, options: .init(sacks: 16))
        }
        #expect(throws: StorageError.invalidSack(0)) {
            try FileIncomingStore(directory: directory.path, options: .init(sacks: 0))
        }
    }

    @Test(.enabled(if: Tmpfs.available, "needs root and tmpfs"))
    func fullDiskFailsTheAddAndKeepsTheRest() async throws {
        try await Tmpfs.withMount(size: "64k") { path in
            let store = try FileIncomingStore(directory: path + "/incoming", options: .init(sacks: 1))
            try await store.add(makeBatch(metric, first: 0, count: 10))
            await #expect(
                throws: StorageError.diskFull(path: path + "/incoming/incoming1-0/0000000000000001.log")
            ) {
                try await store.add(makeBatch(metric, first: 1000, count: 10_000))
            }
            try await store.add(makeBatch(metric, first: 500, count: 1))
            store.close()
            let reopened = try FileIncomingStore(directory: path + "/incoming", options: .init(sacks: 1))
            defer { reopened.close() }
            #expect(reopened.corruptRecordCount == 0)
            let claim = try await reopened.claim(metric: metric)
            #expect(
                claim.measures[metric]
                    == concatenated([
                        makeBatch(metric, first: 0, count: 10), makeBatch(metric, first: 500, count: 1),
                    ]))
        }
    }
}

/// A tiny tmpfs to fill up (Linux, root only).
enum Tmpfs {
    static let available: Bool = {
        guard getuid() == 0 else { return false }
        let probe = TestDirectory("tmpfs-probe")
        defer { probe.remove() }
        guard run("/bin/mount", ["-t", "tmpfs", "-o", "size=16k", "tmpfs", probe.path]) else { return false }
        return run("/bin/umount", [probe.path])
    }()

    static func withMount(size: String, _ body: (String) async throws -> Void) async throws {
        let directory = TestDirectory("tmpfs")
        defer { directory.remove() }
        try #require(run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", directory.path]))
        defer { _ = run("/bin/umount", [directory.path]) }
        try await body(directory.path)
    }

    private static func run(_ tool: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
