import Foundation

/// Drives the `rondone-fault-writer` helper for `kill -9` tests: starts it on an
/// incoming-store directory, reads its acknowledgements for a while, kills it without
/// warning, and returns the sequence numbers of the batches it saw acknowledged.
public enum FaultWriter {
    /// The helper executable, built next to the test bundle by `swift build`/`swift test`.
    public static let path: String? = {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [products, products.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("rondone-fault-writer").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }()

    /// Runs the writer on `directory` (`sacks` sacks, batches of `batchSize` points) for
    /// at least `duration` and until it has acknowledged batch 20 (at most 20 s more),
    /// then `kill -9`s it. Returns the acknowledged batch numbers in the order printed.
    public static func runAndKill(
        executable: String, directory: String, sacks: Int, batchSize: Int, duration: Duration
    ) throws -> [Int] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [directory, "\(sacks)", "\(batchSize)"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var text = ""
        let deadline = ContinuousClock.now + duration
        while ContinuousClock.now < deadline || !text.contains("ack 20\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
            if ContinuousClock.now > deadline + .seconds(20) { break }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        text += String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return text.split(separator: "\n").compactMap {
            $0.hasPrefix("ack ") ? Int($0.dropFirst(4)) : nil
        }
    }
}
