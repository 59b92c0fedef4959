import FuzzSupport
import RondoneJSON
import RondoneQuery

// The `/v1/aggregates` operations language as `AggregatesController.operations(in:)` reads
// it: the string form (`OperationsText.parse`, then `OperationsSchema.validate`) and, when
// the input is JSON, the list form (`JSONReader`, the node conversion, then the schema).
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
        _ = try? OperationsSchema.validate(node(json))
    }
    return 0
}

/// A JSON value as an operations node: `AggregatesSupport.node(_:)` of RondoneAPI (the
/// controller's one conversion, repeated here so the target does not import the API).
func node(_ value: JSONValue) -> OperationNode {
    switch value {
    case .array(let items): .list(items.map(node))
    case .string(let text): .string(text)
    case .int(let number): .number(Double(number), isInteger: true)
    case .double(let number): .number(number, isInteger: false)
    case .bool(let flag): .boolean(flag)
    case .null: .other(typeName: "NoneType")
    case .object: .other(typeName: "dict")
    }
}

/// The program's entry (see ``runLibFuzzer(_:_:_:)``).
@_cdecl("fuzz_operations_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzz)
}
