import Testing

@testable import RondoneTimeSeries

/// A fixed "now" (2026-11-24T08:05:09.363323Z) so relative forms are deterministic.
let fixedNow = Timestamp(nanoseconds: 1_795_507_509_363_323_000)

@Suite struct TimestampParsingTests {
    @Test func absoluteStringsMatchGnocchi() {
        for (input, expected, error) in GnocchiTimeVectors.absolute {
            let result = Result { () throws(TimestampError) in try Timestamp.parse(input, now: fixedNow) }
            switch (result, expected, error) {
            case (.success(let value), let nanoseconds?, _):
                #expect(value.nanoseconds == nanoseconds, "\(input.debugDescription)")
            case (.failure(let failure), nil, let message?):
                let expectedError: TimestampError =
                    message == "NaT"
                    ? .notATime : message == "Timestamp must be after Epoch" ? .beforeEpoch : .unableToConvert
                #expect(failure == expectedError, "\(input.debugDescription)")
            default:
                Issue.record(
                    "\(input.debugDescription): got \(result), Gnocchi \(String(describing: expected)) \(String(describing: error))"
                )
            }
        }
    }

    @Test func relativeStringsAreOffsetsFromNow() {
        for (input, offset) in GnocchiTimeVectors.relative {
            let result = try? Timestamp.parse(input, now: fixedNow)
            #expect(
                result?.nanoseconds == offset.map { fixedNow.nanoseconds + $0 }, "\(input.debugDescription)")
        }
    }

    /// Found by fuzz-timestamp: a decimal field too large for the exact sum trapped
    /// (Int128 overflow) instead of being refused.
    @Test func hugeDecimalFieldsAreRefusedNotTrapped() {
        for input in ["13333333333233333. d3h", "999999999999999999.5 weeks", "999999999999999999.9w 1d"] {
            #expect(throws: TimestampError.self) { try Timestamp.parse(input, now: fixedNow) }
        }
    }

    @Test func nowAndTodayFollowTheClockParameter() throws {
        #expect(try Timestamp.parse("now", now: fixedNow).nanoseconds == 1_795_507_509_000_000_000)
        #expect(try Timestamp.parse("TODAY", now: fixedNow).nanoseconds == 1_795_478_400_000_000_000)
        #expect(throws: TimestampError.unableToConvert) { try Timestamp.parse(" now", now: fixedNow) }
    }

    @Test func epochNumbersMatchGnocchi() {
        for (seconds, expected, error) in GnocchiTimeVectors.epochNumbers {
            let result = try? Timestamp(epochSeconds: seconds)
            #expect(result?.nanoseconds == expected, "\(seconds)")
            if error == "Timestamp must be after Epoch" {
                #expect(throws: TimestampError.beforeEpoch) { try Timestamp(epochSeconds: seconds) }
            }
        }
        #expect(throws: TimestampError.notATime) { try Timestamp(epochSeconds: .nan) }
        #expect(throws: TimestampError.notATime) { try Timestamp(epochSeconds: .infinity) }
    }

    @Test func bytesAndStringEntryPointsAgree() throws {
        let text = "2014-10-06T14:33:57.123456789+02:00"
        let fromBytes = try Timestamp(parsing: Array(text.utf8), now: fixedNow)
        let fromSlice = try Timestamp(parsing: Array(text.utf8)[...], now: fixedNow)
        #expect(fromBytes == (try Timestamp.parse(text, now: fixedNow)))
        #expect(fromSlice.nanoseconds == 1_412_598_837_123_456_789)
    }

    @Test func nowReadsTheSystemClock() {
        // 2020-01-01 and 2200-01-01: a clock outside these is broken, not the code.
        let now = Timestamp.now().nanoseconds
        #expect(now > 1_577_836_800_000_000_000 && now < 7_258_118_400_000_000_000)
    }
}

@Suite struct TimestampListParserTests {
    @Test func firstElementDecidesEpochMode() throws {
        var parser = TimestampListParser(now: fixedNow)
        #expect(try parser.parse(integer: 1_412_606_037).nanoseconds == 1_412_606_037_000_000_000)
        #expect(parser.mode == .epochSeconds)
        #expect(try parser.parse(string: "1412606037.5".utf8).nanoseconds == 1_412_606_037_500_000_000)
        #expect(throws: TimestampError.unableToConvert) { try parser.parse(string: "2014-10-06".utf8) }
    }

    @Test func firstElementDecidesISOMode() throws {
        var parser = TimestampListParser(now: fixedNow)
        #expect(try parser.parse(string: "2014-10-06".utf8).nanoseconds == 1_412_553_600_000_000_000)
        #expect(parser.mode == .iso8601)
        // numpy casts an integer into datetime64[ns] as a count of nanoseconds.
        #expect(try parser.parse(integer: 5).nanoseconds == 5)
        #expect(try parser.parse(string: "now".utf8).nanoseconds == 1_795_507_509_000_000_000)
        #expect(throws: TimestampError.unableToConvert) { try parser.parse(string: "-5s".utf8) }
        #expect(throws: TimestampError.unableToConvert) { try parser.parse(number: 5.5) }
    }

    @Test func firstElementDecidesRelativeMode() throws {
        var parser = TimestampListParser(now: fixedNow)
        #expect(try parser.parse(string: "-5s".utf8).nanoseconds == fixedNow.nanoseconds - 5_000_000_000)
        #expect(parser.mode == .relative)
        #expect(try parser.parse(integer: 5).nanoseconds == fixedNow.nanoseconds + 5_000_000_000)
        #expect(try parser.parse(number: 1.5).nanoseconds == fixedNow.nanoseconds + 1_500_000_000)
        #expect(try parser.parse(string: "5".utf8).nanoseconds == fixedNow.nanoseconds + 5_000_000_000)
        #expect(throws: TimestampError.unableToConvert) { try parser.parse(string: "2014-10-06".utf8) }
        #expect(throws: TimestampError.unableToConvert) { try parser.parse(string: "now".utf8) }
    }
}
