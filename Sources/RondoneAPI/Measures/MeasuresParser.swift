import RondoneJSON
public import RondoneTimeSeries

/// Decodes measures bodies straight from the request bytes: `POST /v1/metric/<id>/measures`
/// (`[{"timestamp": ..., "value": ...}, ...]`) and the two batch forms.
///
/// A single-pass byte scanner handles well-formed input without building a document; at
/// the first thing it does not expect (bad syntax, a bad time stamp or value, an odd
/// shape) it gives up and the body is decoded again by ``JSONReader`` and validated by
/// ``MeasuresValidation``, the reference that reports Gnocchi's exact error. So the fast
/// path can only be faster, never different.
public enum MeasuresParser {
    /// A measures list body.
    public static func measures(_ body: some Collection<UInt8>, now: Timestamp) throws(APIError)
        -> Measures
    {
        let fast: Measures? =
            body.withContiguousStorageIfAvailable { buffer in
                var scanner = MeasuresScanner(bytes: buffer, now: now)
                guard let result = scanner.measuresList(), scanner.atEnd() else { return nil }
                return result
            } ?? nil
        if let fast { return fast }
        let document = try decode(body)
        do throws(MeasuresValidation.Failure) {
            return try MeasuresValidation.measuresList(document, now: now)
        } catch {
            throw error.apiError
        }
    }

    /// A `/v1/batch/metrics/measures` body: metric id → measures list, in body order.
    /// `isValidMetricID` decides which keys are ids (Gnocchi: any form `uuid.UUID` reads).
    public static func metricBatch(
        _ body: some Collection<UInt8>, now: Timestamp, isValidMetricID: (String) -> Bool
    ) throws(APIError) -> [(metric: String, measures: Measures)] {
        let fast: [(metric: String, measures: Measures)]? =
            body.withContiguousStorageIfAvailable { buffer in
                var scanner = MeasuresScanner(bytes: buffer, now: now)
                guard let result = scanner.metricBatch(), scanner.atEnd() else { return nil }
                var seen = Set<String>()
                for entry in result {
                    guard isValidMetricID(entry.metric), seen.insert(entry.metric).inserted else {
                        return nil
                    }
                }
                return result
            } ?? nil
        if let fast { return fast }
        let document = try decode(body)
        do throws(MeasuresValidation.Failure) {
            return try MeasuresValidation.metricBatch(document, now: now, isValidKey: isValidMetricID)
        } catch {
            throw error.apiError
        }
    }

    /// A `/v1/batch/resources/metrics/measures` body. `checkResourceID` returns Gnocchi's
    /// reason when a key is not an acceptable resource id (e.g. one containing `/`).
    public static func resourceBatch(
        _ body: some Collection<UInt8>, now: Timestamp, checkResourceID: (String) -> String?
    ) throws(APIError) -> [BatchResourceMeasures] {
        let document = try decode(body)
        do throws(MeasuresValidation.Failure) {
            return try MeasuresValidation.resourceBatch(document, now: now, checkResourceID: checkResourceID)
        } catch {
            throw error.apiError
        }
    }

    static func decode(_ body: some Collection<UInt8>) throws(APIError) -> JSONValue {
        do throws(JSONReader.SyntaxError) {
            return try JSONReader.parse(body)
        } catch {
            throw .unableToDecodeBody(reason: error.reason)
        }
    }
}
