import FuzzSupport
import RondoneJSON
import RondoneQuery

// The `/v1/aggregates` operations language as `AggregatesController.operations(in:)` reads
// it: the string form (`OperationsText.parse`, then `OperationsSchema.validate`) and, when
// the input is JSON, the list form (`JSONReader`, `OperationNode(json:)`, then the schema).
// Both parsers live in RondoneQuery, so this target needs neither RondoneAPI nor its HTTP
// stack (and runs in CI: docs/FUZZING.md).

/// libFuzzer's entry: one operations text (or JSON list).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = input(data, size)
    let text = String(decoding: bytes, as: UTF8.self)
    if let node = try? OperationsText.parse(text) {
        _ = try? OperationsSchema.validate(node)
    }
    if let json = try? JSONReader.parse(bytes) {
        _ = try? OperationsSchema.validate(OperationNode(json: json))
    }
    return 0
}

/// The program's entry (see ``runLibFuzzer(_:_:_:)``).
@_cdecl("fuzz_operations_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzz)
}
