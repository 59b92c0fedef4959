import FuzzSearchSupport
import FuzzSupport
import RondoneJSON

@testable import RondoneAPI

// JSON search bodies: `ResourceSearchRequest.body`'s steps (JSONReader, the filter
// limits) then the resource search's schema and binding, and the metric search's query.

/// libFuzzer's entry: one body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = input(data, size)
    guard let json = try? JSONReader.parse(bytes), !SearchValue.exceedsLimits(json) else { return 0 }
    let document = SearchValue(json)
    searchResources(document)
    searchMeasures(document)
    return 0
}

/// The program's entry (see ``runLibFuzzer(_:_:_:)``).
@_cdecl("fuzz_search_json_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzz)
}
