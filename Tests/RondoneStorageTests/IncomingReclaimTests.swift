import Foundation
import RondoneStorage
import RondoneTesting
import Testing

/// Processed segments leave the disk: after refresh claims, `deleteUnprocessed` and on
/// open, every segment before the oldest waiting record is deleted, and nothing that
/// waits is ever lost with it.
@Suite struct IncomingReclaimTests {
    let a = MetricID(high: 1, low: 1)
    let b = MetricID(high: 2, low: 2)
    let c = MetricID(high: 3, low: 3)

    func open(_ directory: TestDirectory) throws -> FileIncomingStore {
        try FileIncomingStore(directory: directory.path, options: .init(sacks: 1))
    }

    func refresh(_ store: FileIncomingStore, _ metric: MetricID) async throws -> IncomingBatch? {
        let claim = try await store.claim(metric: metric)
        try await store.complete(claim)
        return claim.measures[metric]
    }

    @Test func refreshClaimsDeleteTheSegmentsTheyEmptied() async throws {
        let directory = TestDirectory("reclaim")
        defer { directory.remove() }
        let store = try open(directory)
        try await store.add([makeBatch(a, first: 0, count: 3), makeBatch(b, first: 0, count: 4)])
        #expect(try await refresh(store, a) == makeBatch(a, first: 0, count: 3))
        // b still waits in the only segment: it stays.
        #expect(directory.files(endingWith: ".log").count == 1)
        #expect(try await refresh(store, b) == makeBatch(b, first: 0, count: 4))
        #expect(directory.files(endingWith: ".log").isEmpty)
        // The sack takes new measures in a new segment, and they survive a reopen.
        try await store.add(makeBatch(c, first: 100, count: 2))
        store.close()
        let reopened = try open(directory)
        defer { reopened.close() }
        #expect(try await reopened.backlog(sack: 0).keys.sorted { "\($0)" < "\($1)" } == [c])
        #expect(try await refresh(reopened, c) == makeBatch(c, first: 100, count: 2))
        #expect(directory.files(endingWith: ".log").isEmpty)
    }

    @Test func aSegmentBeforeAWaitingRecordIsNeverDeleted() async throws {
        let directory = TestDirectory("reclaim-keep")
        defer { directory.remove() }
        do {
            let store = try open(directory)
            try await store.add(makeBatch(a, first: 0, count: 2))  // segment 1
            store.close()
        }
        do {
            let store = try open(directory)
            try await store.add(makeBatch(b, first: 0, count: 5))  // segment 2
            #expect(try await refresh(store, b) == makeBatch(b, first: 0, count: 5))
            // a waits in segment 1, so neither segment 1 nor anything after it goes.
            #expect(directory.files(endingWith: ".log").count == 2)
            store.close()
        }
        do {
            let store = try open(directory)
            #expect(try await store.backlog(sack: 0).keys.sorted { "\($0)" < "\($1)" } == [a])
            #expect(try await refresh(store, a) == makeBatch(a, first: 0, count: 2))
            #expect(directory.files(endingWith: ".log").isEmpty)
            store.close()
        }
        let store = try open(directory)
        defer { store.close() }
        #expect(try await store.backlog(sack: 0).isEmpty)
    }

    @Test func openFinishesAReclaimACrashInterrupted() async throws {
        let directory = TestDirectory("reclaim-open")
        defer { directory.remove() }
        do {
            let store = try open(directory)
            try await store.add(makeBatch(a, first: 0, count: 2))  // segment 1
            store.close()
        }
        let segment1 = try #require(directory.files(endingWith: ".log").first)
        let saved = try Data(contentsOf: URL(fileURLWithPath: segment1))
        do {
            let store = try open(directory)
            try await store.add(makeBatch(b, first: 0, count: 2))  // segment 2
            #expect(try await refresh(store, a) == makeBatch(a, first: 0, count: 2))  // its mark: segment 2
            #expect(directory.files(endingWith: ".log").count == 1)
            store.close()
        }
        // A crash after the consumed mark was durable, before segment 1 was unlinked.
        try saved.write(to: URL(fileURLWithPath: segment1))
        let store = try open(directory)
        defer { store.close() }
        #expect(directory.files(endingWith: ".log").count == 1)
        #expect(try await store.backlog(sack: 0).keys.sorted { "\($0)" < "\($1)" } == [b])
        #expect(try await refresh(store, a) == nil)
        #expect(try await refresh(store, b) == makeBatch(b, first: 0, count: 2))
        #expect(directory.files(endingWith: ".log").isEmpty)
    }

    @Test func deleteUnprocessedDeletesWhatItEmptied() async throws {
        let directory = TestDirectory("reclaim-delete")
        defer { directory.remove() }
        let store = try open(directory)
        defer { store.close() }
        try await store.add(makeBatch(a, first: 0, count: 2))
        try await store.deleteUnprocessed(metric: a)
        #expect(directory.files(endingWith: ".log").isEmpty)
        #expect(try await store.backlog(sack: 0).isEmpty)
    }

    @Test func aClaimedSackKeepsItsSegmentsUntilComplete() async throws {
        let directory = TestDirectory("reclaim-claimed")
        defer { directory.remove() }
        let store = try open(directory)
        defer { store.close() }
        try await store.add([makeBatch(a, first: 0, count: 2), makeBatch(b, first: 0, count: 2)])
        let claim = try await store.claim(sack: 0)
        // deleteUnprocessed cannot reclaim while the claim holds the sack.
        try await store.deleteUnprocessed(metric: a)
        #expect(directory.files(endingWith: ".log").count == 2)  // the claim's and the mark's
        try await store.complete(claim)
        #expect(directory.files(endingWith: ".log").count == 1)  // the mark's segment
    }
}
