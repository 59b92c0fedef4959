import RondoneStorage
import RondoneTesting
import RondoneTimeSeries
import Testing

/// The behaviour every `AggregateStore` driver must have, runnable against any driver.
struct AggregateStoreContract: Sendable {
    /// Opens a new, empty store.
    let makeStore: @Sendable () async throws -> any AggregateStore
    /// Called when a check is done with a store.
    let dispose: @Sendable (any AggregateStore) async -> Void

    enum Check: String, CaseIterable, Sendable {
        case bufferLifecycle, splitLifecycle, splitKeysPerSeries, deleteMetric, blobsAreOpaque, invalidName,
            concurrentPuts, commitAppliesEveryChange, concurrentCommitsKeepEveryMethod, splitsInRanges
    }

    func run(_ check: Check) async throws {
        let store = try await makeStore()
        do {
            try await run(check, on: store)
        } catch {
            await dispose(store)
            throw error
        }
        await dispose(store)
    }

    private func key(_ aggregation: String, _ granularitySeconds: Int64, _ keySeconds: Int64) -> SplitAddress
    {
        SplitAddress(
            aggregation: aggregation, granularity: TimeDelta(nanoseconds: granularitySeconds * 1_000_000_000),
            key: Timestamp(nanoseconds: keySeconds * 1_000_000_000))
    }

