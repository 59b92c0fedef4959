import RondoneJSON
import RondoneTimeSeries

/// Gnocchi's validation of measures bodies applied to a decoded document: the reference
/// behaviour the fast scanner (``MeasuresParser``) must match. Messages and their
/// priority follow `MeasuresListSchema` and voluptuous: shape problems ("unexpected
/// measures format") before time stamp problems before value problems, and within a
/// dictionary the first failing key in body order.
enum MeasuresValidation {
    /// A voluptuous failure: the reason and the path of keys it happened under.
    struct Failure: Error {
        var reason: String
        var path: [String]

        /// The 400 Gnocchi answers: path rendered as `@ data['a']['b']` after the reason.
        var apiError: APIError {
            var message = reason
            if !path.isEmpty {
                message += " @ data" + path.map { "[\(PythonRepr.string($0))]" }.joined()
            }
            return .invalidInput(reason: message, path: path)
        }

        /// The same failure one dictionary level down (voluptuous' "for dictionary value").
        func nested(under key: String, valueError: Bool) -> Failure {
            Failure(
                reason: path.isEmpty && valueError ? reason + " for dictionary value" : reason,
                path: [key] + path)
        }
    }

    static let format = "unexpected measures format"
    static let value = "unexpected measures value"

    /// `MeasuresListSchema` on a decoded value.
    static func measuresList(_ document: JSONValue, now: Timestamp) throws(Failure) -> Measures {
        let elements: [JSONValue]
        switch document {
        case .array(let items): elements = items
        // Iterating a dict or a str yields str items, which `m['timestamp']` refuses;
        // empty ones yield nothing and pass.
        case .object(let members) where members.isEmpty: return Measures()
        case .string(let text) where text.isEmpty: return Measures()
        default: throw Failure(reason: format, path: [])
        }
        var stamps: [JSONValue] = []
        stamps.reserveCapacity(elements.count)
        for element in elements {
            guard case .object(let members) = element,
                let stamp = members.first(where: { $0.0 == "timestamp" })?.1
            else { throw Failure(reason: format, path: []) }
            stamps.append(stamp)
        }
        let times = try timestamps(stamps, now: now)
        var result = Measures()
        result.reserveCapacity(elements.count)
        for (element, time) in zip(elements, times) {
            guard case .object(let members) = element, let raw = members.first(where: { $0.0 == "value" })?.1,
                let number = floatValue(raw)
            else { throw Failure(reason: value, path: []) }
            guard let time else { continue }  // numpy's not-a-time: accepted, then dropped
            result.append(time.nanoseconds, number)
        }
        return result
    }

    /// `to_timestamps`: the first element decides the mode; "Unable to convert" anywhere
    /// wins over "must be after Epoch". `nil` marks a not-a-time element.
    static func timestamps(_ stamps: [JSONValue], now: Timestamp) throws(Failure) -> [Timestamp?] {
        var parser = TimestampListParser(now: now)
        var unable = false
        var beforeEpoch = false
        var result: [Timestamp?] = []
        result.reserveCapacity(stamps.count)
        for (index, stamp) in stamps.enumerated() {
            switch stamp {
            case .null, .array, .object:
                // float(None) / float([]) raise TypeError on the first element.
                if index == 0 { throw Failure(reason: format, path: []) }
            default: break
            }
            do throws(TimestampError) {
                switch stamp {
                case .string(let text): result.append(try parser.parse(string: Array(text.utf8)))
                case .int(let number): result.append(try parser.parse(integer: number))
                case .double(let number): result.append(try parser.parse(number: number))
                case .bool(let flag): result.append(try parser.parse(integer: flag ? 1 : 0))
                case .null, .array, .object: throw TimestampError.unableToConvert
                }
            } catch {
                switch error {
                case .unableToConvert: unable = true
                case .beforeEpoch: beforeEpoch = true
                case .notATime: result.append(nil)
                }
                if result.count <= index { result.append(nil) }
            }
        }
        if unable { throw Failure(reason: "unexpected timestamp 'Unable to convert timestamps'", path: []) }
        if beforeEpoch {
            throw Failure(reason: "unexpected timestamp 'Timestamp must be after Epoch'", path: [])
        }
        return result
    }

