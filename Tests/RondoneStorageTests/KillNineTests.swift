import Foundation
import RondoneStorage
import RondoneTesting
import Testing

/// `kill -9` in the middle of ingestion: every batch the writer saw acknowledged is
/// there after a restart, exactly once.
@Suite struct KillNineTests {
    @Test(arguments: [1, 50]) func acknowledgedBatchesSurviveKill(batchSize: Int) async throws {
        let writer = try #require(FaultWriter.path, "build the rondone-fault-writer product first")
        let directory = TestDirectory("kill9")
        defer { directory.remove() }
        let acknowledged = try FaultWriter.runAndKill(
            executable: writer, directory: directory.path, sacks: 8, batchSize: batchSize,
            duration: .seconds(1.5))
        #expect(acknowledged == Array(0..<acknowledged.count))
        try #require(acknowledged.count > 20)

        let store = try FileIncomingStore(directory: directory.path, options: .init(sacks: 8))
        defer { store.close() }
        let taken = try await drainAll(store)
        var found = Set<Int>()
        for (metric, batch) in taken {
            #expect(metric.high == 0x0123_4567_89ab_cdef)
            for (timestamp, value) in zip(batch.timestamps, batch.values) {
                let sequence = Int(value)
                #expect(Int(timestamp) / batchSize == sequence && sequence % 16 == Int(metric.low))
                if Int(timestamp) % batchSize == 0 {
                    #expect(found.insert(sequence).inserted, "batch \(sequence) twice")
                }
            }
        }
        let lost = Set(acknowledged).subtracting(found)
        #expect(lost.isEmpty, "acknowledged but lost: \(lost.sorted().prefix(10))")
        // At most the batches in flight at the kill may be there unacknowledged.
        #expect(found.count >= acknowledged.count && found.count <= acknowledged.count + 64)
        print(
            "kill -9 (batch \(batchSize)): \(acknowledged.count) acknowledged, \(found.count) found, torn tails \(store.corruptionsAtOpen.filter(\.tornTail).count)"
        )
    }
}
