import RondoneStorage
import RondoneTimeSeries

// rondone-fault-writer: a test helper, not a user tool.
//
// Usage: rondone-fault-writer <directory> <sacks> <batch size>
//
// Opens a FileIncomingStore and adds batches in a loop. Batch n goes to one of 16
// metrics (n % 16) with timestamps n·size ..< (n+1)·size and every value = n. After
// `add` returns, it prints `ack <n>` and flushes stdout: a line printed is a batch the
// store acknowledged as durable. The kill -9 fault test counts what survives.
//
// With 0 sacks it drives a FileAggregateStore instead (small segments, compaction at
// every chance): commit n gives metric n % 16 the buffer [n as 8 bytes LE] and a
// `mean` split of `size` bytes all equal to n % 256, then prints `ack <n>`.
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

let arguments = CommandLine.arguments
guard arguments.count == 4, let sacks = Int(arguments[2]), let size = Int(arguments[3]), size > 0
else {
    print("usage: rondone-fault-writer <directory> <sacks> <batch size>")
    exit(2)
}

/// Writes a line straight to fd 1 (no stdio buffer to lose on kill -9).
func say(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}

if sacks == 0 {
    var options = FileAggregateStore.Options()
    options.segmentBytes = 16 << 10
    options.compactionMinimumDeadBytes = 0
    let store = try FileAggregateStore(directory: arguments[1], options: options)
    let split = SplitAddress(
        aggregation: "mean", granularity: .seconds(60), key: Timestamp(nanoseconds: 0))
    var sequence = 0
    while true {
        let metric = MetricID(high: 0x0123_4567_89ab_cdef, low: UInt64(sequence % 16))
        let buffer = withUnsafeBytes(of: UInt64(sequence).littleEndian) { Array($0) }
        try await store.commit([
            MetricChanges(
                metric: metric, splits: [split: [UInt8](repeating: UInt8(sequence % 256), count: size)],
                buffer: buffer)
        ])
        say("ack \(sequence)")
        sequence += 1
    }
}

let store = try FileIncomingStore(directory: arguments[1], options: .init(sacks: sacks))
var sequence = 0
while true {
    let metric = MetricID(high: 0x0123_4567_89ab_cdef, low: UInt64(sequence % 16))
    let first = Int64(sequence * size)
    let batch = IncomingBatch(
        metric: metric, timestamps: (0..<Int64(size)).map { first + $0 },
        values: [Double](repeating: Double(sequence), count: size))
    try await store.add(batch)
    say("ack \(sequence)")
    sequence += 1
}
