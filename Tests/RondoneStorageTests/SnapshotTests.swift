import Foundation
import RondoneStorage
import RondoneTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Backups' consistent points at the store level: what `withAppendsPaused` and
/// `withCommitsPaused` hand out is every acknowledged write and reopens as it was, and
/// nothing completes while they run.
@Suite struct SnapshotTests {
    let a = MetricID(high: 1, low: 1)
    let b = MetricID(high: 2, low: 7)

    /// Writes each file's snapshot bytes under `target` (a plain copy: the test checks
    /// the content, the backup's linking is tested by scripts/backup-test.sh).
    func write(_ files: [SnapshotFile], to target: String) throws {
        for file in files {
            let path = target + "/" + file.relativePath
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            var bytes = [UInt8](repeating: 0, count: Int(file.length))
            let count = bytes.withUnsafeMutableBytes { pread(file.descriptor, $0.baseAddress, $0.count, 0) }
            #expect(count == Int(file.length))
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
    }

    @Test func incomingSnapshotHoldsEveryAcknowledgedAppend() async throws {
        let directory = TestDirectory("snapshot-incoming")
        defer { directory.remove() }
        let store = try FileIncomingStore(directory: directory.path + "/store", options: .init(sacks: 4))
        try await store.add([makeBatch(a, first: 0, count: 5), makeBatch(b, first: 0, count: 3)])
        // A sealed segment (claimed and released) and an active one.
        let claim = try await store.claim(sack: a.sack(among: 4))
        await store.release(claim)
        try await store.add([makeBatch(a, first: 10_000_000_000, count: 2)])
        let files = try store.withAppendsPaused { $0.files }
        #expect(files.contains { $0.relativePath == "sacks" })
        #expect(files.contains { !$0.sealed && $0.relativePath.hasSuffix(".log") })
        #expect(files.contains { $0.sealed && $0.relativePath.hasSuffix(".log") })
        // Appended after the point: not in the snapshot's bytes.
        try await store.add([makeBatch(a, first: 20_000_000_000, count: 4)])
        try write(files, to: directory.path + "/copy")
        store.close()
        let copy = try FileIncomingStore(directory: directory.path + "/copy", options: .init(sacks: 4))
        defer { copy.close() }
        let backlog = try await copy.backlog(sack: a.sack(among: 4))
        #expect(backlog[a]?.measures == 7)
        #expect(try await copy.backlog(sack: b.sack(among: 4))[b]?.measures == 3)
    }

    @Test func appendsWaitWhileIncomingIsPaused() async throws {
        let directory = TestDirectory("snapshot-pause")
        defer { directory.remove() }
        let store = try FileIncomingStore(directory: directory.path, options: .init(sacks: 2))
        defer { store.close() }
        let done = Flag()
        let started = DispatchSemaphore(value: 0)
        let waitedWhilePaused = try store.withAppendsPaused { _ in
            Task {
                started.signal()
                try await store.add([makeBatch(a, first: 0, count: 1)])
                done.set()
            }
            started.wait()
            usleep(200_000)
            return !done.value
        }
        #expect(waitedWhilePaused)
        for _ in 0..<100 where !done.value {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(done.value)
    }

    @Test func aggregateSnapshotHoldsEveryCommitAndReopens() async throws {
        let directory = TestDirectory("snapshot-aggregates")
        defer { directory.remove() }
        var options = FileAggregateStore.Options()
        options.segmentBytes = 256  // several sealed segments
        let store = try FileAggregateStore(directory: directory.path + "/store", options: options)
        for round in 0..<6 {
            try await store.putBuffer(Array(repeating: UInt8(round), count: 100), for: a)
        }
        try await store.putBuffer([9, 9, 9], for: b)
        let files = try await store.withCommitsPaused { $0.files }
        #expect(files.filter(\.sealed).count >= 2)
        #expect(files.filter { !$0.sealed }.count == 1)
        try await store.putBuffer([1], for: b)  // after the point
        try write(files, to: directory.path + "/copy")
        store.close()
        let copy = try FileAggregateStore(directory: directory.path + "/copy")
        defer { copy.close() }
        #expect(try await copy.buffer(of: a) == Array(repeating: 5, count: 100))
        #expect(try await copy.buffer(of: b) == [9, 9, 9])
        #expect(copy.corruptionsAtOpen.isEmpty)
    }
}

/// A flag set by one task and read by another.
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var isSet = false

    var value: Bool { lock.withLock { isSet } }

    func set() { lock.withLock { isSet = true } }
}
