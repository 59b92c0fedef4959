import FuzzSupport
import RondoneTimeSeries

@testable import RondoneStorage

// Incoming log segments as `FileIncomingStore` reads them on open and on claim:
// `SegmentScanner.scan` (each intact record, each damaged stretch), then each measures
// record's body through `IncomingRecord.decodeMeasures`; on the input and on it with
// every record's checksum fixed.

/// libFuzzer's entry: one segment file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = input(data, size)
    for segment in [bytes, ChecksumFixup.logRecords(bytes, headerSize: IncomingRecord.headerSize)] {
        segment.withUnsafeBytes { raw in
            SegmentScanner.scan(
                raw,
                record: { parsed, offset, _ in
                    guard case .measures(_, let count) = parsed else { return }
                    var batch = IncomingBatch(metric: MetricID(high: 0, low: 0), timestamps: [], values: [])
                    IncomingRecord.decodeMeasures(raw, at: offset, count: count, into: &batch)
                },
                damaged: { _, _, _ in })
        }
    }
    return 0
}

/// The program's entry (see ``runLibFuzzer(_:_:_:)``).
@_cdecl("fuzz_incoming_record_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzz)
}
