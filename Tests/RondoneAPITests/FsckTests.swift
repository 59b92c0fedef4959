import Foundation
import RondoneIndexer
import RondoneProcessing
import RondoneServer
import RondoneStorage
import RondoneTimeSeries
import Testing

/// `rondone fsck` on data directories built through the real stores, then damaged in
/// each way: every damage is reported with its kind and path; an undamaged directory
/// reports nothing and exits 0.
@Suite("fsck")
struct FsckTests {
    static let a = MetricID("0a000000-0000-4000-8000-000000000001")!
    static let b = MetricID("0b000000-0000-4000-8000-000000000002")!
    static let c = MetricID("0c000000-0000-4000-8000-000000000003")!
    static let d = MetricID("0d000000-0000-4000-8000-000000000004")!
    static let hour: Int64 = 3_600_000_000_000

    /// A data directory with three aggregate log segments (a, then b, then a again, one
    /// per open), two waiting records of c in one incoming segment, and d in the index
    /// only.
    struct Fixture {
        let path: String

        init() async throws {
            path = NSTemporaryDirectory() + "rondone-fsck-\(UUID().uuidString)"
            try await Self.phase(path, create: true) { directory, metricd in
                for metric in [FsckTests.a, FsckTests.b, FsckTests.c, FsckTests.d] {
                    try await directory.indexer.createMetric(
                        MetricCreation(id: metric, creator: "test", archivePolicyName: "low"))
                }
                try await Self.post(directory, FsckTests.a, hours: 0..<3)
                _ = try await metricd.processNow(metric: FsckTests.a)
            }
            try await Self.phase(path) { directory, metricd in
                try await Self.post(directory, FsckTests.b, hours: 0..<3)
                _ = try await metricd.processNow(metric: FsckTests.b)
            }
            try await Self.phase(path) { directory, metricd in
                try await Self.post(directory, FsckTests.a, hours: 3..<6)
                _ = try await metricd.processNow(metric: FsckTests.a)
                try await Self.post(directory, FsckTests.c, hours: 0..<2)
                try await Self.post(directory, FsckTests.c, hours: 2..<4)
            }
        }

        static func post(_ directory: DataDirectory, _ metric: MetricID, hours: Range<Int64>) async throws {
            let timestamps = hours.map { 1_700_000_000_000_000_000 + $0 * FsckTests.hour }
            try await directory.incoming.add([
                IncomingBatch(
                    metric: metric, timestamps: timestamps, values: timestamps.map { Double($0 % 97) })
            ])
        }

        static func phase(
            _ path: String, create: Bool = false, _ body: (DataDirectory, Metricd) async throws -> Void
        ) async throws {
            let directory =
                create ? try DataDirectory(path: path, sacks: 2) : try DataDirectory.existing(path: path)
            let backends = Backends.embedded(directory)
            if create { try await backends.upgrade(createDefaultPolicies: true) }
            let metricd = backends.metricd(log: { _ in })
            do {
                try await body(directory, metricd)
            } catch {
                await backends.close()
                throw error
            }
            await backends.close()
        }

        func remove() { try? FileManager.default.removeItem(atPath: path) }

        var logSegments: [String] {
            let log = path + "/aggregates/log"
            return ((try? FileManager.default.contentsOfDirectory(atPath: log)) ?? []).filter {
                $0.hasSuffix(".agl")
            }
            .sorted().map { log + "/" + $0 }
        }

        /// The incoming segments that hold bytes.
        var incomingSegments: [String] {
            let incoming = path + "/incoming"
            let enumerator = FileManager.default.enumerator(atPath: incoming)
            var found: [String] = []
            while let name = enumerator?.nextObject() as? String {
                let full = incoming + "/" + name
                guard name.hasSuffix(".log"), let size = Self.size(full), size > 0 else { continue }
                found.append(full)
            }
            return found.sorted()
        }

        static func size(_ path: String) -> Int? {
            (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
        }

        /// Runs fsck on the closed directory.
        func fsck(_ mode: Fsck.Mode = .check) async throws -> (Fsck.Report, [String]) {
            let directory = try DataDirectory.existing(path: path)
            defer { directory.close() }
            let output = CollectedMaintenanceOutput()
            let report = try await Fsck(directory: directory, mode: mode).run(output: output)
            return (report, output.lines)
        }

        /// Runs `body` on the open index.
        func withIndex(_ body: (any Indexer) async throws -> Void) async throws {
            let directory = try DataDirectory.existing(path: path)
            defer { directory.close() }
            try await body(directory.indexer)
        }
    }

    /// A record of the aggregate log as the test finds it.
    struct LogRecord {
        var offset: Int
        var length: Int
        var kind: UInt8
        var metric: MetricID
        var blobLength: Int
        var blobOffset: Int { offset + 48 }
    }

