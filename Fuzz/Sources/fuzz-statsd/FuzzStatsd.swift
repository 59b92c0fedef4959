import FuzzSupport
import RondoneIngest

// statsd datagrams as the UDP listener hands them over: `StatsdAccumulator.add(datagram:at:)`
// (split on newlines, each line decoded), twice (known names), then a flush; with and
// without gauge deltas.

/// libFuzzer's entry: one datagram.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = input(data, size)
    for gaugeDeltas in [false, true] {
        var accumulator = StatsdAccumulator(gaugeDeltas: gaugeDeltas)
        bytes.withUnsafeBytes { datagram in
            accumulator.add(datagram: datagram, at: fuzzNow.nanoseconds)
            accumulator.add(datagram: datagram, at: fuzzNow.nanoseconds + 1)
        }
        _ = accumulator.flush()
    }
    return 0
}

/// The program's entry (see ``runLibFuzzer(_:_:_:)``).
@_cdecl("fuzz_statsd_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzz)
}
