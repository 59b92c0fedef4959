import Hummingbird
import RondoneJSON
import RondonePromQL

/// A refusal of the Prometheus API, answered in its JSON
/// (`{"status":"error","errorType":…,"error":…}`).
struct PrometheusAPIError: Error {
    let status: HTTPResponse.Status
    /// Prometheus's `errorType`: `bad_data`, `execution`, `timeout`, `unavailable`, …
    let type: String
    let message: String

    static func badData(_ message: String) -> PrometheusAPIError {
        PrometheusAPIError(status: .badRequest, type: "bad_data", message: message)
    }

    /// What a query error becomes: a parse error is `bad_data` (400), a construct not
    /// supported yet 501, an execution error Prometheus's 422 `execution`.
    static func from(_ error: PromQLError) -> PrometheusAPIError {
        switch error {
        case .parse: return .badData(error.description)
        case .unsupported:
            return PrometheusAPIError(
                status: .notImplemented, type: "unavailable", message: error.description)
        case .execution:
            return PrometheusAPIError(
                status: .unprocessableContent, type: "execution", message: error.description)
        }
    }

    var response: Response {
        let body: JSONValue = .object([
            ("status", .string("error")), ("errorType", .string(type)), ("error", .string(message)),
        ])
        return JSONResponse.make(body, status: status)
    }
}

/// Prometheus's JSON, written straight into bytes (a range query over thousands of
/// series writes millions of points): times as float seconds (`1435781451.781`), values
/// as strings in Go's shortest form, `NaN`, `+Inf`, `-Inf`.
enum PrometheusJSON {
    /// `{"status":"success","data":…}` around `data`.
    static func success(_ data: JSONValue, warnings: [String] = []) -> Response {
        var fields: [(String, JSONValue)] = [("status", .string("success")), ("data", data)]
        if !warnings.isEmpty { fields.append(("warnings", .array(warnings.map { .string($0) }))) }
        return JSONResponse.make(.object(fields))
    }

    /// A query's result.
    static func success(_ result: PromQLResult) -> Response {
        var out: [UInt8] = []
        // About 30 bytes a point and 200 a label set: one allocation, not a dozen copies.
        if case .matrix(let series) = result {
            out.reserveCapacity(256 + series.reduce(0) { $0 + 200 + 30 * $1.samples.count })
        } else if case .vector(_, let series) = result {
            out.reserveCapacity(256 + 230 * series.count)
        } else {
            out.reserveCapacity(256)
        }
        out += Array(#"{"status":"success","data":{"resultType":"#.utf8)
        switch result {
        case .scalar(let time, let value):
            out += Array(#""scalar","result":"#.utf8)
            point(time, value, into: &out)
        case .string(let time, let value):
            out += Array(#""string","result":"#.utf8)
            out.append(UInt8(ascii: "["))
            seconds(time, into: &out)
            out.append(UInt8(ascii: ","))
            JSONValue.writeString(value, into: &out)
            out.append(UInt8(ascii: "]"))
        case .vector(_, let series):
            out += Array(#""vector","result":["#.utf8)
            for (index, element) in series.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out += Array(#"{"metric":"#.utf8)
                labels(element.labels, into: &out)
                out += Array(#","value":"#.utf8)
                let sample = element.samples[0]
                point(sample.time, sample.value, into: &out)
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        case .matrix(let series):
            out += Array(#""matrix","result":["#.utf8)
            for (index, element) in series.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out += Array(#"{"metric":"#.utf8)
                labels(element.labels, into: &out)
                out += Array(#","values":["#.utf8)
                for (position, sample) in element.samples.enumerated() {
                    if position > 0 { out.append(UInt8(ascii: ",")) }
                    point(sample.time, sample.value, into: &out)
                }
                out += Array("]}".utf8)
            }
            out.append(UInt8(ascii: "]"))
        }
        out += Array("}}".utf8)
        return JSONResponse.make(bytes: out)
    }

    /// A label set as a JSON object, in label order.
    static func labels(_ labels: PromQLLabels, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (index, label) in labels.labels.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONValue.writeString(label.name, into: &out)
            out.append(UInt8(ascii: ":"))
            JSONValue.writeString(label.value, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    static func labelsValue(_ labels: PromQLLabels) -> JSONValue {
        .object(labels.labels.map { ($0.name, .string($0.value)) })
    }

    /// `[<seconds>,"<value>"]`.
    private static func point(_ time: Int64, _ value: Double, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        seconds(time, into: &out)
        out.append(UInt8(ascii: ","))
        out.append(UInt8(ascii: "\""))
        PromQLEngine.format(value, into: &out)
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: "]"))
    }

    /// Milliseconds as Prometheus writes a time (`jsonutil.MarshalTimestamp`), appended
    /// to `out`: seconds, then three digits of milliseconds when there are any (`4`,
    /// `1.500`, `-0.001`).
    static func seconds(_ milliseconds: Int64, into out: inout [UInt8]) {
        if milliseconds < 0 { out.append(UInt8(ascii: "-")) }
        let magnitude = milliseconds.magnitude
        PromQLEngine.appendDecimal(magnitude / 1000, into: &out)
        let fraction = magnitude % 1000
        if fraction != 0 {
            out.append(UInt8(ascii: "."))
            out.append(UInt8(ascii: "0") + UInt8(fraction / 100))
            out.append(UInt8(ascii: "0") + UInt8(fraction / 10 % 10))
            out.append(UInt8(ascii: "0") + UInt8(fraction % 10))
        }
    }
}
