import Dispatch
import Foundation
import RondoneStorage
import RondoneTesting

/// `rondone-bench storage`: measures per second made durable by the file incoming
/// store, by N concurrent writers posting batches of B points, against the baseline
/// of Gnocchi's file driver design (one file per batch: write aside, fsync, rename,
/// fsync directory).
enum StorageBench {
    static func run(scale: Int) {
        print("storage: durable incoming measures (file driver, fsync on every acknowledgement)")
        let root = "/work/rondone-bench-storage-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: root) }
        var random = SplitMix64(seed: 42)
        for writers in [1, 8, 64] {
            for batch in [1, 100, 10_000] {
                let metrics = (0..<writers).map { _ in MetricID(high: random.next(), low: random.next()) }
                // Enough rounds for ~0.3 s of fsyncs at small batches, bounded at big ones.
                let rounds = max(2, min(200, 400_000 / (writers * batch))) * scale
                let points = writers * rounds * batch
                let directory = root + "/log-\(writers)-\(batch)"
                let store = try! FileIncomingStore(directory: directory)
                bench(
                    "group-commit log, \(writers) writers x \(batch) points", items: points, unit: "measures"
                ) {
                    runBlocking {
                        await withTaskGroup(of: Void.self) { group in
                            for metric in metrics {
                                group.addTask {
                                    for round in 0..<rounds {
                                        try! await store.add(batchOf(batch, for: metric, round: round))
                                    }
                                }
                            }
                        }
                    }
                }
                store.close()
                try? FileManager.default.removeItem(atPath: directory)
                let filesDirectory = root + "/files-\(writers)-\(batch)"
                try! FileManager.default.createDirectory(
                    atPath: filesDirectory, withIntermediateDirectories: true)
                let fileRounds = max(1, rounds / 4)
                bench(
                    "file per batch,   \(writers) writers x \(batch) points",
                    items: writers * fileRounds * batch, unit: "measures"
                ) {
                    DispatchQueue.concurrentPerform(iterations: writers) { writer in
                        for round in 0..<fileRounds {
                            filePerBatch(
                                batchOf(batch, for: metrics[writer], round: round), directory: filesDirectory)
                        }
                    }
                }
                try? FileManager.default.removeItem(atPath: filesDirectory)
            }
        }
    }

    private static func batchOf(_ size: Int, for metric: MetricID, round: Int) -> IncomingBatch {
        let first = Int64(round * size) * 1_000_000_000
        return IncomingBatch(
            metric: metric, timestamps: (0..<Int64(size)).map { first + $0 * 1_000_000_000 },
            values: (0..<size).map { Double($0) })
    }

    /// Gnocchi's file driver per batch: a file written aside, fsynced, renamed, and
    /// the directory fsynced (Gnocchi itself skips both fsyncs; this is the durable version).
    private static func filePerBatch(_ batch: IncomingBatch, directory: String) {
        var bytes = [UInt8]()
        bytes.reserveCapacity(16 * batch.timestamps.count)
        for (timestamp, value) in zip(batch.timestamps, batch.values) {
            withUnsafeBytes(of: timestamp.littleEndian) { bytes.append(contentsOf: $0) }
            withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }
        let name = UUID().uuidString
        let temp = directory + "/.tmp-" + name
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
        close(fd)
        rename(temp, directory + "/" + name)
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY)
        fsync(directoryFD)
        close(directoryFD)
    }
}
