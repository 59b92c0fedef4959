import FuzzSupport
import RondoneTimeSeries

// Time stamps as the API reads them: query parameters (`start`, `stop`, `search`'s
// operands) through `Timestamp.parse`, measures' time stamps through
// `TimestampListParser` (the mode set by the first element), timespans
// (`granularity`, archive policy definitions) and HTTP dates (`If-Modified-Since`).

/// libFuzzer's entry: one input, every parser.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = input(data, size)
    let text = String(decoding: bytes, as: UTF8.self)
    if let parsed = try? Timestamp.parse(text, now: fuzzNow) {
        _ = parsed.formatted(.measure)
    }
    for first in [nil, "2014-10-06T14:33:57", "-5 minutes", "1412606037"] as [String?] {
        var list = TimestampListParser(now: fuzzNow)
        if let first { _ = try? list.parse(string: Array(first.utf8)) }
        _ = try? list.parse(string: bytes)
    }
    _ = try? TimeDelta(parsingTimespan: bytes)
    _ = try? TimeDelta(parsingTimespan: bytes, allowNonPositive: true)
    _ = Timestamp(httpDate: text)
    return 0
}

/// The program's entry (see ``runLibFuzzer(_:_:_:)``).
@_cdecl("fuzz_timestamp_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzz)
}
