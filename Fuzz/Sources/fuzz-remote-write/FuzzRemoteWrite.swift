import FuzzSupport
import NIOCore
import RondoneIngest

@testable import RondoneAPI

// Prometheus remote write bodies (`POST /v1/prometheus/write`): the controller's decode
// (snappy, protobuf, grouping into resources, the id and name checks) with both namings;
// and the input as the uncompressed protobuf, so mutations reach the protobuf reader
// without having to keep a valid snappy frame.

/// libFuzzer's entry: one body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = input(data, size)
    let body = ByteBuffer(bytes: bytes)
    for naming in [PrometheusMetricNaming.nameOnly, .keepLabels] {
        _ = try? PrometheusWriteController.decode(body, naming: naming)
    }
    if let request = try? RemoteWriteRequest(decoding: bytes) {
        _ = try? request.resources(naming: .keepLabels)
    }
    return 0
}

/// The program's entry (see ``runLibFuzzer(_:_:_:)``).
@_cdecl("fuzz_remote_write_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzz)
}
