import Testing

@testable import RondoneS3

/// A rough figure, not a benchmark with a threshold: puts and gets of 4 KiB objects
/// against the test server, printed. Runs only with `RONDONE_TEST_S3_THROUGHPUT=1`
/// (e.g. `RONDONE_TEST_S3_THROUGHPUT=1 swift test --filter S3ThroughputReport`).
@Suite(
    .serialized,
    .enabled(if: S3TestServer.available && S3TestServer.environment["RONDONE_TEST_S3_THROUGHPUT"] == "1"))
struct S3ThroughputReport {
    @Test(arguments: [1, 8])
    func fourKilobyteObjects(concurrency: Int) async throws {
        let prefix = S3TestServer.prefix("throughput-\(concurrency)")
        let count = 400
        let body = S3TestServer.bytes(4096, seed: 4)
        try await S3TestServer.withClient { s3 in
            let clock = ContinuousClock()
            let putTime = try await clock.measure {
                try await Self.run(count, concurrency) {
                    try await s3.putObject(key: "\(prefix)\($0)", bytes: body)
                }
            }
            let getTime = try await clock.measure {
                try await Self.run(count, concurrency) { _ = try await s3.getObject(key: "\(prefix)\($0)") }
            }
            print(
                "S3 throughput, 4 KiB objects, \(concurrency) concurrent: "
                    + "put \(Self.rate(count, putTime)) objects/s, get \(Self.rate(count, getTime)) objects/s"
            )
            try await s3.deleteObjects(keys: (0..<count).map { "\(prefix)\($0)" })
        }
    }

    static func run(
        _ count: Int, _ concurrency: Int, _ operation: @escaping @Sendable (Int) async throws -> Void
    )
        async throws
    {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    for index in stride(from: worker, to: count, by: concurrency) {
                        try await operation(index)
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    static func rate(_ count: Int, _ duration: Duration) -> Int {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return Int(Double(count) / seconds)
    }
}
