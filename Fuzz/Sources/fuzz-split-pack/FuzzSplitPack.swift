import FuzzSupport
import RondoneTimeSeries

@testable import RondoneStorage

// Split packs (the blob of an aggregate log's pack record, and the former layout's
// split files): `SplitPack.names` as the log's open reads them, `SplitPack.decode` as a
// read does, then each blob as a split through `SplitAddress.decode`; on the input and on
// it with the header checksum fixed.

let metric = MetricID(high: 0x0123_4567_89AB_CDEF, low: 0xFEDC_BA98_7654_3210)

/// libFuzzer's entry: one pack.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = input(data, size)
    for pack in [bytes] + ChecksumFixup.packHeaders(bytes) {
        _ = pack.withUnsafeBytes { SplitPack.names($0) }
        guard let decoded = SplitPack.decode(pack) else { continue }
        for (name, blob) in decoded.records {
            let address = SplitAddress(
                aggregation: name, granularity: TimeDelta(nanoseconds: 60_000_000_000),
                key: Timestamp(nanoseconds: 1_699_999_200_000_000_000))
            _ = try? address.decode(blob, of: metric)
        }
    }
    return 0
}

/// The program's entry (see ``runLibFuzzer(_:_:_:)``).
@_cdecl("fuzz_split_pack_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzz)
}
