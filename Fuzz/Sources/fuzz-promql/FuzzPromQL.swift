import FuzzSupport
import RondonePromQL

// PromQL queries as the Prometheus query API receives them (`query=` of `/api/v1/query`
// and `/api/v1/query_range`): `PromQLParser.parse`, its lexer, the type rules and the
// label matchers' regular expressions; the refusal's text as the API would render it.

/// libFuzzer's entry: one query.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    // Query values reach the parser as Strings (percent-decoded, invalid UTF-8 replaced).
    let text = String(decoding: input(data, size), as: UTF8.self)
    do {
        let expression = try PromQLParser.parse(text)
        _ = expression.type
    } catch {
        _ = error.description
    }
    return 0
}

/// The program's entry (see ``runLibFuzzer(_:_:_:)``).
@_cdecl("fuzz_promql_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzz)
}
