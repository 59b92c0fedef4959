import FuzzSupport
import RondoneTimeSeries

// Stored split records (`SplitCodec.decode`, as `SplitAddress.decode` calls it) under a few
// split keys, including extreme ones, and unaggregated buffers (`RawSeriesCodec.decode`,
// as metricd reads a metric's buffer); each on the input and on it with its CRC fixed.

let keys: [(splitStart: Int64, granularity: Int64)] = [
    (1_699_999_200_000_000_000, 60_000_000_000),
    (0, 1),
    (-3_600_000_000_000, 1_000_000_000),
    (Int64.max - 3_600_000_000_000, 1_000_000_000),
    (Int64.min, 86_400_000_000_000),
]

/// libFuzzer's entry: one record.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = input(data, size)
    for record in [bytes, ChecksumFixup.trailer(bytes)] {
        for key in keys {
            _ = try? SplitCodec.decode(record, splitStart: key.splitStart, granularity: key.granularity)
        }
        _ = try? RawSeriesCodec.decode(record)
    }
    return 0
}

/// The program's entry (see ``runLibFuzzer(_:_:_:)``).
@_cdecl("fuzz_split_codec_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzz)
}