    private func run(_ check: Check, on store: any AggregateStore) async throws {
        var random = SplitMix64(seed: 100 + UInt64(Check.allCases.firstIndex(of: check)!))
        let metric = random.metric()
        let other = random.metric()
        switch check {
        case .bufferLifecycle:
            #expect(try await store.buffer(of: metric) == nil)
            try await store.putBuffer([1, 2, 3], for: metric)
            #expect(try await store.buffer(of: metric) == [1, 2, 3])
            try await store.putBuffer([9], for: metric)
            #expect(try await store.buffer(of: metric) == [9])
            #expect(try await store.buffer(of: other) == nil)
            try await store.deleteBuffer(of: metric)
            #expect(try await store.buffer(of: metric) == nil)
            try await store.deleteBuffer(of: metric)  // deleting nothing is fine

        case .splitLifecycle:
            let k = key("mean", 300, 1_700_000_000)
            #expect(try await store.split(k, of: metric) == nil)
            try await store.putSplit([4, 5], k, for: metric)
            #expect(try await store.split(k, of: metric) == [4, 5])
            try await store.putSplit([6], k, for: metric)
            #expect(try await store.split(k, of: metric) == [6])
            #expect(try await store.split(key("max", 300, 1_700_000_000), of: metric) == nil)
            #expect(try await store.split(k, of: other) == nil)
            try await store.deleteSplit(k, of: metric)
            #expect(try await store.split(k, of: metric) == nil)
            try await store.deleteSplit(k, of: metric)

        case .splitKeysPerSeries:
            let keys: [Int64] = [86400, -3600, 0, 7200, 1_700_000_000]
            for seconds in keys { try await store.putSplit([1], key("rate:mean", 60, seconds), for: metric) }
            try await store.putSplit([1], key("rate:mean", 3600, 5), for: metric)
            try await store.putSplit([1], key("95pct", 60, 6), for: metric)
            let listed = try await store.splitKeys(
                of: metric, aggregation: "rate:mean", granularity: TimeDelta(nanoseconds: 60_000_000_000))
            #expect(listed == keys.sorted().map { Timestamp(nanoseconds: $0 * 1_000_000_000) })
            #expect(
                try await store.splitKeys(
                    of: other, aggregation: "rate:mean", granularity: TimeDelta(nanoseconds: 60)
                )
                .isEmpty)

        case .splitsInRanges:
            // Many metrics (enough for a driver to split the work), two methods sharing
            // keys, two granularities, and ranges bounded on either side.
            let metrics = (0..<300).map { _ in random.metric() }
            let minute = TimeDelta(nanoseconds: 60_000_000_000)
            try await store.commit(
                metrics.enumerated().map { index, metric in
                    var change = MetricChanges(metric: metric)
                    for seconds: Int64 in [0, 216_000, 432_000] {
                        change.splits[key("mean", 60, seconds)] = [UInt8(index % 256), 1]
                    }
                    change.splits[key("max", 60, 216_000)] = [UInt8(index % 256), 2]
                    change.splits[key("mean", 3600, 0)] = [UInt8(index % 256), 3]
                    return change
                })
            func at(_ seconds: Int64) -> Timestamp { Timestamp(nanoseconds: seconds * 1_000_000_000) }
            var ranges = metrics.map {
                SplitRange(metric: $0, aggregation: "mean", granularity: minute, first: nil, last: nil)
            }
            ranges.append(
                SplitRange(
                    metric: metrics[1], aggregation: "mean", granularity: minute, first: at(1), last: nil))
            ranges.append(
                SplitRange(
                    metric: metrics[2], aggregation: "mean", granularity: minute, first: nil,
                    last: at(216_000)))
            ranges.append(
                SplitRange(metric: metrics[3], aggregation: "max", granularity: minute, first: nil, last: nil)
            )
            ranges.append(
                SplitRange(metric: metrics[4], aggregation: "sum", granularity: minute, first: nil, last: nil)
            )
            ranges.append(
                SplitRange(metric: other, aggregation: "mean", granularity: minute, first: nil, last: nil))
            let found = try await store.splits(in: ranges)
            #expect(found.count == ranges.count)
            for (index, _) in metrics.enumerated() {
                #expect(found[index].map(\.key) == [at(0), at(216_000), at(432_000)])
                #expect(found[index].allSatisfy { $0.bytes == [UInt8(index % 256), 1] })
            }
            #expect(found[300].map(\.key) == [at(216_000), at(432_000)])
            #expect(found[301].map(\.key) == [at(0), at(216_000)])
            #expect(found[302].map(\.key) == [at(216_000)] && found[302].first?.bytes == [3, 2])
            #expect(found[303].isEmpty)
            #expect(found[304].isEmpty)

        case .deleteMetric:
            try await store.putBuffer([1], for: metric)
            try await store.putSplit([2], key("mean", 1, 0), for: metric)
            try await store.putSplit([3], key("mean", 1, 0), for: other)
            try await store.deleteMetric(metric)
            #expect(try await store.buffer(of: metric) == nil)
            #expect(try await store.split(key("mean", 1, 0), of: metric) == nil)
            #expect(
                try await store.splitKeys(
                    of: metric, aggregation: "mean", granularity: TimeDelta(nanoseconds: 1_000_000_000)
                ).isEmpty)
            #expect(try await store.split(key("mean", 1, 0), of: other) == [3])
            try await store.deleteMetric(random.metric())  // unknown metric: nothing to do
            var waited = 0
            while try await store.pendingDeletions() > 0 && waited < 500 {
                try await Task.sleep(for: .milliseconds(10))
                waited += 1
            }
            #expect(try await store.pendingDeletions() == 0)
            try await store.putBuffer([7], for: metric)  // the metric id can be reused
            #expect(try await store.buffer(of: metric) == [7])

        case .blobsAreOpaque:
            let empty: [UInt8] = []
            try await store.putBuffer(empty, for: metric)
            #expect(try await store.buffer(of: metric) == empty)
            let big = (0..<(1 << 20) + 3).map { _ in UInt8.random(in: 0...255, using: &random) }
            try await store.putSplit(big, key("mean", 1, 1), for: metric)
            #expect(try await store.split(key("mean", 1, 1), of: metric) == big)

