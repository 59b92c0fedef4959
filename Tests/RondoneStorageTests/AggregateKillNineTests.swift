import Foundation
import RondoneStorage
import RondoneTesting
import RondoneTimeSeries
import Testing

/// `kill -9` of a process committing to the aggregate log (small segments, so it is
/// often mid-append, mid-rotation or mid-compaction): every acknowledged commit is
/// there after a restart, and each metric's buffer and split come from one commit.
@Suite struct AggregateKillNineTests {
    @Test func acknowledgedCommitsSurviveKill() async throws {
        let writer = try #require(FaultWriter.path, "build the rondone-fault-writer product first")
        let directory = TestDirectory("agl-kill9")
        defer { directory.remove() }
        let size = 700
        let acknowledged = try FaultWriter.runAndKill(
            executable: writer, directory: directory.path, sacks: 0, batchSize: size,
            duration: .seconds(1.5))
        #expect(acknowledged == Array(0..<acknowledged.count))
        try #require(acknowledged.count > 20)
        let last = try #require(acknowledged.last)

        let store = try FileAggregateStore(directory: directory.path)
        defer { store.close() }
        let split = SplitAddress(
            aggregation: "mean", granularity: .seconds(60), key: Timestamp(nanoseconds: 0))
        for number in 0..<16 {
            let metric = MetricID(high: 0x0123_4567_89ab_cdef, low: UInt64(number))
            let newest = try #require(acknowledged.last { $0 % 16 == number })
            let buffer = try #require(try await store.buffer(of: metric))
            try #require(buffer.count == 8)
            let stored = Int(
                buffer.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
            // The newest acknowledged commit, or the one in flight at the kill.
            #expect(
                stored % 16 == number && stored >= newest && stored <= last + 1,
                "metric \(number): \(stored)")
            #expect(
                try await store.split(split, of: metric)
                    == [UInt8](repeating: UInt8(stored % 256), count: size),
                "metric \(number): buffer and split of different commits")
        }
        print(
            "kill -9 (aggregate log): \(acknowledged.count) commits acknowledged, torn tails \(store.corruptionsAtOpen.filter(\.tornTail).count), segments \(directory.files(endingWith: ".agl").count)"
        )
    }
}
