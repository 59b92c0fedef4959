import FuzzSupport
import RondoneIngest

// InfluxDB line protocol bodies (`POST /v1/influxdb/write`): `LineProtocolDecoder` with
// every precision the `precision=` parameter selects and the default resource tag.

let precisions = ["n", "u", "ms", "s", "m", "h"].compactMap(LineProtocolPrecision.init(parameter:))

/// libFuzzer's entry: one body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = input(data, size)
    for precision in precisions {
        _ = try? LineProtocolDecoder(resourceTag: "host", precision: precision).decode(
            bytes, now: fuzzNow.nanoseconds)
    }
    return 0
}

/// The program's entry (see ``runLibFuzzer(_:_:_:)``).
@_cdecl("fuzz_line_protocol_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzz)
}
