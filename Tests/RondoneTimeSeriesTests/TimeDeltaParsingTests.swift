import Testing

@testable import RondoneTimeSeries

@Suite struct TimeDeltaParsingTests {
    @Test func timespansMatchGnocchi() {
        for (input, expected, error) in GnocchiTimeVectors.timespans {
            let result = Result { () throws(TimespanError) in try TimeDelta.parseTimespan(input) }
            switch (result, expected) {
            case (.success(let value), let nanoseconds?):
                #expect(value.nanoseconds == nanoseconds, "\(input.debugDescription)")
            case (.failure(let failure), nil):
                if error == "overflow" {
                    #expect(failure == .outOfRange, "\(input.debugDescription)")
                } else {
                    #expect(failure.message == error, "\(input.debugDescription)")
                }
            default:
                Issue.record(
                    "\(input.debugDescription): got \(result), Gnocchi \(String(describing: expected))")
            }
        }
    }

    @Test func numbersAreFloatSecondsTruncated() throws {
        #expect(try TimeDelta(timespanSeconds: 300).nanoseconds == 300_000_000_000)
        #expect(try TimeDelta(timespanSeconds: 0.3).nanoseconds == 300_000_000)
        #expect(try TimeDelta(timespanSeconds: -2, allowNonPositive: true).nanoseconds == -2_000_000_000)
        #expect(throws: TimespanError.notPositive) { try TimeDelta(timespanSeconds: 0) }
        #expect(throws: TimespanError.notANumber) { try TimeDelta(timespanSeconds: .nan) }
        #expect(throws: TimespanError.outOfRange) { try TimeDelta(timespanSeconds: 1e10) }
    }

    @Test func formattingMatchesPythonTimedelta() {
        for (nanoseconds, text) in GnocchiTimeVectors.timedeltaStrings {
            #expect(TimeDelta(nanoseconds: nanoseconds).formatted == text, "\(nanoseconds)")
        }
    }
}
