import Foundation
import RondoneStorage
import RondoneTimeSeries
import Testing

/// The aggregate log on disk: commits are all or nothing after a crash, damage is
/// skipped with the commit it belongs to, compaction keeps the log near its live size,
/// and a directory of the former layout is imported.
@Suite struct AggregateLogTests {
    let metric = MetricID(high: 7, low: 9)
    func address(_ method: String, key: Int64 = 0) -> SplitAddress {
        SplitAddress(
            aggregation: method, granularity: TimeDelta(nanoseconds: 60_000_000_000),
            key: Timestamp(nanoseconds: key))
    }

    func version(_ store: FileAggregateStore, _ n: UInt8) async throws {
        try await store.commit([
            MetricChanges(
                metric: metric, splits: [address("mean"): [n, n, n], address("max"): [n]],
                buffer: [n, 0xB0])
        ])
    }

    func expectVersion(_ store: FileAggregateStore, _ n: UInt8) async throws {
        #expect(try await store.split(address("mean"), of: metric) == [n, n, n])
        #expect(try await store.split(address("max"), of: metric) == [n])
        #expect(try await store.buffer(of: metric) == [n, 0xB0])
    }

    func lastSegment(_ directory: TestDirectory) throws -> String {
        try #require(directory.files(endingWith: ".agl").last)
    }

    @Test func aTornCommitIsNotAppliedOnOpen() async throws {
        let directory = TestDirectory("agl-torn")
        defer { directory.remove() }
        do {
            let store = try FileAggregateStore(directory: directory.path)
            try await version(store, 1)
            try await version(store, 2)
            store.close()
        }
        // A crash in the middle of the second commit's write: every cut is a torn tail.
        let file = try lastSegment(directory)
        let whole = try Data(contentsOf: URL(fileURLWithPath: file))
        let firstCommitEnd = whole.count / 2
        for cut in stride(from: firstCommitEnd + 8, to: whole.count, by: 24) {
            try whole.prefix(cut).write(to: URL(fileURLWithPath: file))
            let store = try FileAggregateStore(directory: directory.path)
            try await expectVersion(store, 1)
            #expect(store.corruptionsAtOpen.map(\.tornTail) == [true], "cut at \(cut)")
            store.close()
            for extra in directory.files(endingWith: ".agl") where extra != file {
                try FileManager.default.removeItem(atPath: extra)
            }
        }
    }