    static func records(_ bytes: [UInt8]) -> [LogRecord] {
        var records: [LogRecord] = []
        var offset = 0
        while offset + 48 <= bytes.count {
            let payload = Int(read32(bytes, offset))
            var high: UInt64 = 0
            var low: UInt64 = 0
            for index in 0..<8 {
                high = high << 8 | UInt64(bytes[offset + 16 + index])
                low = low << 8 | UInt64(bytes[offset + 24 + index])
            }
            records.append(
                LogRecord(
                    offset: offset, length: 8 + payload, kind: bytes[offset + 8],
                    metric: MetricID(high: high, low: low),
                    blobLength: Int(read32(bytes, offset + 12))))
            offset += 8 + payload
        }
        return records
    }

    static func read32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }

    /// Recomputes a record's CRC after its blob was changed, so only the blob's own
    /// checks can catch the change.
    static func reseal(_ bytes: inout [UInt8], _ record: LogRecord) {
        let head = CRC32C.checksum(Array(bytes[record.offset..<record.offset + 4]))
        let crc = Array(bytes[record.offset + 8..<record.offset + record.length]).withUnsafeBytes {
            CRC32C.update(head, $0)
        }
        for index in 0..<4 {
            bytes[record.offset + 4 + index] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(index)))
        }
    }

    /// Changes the newest segment's last record of `kind` (1 buffer, 2 pack) of metric a.
    static func damageLastRecord(
        _ fixture: Fixture, kind: UInt8, reseal: Bool, at position: (LogRecord) -> Int
    ) throws -> (path: String, record: LogRecord) {
        let path = try #require(fixture.logSegments.last)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let record = try #require(Self.records(bytes).last { $0.kind == kind && $0.metric == Self.a })
        bytes[position(record)] ^= 0x20
        if reseal { Self.reseal(&bytes, record) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (path, record)
    }

    static func problems(_ report: Fsck.Report, _ kind: String) -> [FsckProblem] {
        report.problems.filter { $0.kind == kind }
    }

    @Test func undamagedDirectoryReportsNothing() async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        #expect(fixture.logSegments.count == 3)
        #expect(fixture.incomingSegments.count == 1)
        let (report, lines) = try await fixture.fsck()
        #expect(report.problems.isEmpty, "\(lines)")
        #expect(report.exitCode == 0)
        #expect(report.metricsWithoutData == [Self.d])
        #expect(
            lines.contains { $0.hasPrefix("incoming:") && $0.contains("2 measures records (4 measures)") })
        #expect(
            lines.contains { $0.hasPrefix("aggregates: 3 segments") && $0.contains("2 metrics with data") })
        #expect(lines.contains { $0.contains("integrity_check ok") && $0.contains("4 metrics (4 active") })
        #expect(lines.last == "summary: no problems found")
    }

    @Test func flippedByteInIncomingSegment() async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        let path = try #require(fixture.incomingSegments.first)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[40] ^= 0x01  // the first record's first time stamp
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let (report, lines) = try await fixture.fsck()
        let damaged = Self.problems(report, "damaged-record")
        #expect(damaged.count == 1, "\(lines)")
        #expect(damaged.first?.path == path && damaged.first?.offset == 0 && damaged.first?.metric == Self.c)
        #expect(damaged.first?.repair == nil)
        #expect(report.exitCode == 1)
        #expect(lines.contains { $0.hasPrefix("damaged-record \(path) offset 0 metric \(Self.c):") })
    }

    @Test func flippedByteInAggregateBufferRecord() async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        let (path, record) = try Self.damageLastRecord(fixture, kind: 1, reseal: false) { $0.blobOffset + 3 }
        let (report, lines) = try await fixture.fsck()
        let damaged = Self.problems(report, "damaged-record")
        #expect(damaged.count == 1, "\(lines)")
        #expect(damaged.first?.path == path && damaged.first?.offset == Int64(record.offset))
        #expect(damaged.first?.metric == Self.a)
        #expect(report.exitCode == 1)
    }

    @Test func damagedBufferBlob() async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        let (path, record) = try Self.damageLastRecord(fixture, kind: 1, reseal: true) {
            $0.blobOffset + $0.blobLength - 1
        }
        let (report, lines) = try await fixture.fsck()
        #expect(report.problems.map(\.kind) == ["damaged-buffer"], "\(lines)")
        #expect(report.problems.first?.path == path && report.problems.first?.offset == Int64(record.offset))
        #expect(report.problems.first?.metric == Self.a)
    }

    @Test func damagedSplitPackHeader() async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        let (path, _) = try Self.damageLastRecord(fixture, kind: 2, reseal: true) { $0.blobOffset + 9 }
        let (report, lines) = try await fixture.fsck()
        #expect(report.problems.map(\.kind) == ["damaged-pack"], "\(lines)")
        #expect(report.problems.first?.path == path && report.problems.first?.metric == Self.a)
    }

    @Test func damagedSplitBlob() async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        let (path, _) = try Self.damageLastRecord(fixture, kind: 2, reseal: true) {
            $0.blobOffset + $0.blobLength - 1
        }
        let (report, lines) = try await fixture.fsck()
        #expect(report.problems.map(\.kind) == ["damaged-split"], "\(lines)")
        #expect(report.problems.first?.path == path && report.problems.first?.metric == Self.a)
    }

    @Test func truncatedSegmentIsATornTailThatRepairCuts() async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        let path = try #require(fixture.logSegments.last)
        let size = try #require(Fixture.size(path))
        #expect(truncate(path, off_t(size - 20)) == 0)
        let (report, lines) = try await fixture.fsck()
        let torn = Self.problems(report, "torn-tail")
        #expect(torn.count == 1, "\(lines)")
        #expect(torn.first?.path == path)
        #expect(report.exitCode == 1)
        let start = try #require(torn.first?.offset)
        #expect(torn.first?.repair == .truncate(path: path, to: start))
        // The dry run says what repair does and changes nothing.
        let (dry, dryLines) = try await fixture.fsck(.dryRun)
        #expect(dry.repairs == [.truncate(path: path, to: start)])
        #expect(dryLines.contains("would truncate \(path) to \(start) bytes"))
        #expect(Fixture.size(path) == size - 20)
        let (repaired, _) = try await fixture.fsck(.repair)
        #expect(repaired.repairs.count == 1)
        #expect(Fixture.size(path) == Int(start))
        #expect(
            FileManager.default.fileExists(
                atPath: fixture.path
                    + "/lost+found/aggregates_log_\(URL(fileURLWithPath: path).lastPathComponent).\(start)"))
        let (after, afterLines) = try await fixture.fsck()
        #expect(after.problems.isEmpty, "\(afterLines)")
    }

    @Test func deletedSegmentIsMissing() async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        let middle = fixture.logSegments[1]
        try FileManager.default.removeItem(atPath: middle)
        let (report, lines) = try await fixture.fsck()
        #expect(report.problems.map(\.kind) == ["missing-segment"], "\(lines)")
        #expect(report.problems.first?.path == middle)
        #expect(report.problems.first?.repair == nil)
        // b's only data was there: the index row is left without data, which is noted.
        #expect(report.metricsWithoutData == [Self.b, Self.d])
        #expect(
            lines.contains { $0.hasPrefix("note: 2 active metrics hold no data") && $0.contains("\(Self.b)") }
        )
    }

    @Test func dataOfNoMetricIsFoundAndRepaired() async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        try await fixture.withIndex { indexer in
            for metric in [Self.b, Self.c] {
                try await indexer.deleteMetric(metric)
                try await indexer.purgeMetric(metric)
            }
        }
        let (report, lines) = try await fixture.fsck()
        let orphans = Self.problems(report, "data-of-no-metric")
        #expect(orphans.count == 2, "\(lines)")
        #expect(orphans.contains { $0.metric == Self.b && $0.path == fixture.path + "/aggregates/log" })
        #expect(
            orphans.contains {
                $0.metric == Self.c && $0.path.hasPrefix(fixture.path + "/incoming/incoming2-")
            })
        let (repaired, _) = try await fixture.fsck(.repair)
        #expect(Set(repaired.repairs) == [.deleteAggregates(Self.b), .deleteWaitingMeasures(Self.c)])
        let (after, afterLines) = try await fixture.fsck()
        #expect(after.problems.isEmpty, "\(afterLines)")
    }

    @Test func damagedIndexIsReported() async throws {
        let fixture = try await Fixture()
        defer { fixture.remove() }
        // The second half of the index's pages overwritten (the schema, at the start,
        // stays readable); the WAL gone.
        let index = fixture.path + "/index.sqlite"
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: index + suffix) }
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: index)))
        let pages = bytes.count / 4096
        #expect(pages >= 4)
        for offset in (pages / 2 * 4096)..<bytes.count { bytes[offset] = 0xA5 }
        try Data(bytes).write(to: URL(fileURLWithPath: index))
        do {
            let (report, lines) = try await fixture.fsck()
            #expect(!Self.problems(report, "index").isEmpty, "\(lines)")
            #expect(report.exitCode == 1)
            #expect(lines.contains { $0.hasPrefix("index \(index): ") })
        } catch {
            // Too damaged to open at all: `rondone fsck` then says so and exits 1.
            #expect("\(error)".contains("malformed"))
        }
    }
}