        case .invalidName:
            for name in ["", ".", "..", "a/b", "x\u{0}"] {
                await #expect(throws: StorageError.invalidName(name)) {
                    try await store.putSplit([1], key(name, 1, 1), for: metric)
                }
            }

        case .concurrentPuts:
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<64 {
                    group.addTask {
                        try await store.putSplit([UInt8(n)], key("mean", 1, Int64(n)), for: metric)
                        try await store.putSplit([UInt8(n), 1], key("mean", 1, 1000), for: metric)
                    }
                }
                try await group.waitForAll()
            }
            let keys = try await store.splitKeys(
                of: metric, aggregation: "mean", granularity: TimeDelta(nanoseconds: 1_000_000_000))
            #expect(keys.count == 65)
            for n in 0..<64 {
                #expect(try await store.split(key("mean", 1, Int64(n)), of: metric) == [UInt8(n)])
            }
            let last = try #require(try await store.split(key("mean", 1, 1000), of: metric))
            #expect(last.count == 2 && last[1] == 1)  // one whole write won, never a mix

        case .commitAppliesEveryChange:
            let third = random.metric()
            try await store.putSplit([1], key("mean", 60, 0), for: metric)
            try await store.putSplit([2], key("max", 60, 0), for: metric)
            try await store.putSplit([3], key("mean", 60, 3600), for: metric)
            try await store.putBuffer([4], for: metric)
            try await store.commit([
                MetricChanges(
                    metric: metric,
                    splits: [key("mean", 60, 0): [10], key("mean", 1, 0): [11], key("sum", 60, 0): [12]],
                    deletedSplits: [key("mean", 60, 3600), key("sum", 60, 0), key("min", 60, 7)],
                    buffer: [13]),
                MetricChanges(metric: other, splits: [key("count", 3600, -3600): [20]]),
                MetricChanges(metric: third, buffer: [30]),
                MetricChanges(metric: random.metric()),
            ])
            #expect(try await store.split(key("mean", 60, 0), of: metric) == [10])
            #expect(try await store.split(key("max", 60, 0), of: metric) == [2])  // untouched
            #expect(try await store.split(key("mean", 1, 0), of: metric) == [11])
            #expect(try await store.split(key("sum", 60, 0), of: metric) == nil)  // put and deleted
            #expect(try await store.split(key("mean", 60, 3600), of: metric) == nil)
            #expect(try await store.buffer(of: metric) == [13])
            #expect(try await store.split(key("count", 3600, -3600), of: other) == [20])
            #expect(try await store.buffer(of: other) == nil)
            #expect(try await store.buffer(of: third) == [30])
            let sixty = TimeDelta(nanoseconds: 60_000_000_000)
            #expect(
                try await store.splitKeys(of: metric, aggregation: "mean", granularity: sixty)
                    == [Timestamp(nanoseconds: 0)])
            #expect(try await store.splitKeys(of: metric, aggregation: "sum", granularity: sixty).isEmpty)
            let addresses = [key("max", 60, 0), key("min", 60, 0), key("mean", 1, 0), key("mean", 60, 0)]
            let batch = try await store.splits(addresses, of: metric)
            #expect(batch == [[2], nil, [11], [10]])
            try await store.commit([])  // nothing to do

        case .concurrentCommitsKeepEveryMethod:
            // Methods of one granularity and key may share storage: concurrent writers
            // of different methods must not undo each other.
            let methods = (0..<24).map { "m\($0)" }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (n, method) in methods.enumerated() {
                    group.addTask {
                        try await store.commit([
                            MetricChanges(
                                metric: metric, splits: [key(method, 60, 0): [UInt8(n)]], buffer: [UInt8(n)])
                        ])
                    }
                }
                try await group.waitForAll()
            }
            for (n, method) in methods.enumerated() {
                #expect(try await store.split(key(method, 60, 0), of: metric) == [UInt8(n)])
                #expect(
                    try await store.splitKeys(
                        of: metric, aggregation: method, granularity: TimeDelta(nanoseconds: 60_000_000_000))
                        == [Timestamp(nanoseconds: 0)])
            }
            #expect(try await store.buffer(of: metric).map(\.count) == 1)
        }
    }
}
