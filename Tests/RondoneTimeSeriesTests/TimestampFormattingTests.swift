import RondoneTesting
import Testing

@testable import RondoneTimeSeries

@Suite struct TimestampFormattingTests {
    @Test func renderingsMatchGnocchi() {
        for (nanoseconds, measure, datetime) in GnocchiTimeVectors.renderings {
            let time = Timestamp(nanoseconds: nanoseconds)
            #expect(time.formatted(.measure) == measure, "\(nanoseconds)")
            #expect(time.formatted(.datetime) == datetime, "\(nanoseconds)")
        }
    }

    @Test func nanosecondStyleKeepsEveryDigit() {
        #expect(
            Timestamp(nanoseconds: 1_412_606_037_000_000_000).formatted(.nanoseconds)
                == "2014-10-06T14:33:57+00:00")
        #expect(
            Timestamp(nanoseconds: 1_412_606_037_000_000_050).formatted(.nanoseconds)
                == "2014-10-06T14:33:57.000000050+00:00")
        #expect(Timestamp(nanoseconds: -1).formatted(.nanoseconds) == "1969-12-31T23:59:59.999999999+00:00")
    }

    @Test func formatAppendsToTheCallersBuffer() {
        var buffer = Array("x=".utf8)
        Timestamp(nanoseconds: 0).format(into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "x=1970-01-01T00:00:00+00:00")
    }

    @Test func datetimePrecisionMatchesItsRendering() {
        let time = Timestamp(nanoseconds: 1_412_606_037_123_456_789)
        #expect(time.roundedToDatetimePrecision.nanoseconds == 1_412_606_037_123_457_000)
    }

    @Test func wholeAndFractionalSecondsRoundTrip() throws {
        for text in [
            "2014-10-06T14:33:57+00:00", "2014-10-06T14:33:57.500000000+00:00",
            "2014-10-06T14:33:57.123456789+00:00", "1970-01-01T00:00:00.000000001+00:00",
            "2262-04-11T23:47:16.854775807+00:00", "2000-02-29T00:00:00+00:00",
        ] {
            #expect(try Timestamp.parse(text, now: fixedNow).formatted(.nanoseconds) == text)
        }
    }

    @Test func randomTimestampsRoundTrip() throws {
        var random = SplitMix64(seed: 0x5EED_71AE)
        for _ in 0..<20_000 {
            let nanoseconds = Int64(random.next() % UInt64(Int64.max))
            let time = Timestamp(nanoseconds: nanoseconds)
            #expect(try Timestamp.parse(time.formatted(.nanoseconds), now: fixedNow) == time)
            let seconds = try Timestamp.parse(time.formatted(.measure), now: fixedNow)
            #expect(seconds.nanoseconds == floorToMultiple(nanoseconds, 1_000_000_000))
            let micro = try Timestamp.parse(time.formatted(.datetime), now: fixedNow)
            #expect(micro == time.roundedToDatetimePrecision)
        }
    }
}