    @Test func aDamagedRecordVoidsItsWholeCommit() async throws {
        let directory = TestDirectory("agl-damage")
        defer { directory.remove() }
        do {
            let store = try FileAggregateStore(directory: directory.path)
            try await version(store, 1)
            try await version(store, 2)
            try await version(store, 3)
            store.close()
        }
        // Flip a byte inside the second commit's first record (its commit record stays
        // intact): none of that commit may be applied, the third one is.
        let file = try lastSegment(directory)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        bytes[bytes.count / 3 + 20] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: file))
        let store = try FileAggregateStore(directory: directory.path)
        defer { store.close() }
        try await expectVersion(store, 3)
        #expect(store.corruptionsAtOpen.count == 1)
        #expect(store.corruptionsAtOpen.first?.tornTail == false)
    }

    /// With the default chunk a segment is copied in one group; with a tiny one, one
    /// group per record, each committed before the next window is read.
    @Test(arguments: [4 << 20, 1])
    func compactionKeepsTheLogNearItsLiveSize(chunkBytes: Int) async throws {
        let directory = TestDirectory("agl-compact")
        defer { directory.remove() }
        var options = FileAggregateStore.Options()
        options.segmentBytes = 4096
        options.compactionMinimumDeadBytes = 0
        options.compactionChunkBytes = chunkBytes
        let other = MetricID(high: 8, low: 8)
        do {
            let store = try FileAggregateStore(directory: directory.path, options: options)
            try await store.putBuffer([UInt8](repeating: 3, count: 300), for: other)
            try await store.putSplit([4, 4], address("min", key: 3_600_000_000_000), for: other)
            for n in 0..<200 { try await version(store, UInt8(n)) }
            try await store.deleteSplit(address("min", key: 3_600_000_000_000), of: other)
            try await expectVersion(store, 199)
            store.close()
        }
        let bytes = directory.files(endingWith: ".agl").reduce(0) {
            $0 + ((try? FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0)
        }
        // 200 versions of ~250 bytes were written; a few segments' worth is left.
        #expect(bytes < 3 * 4096 + 2048, "\(bytes) bytes of log")
        let store = try FileAggregateStore(directory: directory.path, options: options)
        defer { store.close() }
        try await expectVersion(store, 199)
        #expect(try await store.buffer(of: other) == [UInt8](repeating: 3, count: 300))
        #expect(try await store.split(address("min", key: 3_600_000_000_000), of: other) == nil)
        #expect(store.corruptionsAtOpen.isEmpty)
    }

    /// A crash after compaction's copy was durable but before the old segment was
    /// unlinked: both copies are on disk, and the later one (the same bytes) wins.
    @Test func aCompactionInterruptedBeforeTheUnlinkIsHarmless() async throws {
        let directory = TestDirectory("agl-compact-crash")
        defer { directory.remove() }
        var options = FileAggregateStore.Options()
        options.segmentBytes = 2048
        options.compactionMinimumDeadBytes = 0
        var saved: [String: Data] = [:]
        do {
            let store = try FileAggregateStore(directory: directory.path, options: options)
            for n in 0..<60 {
                try await version(store, UInt8(n))
                for file in directory.files(endingWith: ".agl") {
                    saved[file] = try Data(contentsOf: URL(fileURLWithPath: file))
                }
            }
            try await store.deleteMetric(MetricID(high: 99, low: 99))
            store.close()
        }
        let remaining = Set(directory.files(endingWith: ".agl"))
        let compacted = saved.keys.filter { !remaining.contains($0) }
        try #require(!compacted.isEmpty, "no segment was compacted")
        for file in compacted { try saved[file]!.write(to: URL(fileURLWithPath: file)) }
        let store = try FileAggregateStore(directory: directory.path, options: options)
        defer { store.close() }
        try await expectVersion(store, 59)
        #expect(store.corruptionsAtOpen.isEmpty)
        try await version(store, 60)
        try await expectVersion(store, 60)
    }

    @Test func deletedMetricsStayDeletedAcrossReopenAndCompaction() async throws {
        let directory = TestDirectory("agl-delete")
        defer { directory.remove() }
        var options = FileAggregateStore.Options()
        options.segmentBytes = 1024
        options.compactionMinimumDeadBytes = 0
        let doomed = MetricID(high: 5, low: 5)
        do {
            let store = try FileAggregateStore(directory: directory.path, options: options)
            try await store.commit([
                MetricChanges(metric: doomed, splits: [address("mean"): [1]], buffer: [1])
            ])
            try await store.deleteMetric(doomed)
            for n in 0..<40 { try await version(store, UInt8(n)) }
            #expect(try await store.buffer(of: doomed) == nil)
            store.close()
        }
        let store = try FileAggregateStore(directory: directory.path, options: options)
        defer { store.close() }
        #expect(try await store.buffer(of: doomed) == nil)
        #expect(try await store.split(address("mean"), of: doomed) == nil)
        #expect(
            try await store.splitKeys(of: doomed, aggregation: "mean", granularity: .seconds(60)).isEmpty)
        try await expectVersion(store, 39)
    }

    @Test func aDirectoryOfTheFormerLayoutIsImported() async throws {
        let directory = TestDirectory("agl-import")
        defer { directory.remove() }
        let fm = FileManager.default
        let metricDirectory = directory.path + "/metrics/\(metric)"
        try fm.createDirectory(atPath: metricDirectory, withIntermediateDirectories: true)
        try Data([9, 0xB0]).write(to: URL(fileURLWithPath: metricDirectory + "/buffer"))
        try Data(SplitPack(records: ["mean": [9, 9, 9], "max": [9]]).encode()).write(
            to: URL(fileURLWithPath: metricDirectory + "/60000000000_0"))
        try Data(SplitPack(records: ["mean": [8]]).encode()).write(
            to: URL(fileURLWithPath: metricDirectory + "/60000000000_-3600000000000"))
        try Data([1, 2]).write(to: URL(fileURLWithPath: metricDirectory + "/3600000000000_0"))  // damaged
        try fm.createDirectory(atPath: directory.path + "/tmp", withIntermediateDirectories: true)
        try Data([0xAA]).write(to: URL(fileURLWithPath: directory.path + "/tmp/17"))
        try fm.createDirectory(
            atPath: directory.path + "/deleted/\(MetricID(high: 1, low: 1)).0-1",
            withIntermediateDirectories: true)
        for _ in 0..<2 {
            let store = try FileAggregateStore(directory: directory.path)
            try await expectVersion(store, 9)
            #expect(
                try await store.splitKeys(of: metric, aggregation: "mean", granularity: .seconds(60)) == [
                    Timestamp(nanoseconds: -3_600_000_000_000), Timestamp(nanoseconds: 0),
                ])
            // A damaged pack answers for every method, as stored.
            let hourly = SplitAddress(
                aggregation: "sum", granularity: .seconds(3600), key: Timestamp(nanoseconds: 0))
            #expect(try await store.split(hourly, of: metric) == [1, 2])
            #expect(
                try await store.splitKeys(of: metric, aggregation: "sum", granularity: .seconds(3600)) == [
                    Timestamp(nanoseconds: 0)
                ])
            store.close()
            #expect(try fm.contentsOfDirectory(atPath: directory.path).sorted() == ["LOCK", "log"])
        }
    }

    @Test func splitKeysComeFromTheIndex() async throws {
        let directory = TestDirectory("agl-keys")
        defer { directory.remove() }
        let store = try FileAggregateStore(directory: directory.path)
        defer { store.close() }
        // More than 63 method names: past them, packs are read to answer.
        let names = (0..<70).map { "\($0)pct" }
        for (n, name) in names.enumerated() {
            try await store.putSplit(
                [UInt8(n)], address(name, key: Int64(n) * 1_000_000_000), for: metric)
        }
        for (n, name) in names.enumerated() {
            #expect(
                try await store.splitKeys(of: metric, aggregation: name, granularity: .seconds(60)) == [
                    Timestamp(nanoseconds: Int64(n) * 1_000_000_000)
                ])
        }
        #expect(
            try await store.splitKeys(of: metric, aggregation: "mean", granularity: .seconds(60)).isEmpty)
    }
}

