import Foundation
import RondoneStorage
import Testing

/// `kill -9` in the middle of ingestion: every batch the writer saw acknowledged is
/// there after a restart, exactly once.
@Suite struct KillNineTests {
    /// The helper executable, built next to the test bundle by `swift build`/`swift test`.
    static let writer: String? = {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [products, products.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("rondone-fault-writer").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }()

    @Test(arguments: [1, 50]) func acknowledgedBatchesSurviveKill(batchSize: Int) async throws {
        let writer = try #require(Self.writer, "build the rondone-fault-writer product first")
        let directory = TestDirectory("kill9")
        defer { directory.remove() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: writer)
        process.arguments = [directory.path, "8", "\(batchSize)"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // Read acknowledgements for a moment, then kill without warning.
        var text = ""
        let deadline = ContinuousClock.now + .seconds(1.5)
        while ContinuousClock.now < deadline || !text.contains("ack 20\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
            if ContinuousClock.now > deadline + .seconds(20) { break }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        text += String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let acknowledged = text.split(separator: "\n").compactMap {
            $0.hasPrefix("ack ") ? Int($0.dropFirst(4)) : nil
        }
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
