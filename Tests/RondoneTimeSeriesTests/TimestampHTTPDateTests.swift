import Testing

@testable import RondoneTimeSeries

/// HTTP dates against Python's `email.utils.formatdate(ts, usegmt=True)`.
@Suite struct TimestampHTTPDateTests {
    static let vectors: [(Int64, String)] = [
        (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"),
        (1_795_507_509, "Tue, 24 Nov 2026 08:05:09 GMT"),
        (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
        (-86_400, "Wed, 31 Dec 1969 00:00:00 GMT"),
    ]

    @Test func formatsAndReadsBack() {
        for (seconds, text) in Self.vectors {
            let timestamp = Timestamp(nanoseconds: seconds * 1_000_000_000 + 999_999_999)
            #expect(timestamp.httpDate == text)
            #expect(Timestamp(httpDate: text) == Timestamp(nanoseconds: seconds * 1_000_000_000))
        }
    }

    @Test func obsoleteFormsAndGarbage() {
        let expected = Timestamp(nanoseconds: 784_111_777 * 1_000_000_000)
        #expect(Timestamp(httpDate: "Sunday, 06-Nov-94 08:49:37 GMT") == expected)
        #expect(Timestamp(httpDate: "Sun Nov  6 08:49:37 1994") == expected)
        for bad in [
            "", "yesterday", "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
            "Sun, 06 Nov 9999 08:49:37 GMT", "Sun, 06 Nov 1994",
        ] {
            #expect(Timestamp(httpDate: bad) == nil, "\(bad)")
        }
    }
}