/// Inputs the fuzzer (`fuzz-aggregate-log-record`, docs/FUZZING.md) found to crash the
/// log's open, replayed through the store: each must open as damage, never trap.
@Suite struct AggregateLogFuzzRegressionTests {
    /// An intact buffer record then an intact commit record whose group offset is
    /// Int64.min: opening computed `offset - first` and trapped on the overflow.
    @Test func aCommitWithAnOverflowingGroupOffsetIsIgnored() async throws {
        let segment = bytes(
            "30000000f5a9a3010152414c020000000102030405060708090a0b0c0d0e0f1000000000000000000000"
                + "000000000000010200000000000028000000baee17c80652414c00000000000000000000000000000000"
                + "0000000000000000000000800100000000000000")
        let directory = TestDirectory("agl-fuzz-commit")
        defer { directory.remove() }
        try FileManager.default.createDirectory(
            atPath: directory.path + "/log", withIntermediateDirectories: true)
        try Data(segment).write(to: URL(fileURLWithPath: directory.path + "/log/0000000000000001.agl"))
        let store = try FileAggregateStore(directory: directory.path)
        defer { store.close() }
        // The commit does not cover the record before it: the buffer is not applied.
        let metric = MetricID(high: 0x0102_0304_0506_0708, low: 0x090A_0B0C_0D0E_0F10)
        #expect(try await store.buffer(of: metric) == nil)
    }

    func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }
}
