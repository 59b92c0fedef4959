import RondoneStorage
import RondoneTesting
import Testing

/// The behaviour every `IncomingStore` driver must have, runnable against any driver:
/// give it a factory of fresh empty stores and run each `Check`.
struct IncomingStoreContract: Sendable {
    /// Opens a new, empty store with the given number of sacks.
    let makeStore: @Sendable (_ sacks: Int) async throws -> any IncomingStore
    /// Called when a check is done with a store (close it, remove its files).
    let dispose: @Sendable (any IncomingStore) async -> Void

    enum Check: String, CaseIterable, Sendable {
        case sacksFollowGnocchi, claimSackReturnsEverythingInOrder, claimMetricTakesOnlyThatMetric,
            measuresAddedDuringClaimWait, releaseKeepsMeasures, oneClaimPerSack, completeTwiceFails,
            backlogCounts, emptyBatchIsKept, deleteUnprocessed, badBatchStoresNothing, randomModel,
            concurrentWriters
    }

    func run(_ check: Check) async throws {
        let store = try await makeStore(check == .sacksFollowGnocchi ? 7 : 8)
        do {
            try await run(check, on: store)
        } catch {
            await dispose(store)
            throw error
        }
        await dispose(store)
    }

    private func run(_ check: Check, on store: any IncomingStore) async throws {
        var random = SplitMix64(seed: UInt64(Check.allCases.firstIndex(of: check)!) + 1)
        switch check {
        case .sacksFollowGnocchi:
            #expect(store.sackCount == 7)
            let metrics = (0..<20).map { _ in random.metric() }
            for (n, metric) in metrics.enumerated() {
                try await store.add(makeBatch(metric, first: Int64(n), count: 1))
            }
            for sack in 0..<7 {
                let expected = Set(metrics.filter { $0.sack(among: 7) == sack })
                #expect(Set(try await store.backlog(sack: sack).keys) == expected)
            }
            #expect(store.sackName(3) == "incoming7-3")

        case .claimSackReturnsEverythingInOrder:
            let (a, b) = (random.metric(), random.metric())
            let batches = [
                makeBatch(a, first: 50, count: 3), makeBatch(b, first: 0, count: 2),
                makeBatch(a, first: 10, count: 1),
            ]
            for batch in batches { try await store.add(batch) }
            let taken = try await drainAll(store)
            #expect(taken[a] == concatenated([batches[0], batches[2]]))
            #expect(taken[b] == batches[1])
            #expect(taken.count == 2)
            #expect(try await drainAll(store).isEmpty)

        case .claimMetricTakesOnlyThatMetric:
            let metrics = (0..<30).map { _ in random.metric() }
            for (n, metric) in metrics.enumerated() {
                try await store.add(makeBatch(metric, first: Int64(n), count: 4))
            }
            let claim = try await store.claim(metric: metrics[3])
            #expect(claim.metric == metrics[3] && claim.sack == metrics[3].sack(among: store.sackCount))
            #expect(claim.measures == [metrics[3]: makeBatch(metrics[3], first: 3, count: 4)])
            try await store.complete(claim)
            #expect(try await store.hasUnprocessed(metric: metrics[3]) == false)
            let rest = try await drainAll(store)
            #expect(rest.count == 29 && rest[metrics[3]] == nil)
            #expect(rest[metrics[4]] == makeBatch(metrics[4], first: 4, count: 4))

        case .measuresAddedDuringClaimWait:
            let metric = random.metric()
            let sack = metric.sack(among: store.sackCount)
            try await store.add(makeBatch(metric, first: 0, count: 2))
            let claim = try await store.claim(sack: sack)
            try await store.add(makeBatch(metric, first: 100, count: 3))
            try await store.complete(claim)
            #expect(claim.measures[metric] == makeBatch(metric, first: 0, count: 2))
            let metricClaim = try await store.claim(metric: metric)
            try await store.add(makeBatch(metric, first: 200, count: 1))
            try await store.complete(metricClaim)
            #expect(metricClaim.measures[metric] == makeBatch(metric, first: 100, count: 3))
            let last = try await store.claim(sack: sack)
            #expect(last.measures == [metric: makeBatch(metric, first: 200, count: 1)])
            try await store.complete(last)

        case .releaseKeepsMeasures:
            let metric = random.metric()
            try await store.add(makeBatch(metric, first: 5, count: 5))
            let first = try await store.claim(sack: metric.sack(among: store.sackCount))
            await store.release(first)
            let again = try await store.claim(metric: metric)
            #expect(again.measures == first.measures && !again.measures.isEmpty)
            await store.release(again)
            #expect(try await drainAll(store)[metric] == makeBatch(metric, first: 5, count: 5))

        case .oneClaimPerSack:
            let metric = random.metric()
            let sack = metric.sack(among: store.sackCount)
            let claim = try await store.claim(sack: sack)
            await #expect(throws: StorageError.claimOutstanding(sack: sack)) {
                try await store.claim(sack: sack)
            }
            await #expect(throws: StorageError.claimOutstanding(sack: sack)) {
                try await store.claim(metric: metric)
            }
            let other = try await store.claim(sack: (sack + 1) % store.sackCount)  // other sacks are free
            try await store.complete(other)
            try await store.complete(claim)
            try await store.complete(try await store.claim(sack: sack))

