import FuzzSearchSupport
import FuzzSupport

@testable import RondoneAPI

// The `filter=` query string of resource searches, batch deletes and `/v1/aggregates`
// (`SearchFilterString.parse`), then what the search does with the document.

/// libFuzzer's entry: one filter string.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    // Query values reach the parser as Strings (percent-decoded, invalid UTF-8 replaced).
    let text = String(decoding: input(data, size), as: UTF8.self)
    guard let document = try? SearchFilterString.parse(text) else { return 0 }
    searchResources(document)
    return 0
}

/// The program's entry (see ``runLibFuzzer(_:_:_:)``).
@_cdecl("fuzz_search_filter_string_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzz)
}