    /// Python's `float(x)` for a decoded JSON value.
    static func floatValue(_ value: JSONValue) -> Double? {
        switch value {
        case .int(let number): Double(number)
        case .double(let number): number
        case .bool(let flag): flag ? 1 : 0
        case .string(let text):
            Array(text.utf8).withUnsafeBufferPointer { PythonFloatGrammar.parse($0) }
        case .null, .array, .object: nil
        }
    }

    /// `{UUID: MeasuresListSchema}` (`/v1/batch/metrics/measures`).
    static func metricBatch(
        _ document: JSONValue, now: Timestamp, isValidKey: (String) -> Bool
    ) throws(Failure) -> [(metric: String, measures: Measures)] {
        guard case .object(let members) = document else {
            throw Failure(reason: "expected a dictionary", path: [])
        }
        var result: [(metric: String, measures: Measures)] = []
        for (key, value) in members {
            guard isValidKey(key) else { throw Failure(reason: "not a valid value", path: [key]) }
            do throws(Failure) {
                result.append((key, try measuresList(value, now: now)))
            } catch {
                throw error.nested(under: key, valueError: true)
            }
        }
        return result
    }

    /// `{ResourceID: {str: measures list | {archive_policy_name?, unit?, measures}}}`.
    static func resourceBatch(
        _ document: JSONValue, now: Timestamp, checkResourceID: (String) -> String?
    ) throws(Failure) -> [BatchResourceMeasures] {
        guard case .object(let resources) = document else {
            throw Failure(reason: "expected a dictionary", path: [])
        }
        var result: [BatchResourceMeasures] = []
        for (resourceID, metricsDocument) in resources {
            if let problem = checkResourceID(resourceID) {
                throw Failure(reason: problem, path: [resourceID])
            }
            guard case .object(let metrics) = metricsDocument else {
                throw Failure(reason: "expected a dictionary for dictionary value", path: [resourceID])
            }
            var entry = BatchResourceMeasures(resourceID: resourceID, metrics: [])
            for (name, metricDocument) in metrics {
                do throws(Failure) {
                    entry.metrics.append(try metricEntry(name: name, metricDocument, now: now))
                } catch {
                    throw Failure(reason: error.reason, path: [resourceID] + error.path)
                }
            }
            result.append(entry)
        }
        return result
    }

    /// voluptuous `Any(MeasuresListSchema, {...})`: the first alternative that passes;
    /// when both fail, the error with the longer path (the first on a tie).
    static func metricEntry(name: String, _ document: JSONValue, now: Timestamp) throws(Failure)
        -> BatchMetricMeasures
    {
        let first: Failure
        do throws(Failure) {
            return BatchMetricMeasures(name: name, measures: try measuresList(document, now: now))
        } catch {
            first = error.nested(under: name, valueError: true)
        }
        let second: Failure
        do throws(Failure) {
            return try extendedEntry(name: name, document, now: now)
        } catch {
            second = error
        }
        throw second.path.count > first.path.count ? second : first
    }

    static func extendedEntry(name: String, _ document: JSONValue, now: Timestamp) throws(Failure)
        -> BatchMetricMeasures
    {
        guard case .object(let members) = document else {
            throw Failure(reason: "expected a dictionary for dictionary value", path: [name])
        }
        var entry = BatchMetricMeasures(name: name, measures: Measures())
        for (key, value) in members {
            switch key {
            case "archive_policy_name", "unit":
                guard case .string(let text) = value else {
                    throw Failure(reason: "expected str for dictionary value", path: [name, key])
                }
                if key == "unit" { entry.unit = text } else { entry.archivePolicyName = text }
            case "measures":
                do throws(Failure) {
                    entry.measures = try measuresList(value, now: now)
                } catch {
                    throw Failure(
                        reason: error.reason + " for dictionary value", path: [name, key] + error.path)
                }
            default:
                throw Failure(reason: "extra keys not allowed", path: [name, key])
            }
        }
        return entry
    }
}