        case .completeTwiceFails:
            let metric = random.metric()
            try await store.add(makeBatch(metric, first: 0, count: 1))
            let claim = try await store.claim(metric: metric)
            try await store.complete(claim)
            await #expect(throws: StorageError.unknownClaim) { try await store.complete(claim) }

        case .backlogCounts:
            let (a, b) = (random.metric(), random.metric())
            for batch in [
                makeBatch(a, first: 0, count: 3), makeBatch(a, first: 9, count: 4),
                makeBatch(b, first: 0, count: 1),
            ] {
                try await store.add(batch)
            }
            #expect(
                try await store.backlog(sack: a.sack(among: store.sackCount))[a]
                    == PendingCount(batches: 2, measures: 7))
            let summary = try await store.backlogSummary()
            #expect(summary.metrics == 2 && summary.batches == 3 && summary.measures == 8)
            #expect(summary.sacks.count == store.sackCount)
            #expect(summary.sacks[b.sack(among: store.sackCount)].batches >= 1)
            #expect(try await store.hasUnprocessed(metric: random.metric()) == false)

        case .emptyBatchIsKept:
            // Gnocchi 4.7.1 accepts `[]` (202) and shows it in /v1/status as one measure
            // waiting until processed (checked against the real server).
            let metric = random.metric()
            try await store.add(IncomingBatch(metric: metric, timestamps: [], values: []))
            #expect(
                try await store.backlog(sack: metric.sack(among: store.sackCount))[metric]
                    == PendingCount(batches: 1, measures: 0))
            let claim = try await store.claim(metric: metric)
            #expect(claim.measures == [metric: IncomingBatch(metric: metric, timestamps: [], values: [])])
            try await store.complete(claim)
            #expect(try await store.backlogSummary().batches == 0)

        case .deleteUnprocessed:
            let (a, b) = (random.metric(), random.metric())
            try await store.add([makeBatch(a, first: 0, count: 3), makeBatch(b, first: 0, count: 2)])
            try await store.deleteUnprocessed(metric: a)
            try await store.add(makeBatch(a, first: 50, count: 1))  // after the delete: kept
            let taken = try await drainAll(store)
            #expect(taken[a] == makeBatch(a, first: 50, count: 1))
            #expect(taken[b] == makeBatch(b, first: 0, count: 2))

        case .badBatchStoresNothing:
            let metric = random.metric()
            let bad = IncomingBatch(metric: metric, timestamps: [1, 2], values: [1])
            await #expect(throws: StorageError.mismatchedLengths(timestamps: 2, values: 1)) {
                try await store.add([makeBatch(metric, first: 0, count: 1), bad])
            }
            #expect(try await store.backlogSummary().batches == 0)

        case .randomModel:
            try await randomModel(store, &random)

        case .concurrentWriters:
            let metrics = (0..<64).map { _ in random.metric() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (writer, metric) in metrics.enumerated() {
                    group.addTask {
                        for round in 0..<25 {
                            try await store.add(
                                makeBatch(metric, first: Int64(round * 10), count: writer % 5 + 1))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let taken = try await drainAll(store)
            #expect(taken.count == 64)
            for (writer, metric) in metrics.enumerated() {
                let expected = concatenated(
                    (0..<25).map { makeBatch(metric, first: Int64($0 * 10), count: writer % 5 + 1) })
                #expect(taken[metric] == expected)
            }
        }
    }

    /// Random adds, sack and metric claims (completed or released) against a model:
    /// every measure added comes out of exactly one completed claim.
    private func randomModel(_ store: any IncomingStore, _ random: inout SplitMix64) async throws {
        let metrics = (0..<12).map { _ in random.metric() }
        var waiting: [MetricID: [IncomingBatch]] = [:]
        var processed: [MetricID: [IncomingBatch]] = [:]
        var added: [MetricID: [IncomingBatch]] = [:]
        var clock: Int64 = 0
        for _ in 0..<300 {
            let metric = metrics[Int.random(in: 0..<metrics.count, using: &random)]
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<6:
                let batch = makeBatch(metric, first: clock, count: Int.random(in: 1...20, using: &random))
                clock += 100
                try await store.add(batch)
                waiting[metric, default: []].append(batch)
                added[metric, default: []].append(batch)
            case 6..<8:
                let claim = try await store.claim(metric: metric)
                #expect(claim.measures[metric] == concatenated(waiting[metric] ?? []))
                if Bool.random(using: &random) {
                    try await store.complete(claim)
                    processed[metric, default: []] += waiting.removeValue(forKey: metric) ?? []
                } else {
                    await store.release(claim)
                }
            default:
                let sack = metric.sack(among: store.sackCount)
                let claim = try await store.claim(sack: sack)
                let expected = waiting.filter { $0.key.sack(among: store.sackCount) == sack }
                #expect(claim.measures == expected.compactMapValues(concatenated))
                try await store.complete(claim)
                for metric in expected.keys {
                    processed[metric, default: []] += waiting.removeValue(forKey: metric)!
                }
            }
        }
        for (metric, batch) in try await drainAll(store) {
            #expect(batch == concatenated(waiting[metric] ?? []))
            processed[metric, default: []] += waiting.removeValue(forKey: metric) ?? []
        }
        for metric in metrics {
            let sortedBy = { (batches: [IncomingBatch]) in
                batches.sorted { $0.timestamps[0] < $1.timestamps[0] }
            }
            #expect(sortedBy(processed[metric] ?? []) == sortedBy(added[metric] ?? []))
        }
    }
}
