import FuzzSupport

@testable import RondoneStorage

// Aggregate log segments as `FileAggregateStore` reads them on open:
// `FileAggregateStore.scanSegment` (every record through `AggregateLogRecord.parse`, the
// commit groups, each committed record applied to the index, pack headers through
// `SplitPack.names`); on the input and on it with every record's checksum fixed.

/// libFuzzer's entry: one segment file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = input(data, size)
    for segment in [bytes, ChecksumFixup.logRecords(bytes, headerSize: AggregateLogRecord.headerSize)] {
        var index = AggregateLogIndex()
        var corruptions: [AggregateCorruption] = []
        segment.withUnsafeBytes { raw in
            FileAggregateStore.scanSegment(
                raw, sequence: 1, path: "log/1", into: &index, corruptions: &corruptions)
        }
    }
    return 0
}

/// The program's entry (see ``runLibFuzzer(_:_:_:)``).
@_cdecl("fuzz_aggregate_log_record_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzz)
}
