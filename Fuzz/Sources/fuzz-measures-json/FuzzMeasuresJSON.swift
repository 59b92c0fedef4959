import FuzzSupport
import RondoneIndexer
import RondoneTimeSeries

@testable import RondoneAPI

// Measures bodies as the API reads them: `POST /v1/metric/<id>/measures` (the fast
// scanner, falling back to JSONReader + MeasuresValidation), and the two batch forms with
// the key checks their controllers pass.

/// libFuzzer's entry: one body, the three endpoints' parsers.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = input(data, size)
    _ = try? MeasuresParser.measures(bytes, now: fuzzNow)
    _ = try? MeasuresParser.metricBatch(bytes, now: fuzzNow) { MetricID($0) != nil }
    _ = try? MeasuresParser.resourceBatch(bytes, now: fuzzNow) { key in
        do throws(ResourceIdentifier.Failure) {
            _ = try ResourceIdentifier.uuid(key, creator: "fuzz:fuzz")
            return nil
        } catch {
            return error.message
        }
    }
    return 0
}

/// The program's entry (see ``runLibFuzzer(_:_:_:)``).
@_cdecl("fuzz_measures_json_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzz)
}
