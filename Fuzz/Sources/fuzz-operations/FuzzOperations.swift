import FuzzSupport
import RondoneQuery

@testable import RondoneAPI

// The `/v1/aggregates` operations language: the string form (`OperationsText.parse`, then
// `OperationsSchema.validate`) and, when the input is JSON, the list form as the body's
// `operations` member (`AggregatesController.operations(in:)`).

/// libFuzzer's entry: one operations text (or JSON list).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = input(data, size)
    let text = String(decoding: bytes, as: UTF8.self)
    _ = try? AggregatesController.operations(in: .object([("operations", .string(text))]))
    if let json = try? JSONReader.parse(bytes) {
        _ = try? AggregatesController.operations(in: .object([("operations", json)]))
    }
    return 0
}

/// The program's entry (see ``runLibFuzzer(_:_:_:)``).
@_cdecl("fuzz_operations_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzz)
}
