import RondoneIndexer
import RondoneTimeSeries
import Synchronization
import Testing

@Suite("Index change feed")
struct IndexChangeFeedTests {
    static func metric(_ n: UInt64) -> MetricID { MetricID(high: 0, low: n) }

    @Test func aReaderGetsTheChangesAfterItsGeneration() {
        let feed = IndexChangeFeed()
        #expect(feed.generation == 0)
        feed.record(.metrics([Self.metric(1)]))
        feed.record(.everything)
        #expect(feed.generation == 2)
        #expect(feed.changes(since: 0)?.changes == [.metrics([Self.metric(1)]), .everything])
        #expect(feed.changes(since: 1)?.changes == [.everything])
        #expect(feed.changes(since: 2)?.changes == [])
        #expect(feed.changes(since: 2)?.generation == 2)
        // A generation the feed never had.
        #expect(feed.changes(since: 3) == nil)
    }

    @Test func aReaderTooFarBehindReadsEverythingAgain() {
        let feed = IndexChangeFeed(capacity: 3)
        for n in 1...5 { feed.record(.metrics([Self.metric(UInt64(n))])) }
        #expect(feed.changes(since: 0) == nil)
        #expect(feed.changes(since: 1) == nil)
        #expect(feed.changes(since: 2)?.changes.count == 3)
        #expect(feed.changes(since: 4)?.changes == [.metrics([Self.metric(5)])])
    }

    @Test func observersHearEachChange() {
        let feed = IndexChangeFeed()
        let heard = Counter()
        feed.observe { heard.add() }
        feed.record(.everything)
        feed.record(.resources([]))
        #expect(heard.value == 2)
    }

    final class Counter: Sendable {
        private let count = Mutex(0)
        func add() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
    }
}
