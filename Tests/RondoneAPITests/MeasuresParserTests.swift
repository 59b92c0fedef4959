import RondoneTesting
import RondoneTimeSeries
import Testing

@testable import RondoneAPI

@Suite("Measures JSON parser")
struct MeasuresParserTests {
    let now = Timestamp(nanoseconds: 1_700_000_000_000_000_000)

    func parse(_ body: String) throws(APIError) -> Measures {
        try MeasuresParser.measures(Array(body.utf8), now: now)
    }

    /// The reason of a 400, or nil when the body is accepted.
    func reason(_ body: String) -> String? {
        do {
            _ = try parse(body)
            return nil
        } catch {
            guard case .json(.object(let members)) = error.description,
                case .string(let reason) = members.first(where: { $0.0 == "reason" })!.1
            else { return "?" }
            return reason
        }
    }

    @Test func acceptsWhatGnocchiAccepts() throws {
        let measures = try parse(
            #"[{"timestamp": "2020-01-01T00:00:00", "value": 1}, {"timestamp": "2020-01-01T00:00:01+00:00", "value": "1.5", "x": [1, {"a": null}]}]"#
        )
        #expect(measures.timestamps == [1_577_836_800_000_000_000, 1_577_836_801_000_000_000])
        #expect(measures.values == [1, 1.5])
        let epoch = try parse(
            #"[{"timestamp": 1577836800.5, "value": true}, {"timestamp": "1577836801", "value": " 2 "}]"#)
        #expect(epoch.timestamps == [1_577_836_800_500_000_000, 1_577_836_801_000_000_000])
        #expect(epoch.values == [1, 2])
        for body in [
            "[]", "{}", #""""#, #"[{"timestamp":"2020-01-01T00:00:00","value":NaN}]"#,
            #"[{"timestamp":"2020-01-01T00:00:00","value":1e400}]"#,
            #"[{"timestamp":"2020-01-01T00:00:00","value":01}]"#,
            #"[{"timestamp":"2020-01-01T00:00:00","value":"\u0031"}]"#,
            #"[{"timestamp":"2020-01-01T00:00:00","value":"1_0"}]"#,
            #"[{"timestamp":"2020-01-01T00:00:00","value":1, "value": 2}]"#,
        ] {
            #expect(reason(body) == nil, "\(body)")
        }
        #expect(try parse(#"[{"timestamp":"2020-01-01T00:00:00","value":1, "value": 2}]"#).values == [2])
    }

    @Test func gnocchiMessages() {
        let format = "unexpected measures format"
        let value = "unexpected measures value"
        let unable = "unexpected timestamp 'Unable to convert timestamps'"
        let cases: [(String, String)] = [
            (#"[{"timestamp":"2020-01-01T00:00:00","value":null}]"#, value),
            (#"[{"timestamp":"2020-01-01T00:00:00","value":"abc"}]"#, value),
            (#"[{"timestamp":"2020-01-01T00:00:00","value":"0x10"}]"#, value),
            (#"[{"timestamp":"2020-01-01T00:00:00"}]"#, value),
            (#"[{"timestamp":"nope","value":1}]"#, unable),
            (#"[{"timestamp":1577836800,"value":1},{"timestamp":"2020-01-01T00:00:00","value":1}]"#, unable),
            (#"[{"timestamp":-5,"value":1}]"#, "unexpected timestamp 'Timestamp must be after Epoch'"),
            (#"[{"timestamp":null,"value":1}]"#, format),
            (#"[{"timestamp":[1],"value":1}]"#, format),
            (#"[1]"#, format), (#""x""#, format),
            (#"[{"timestamp":"2020-01-01T00:00:00","value":1}, null]"#, format),
            (#"[{"timestamp":"2020-01-01T00:00:00","value":"x"},{"timestamp":"bad"}]"#, unable),
            ("", "Expected object or value"),
            (#"[{"timestamp":"2020-01-01T00:00:00","value":1}] x"#, "Trailing data"),
        ]
        for (body, expected) in cases {
            #expect(reason(body) == expected, "\(body)")
        }
    }

    @Test func metricBatch() throws {
        let id = "4ed9afd9-fd63-40e0-bfdd-1225c0eb67d0"
        let valid: (String) -> Bool = { $0.count == 36 }
        let batch = try MeasuresParser.metricBatch(
            Array(#"{"\#(id)": [{"timestamp": "2020-01-01", "value": 1}], "\#(id.uppercased())": []}"#.utf8),
            now: now,
            isValidMetricID: valid)
        #expect(batch.map(\.metric) == [id, id.uppercased()])
        #expect(batch[0].measures.values == [1])
        do {
            _ = try MeasuresParser.metricBatch(Array(#"{"nope": []}"#.utf8), now: now, isValidMetricID: valid)
            Issue.record("accepted")
        } catch {
            #expect(
                error.description
                    == .json(
                        .object([
                            ("cause", .string("Invalid input")),
                            ("reason", .string("not a valid value @ data['nope']")),
                            ("detail", .array([.string("nope")])),
                        ])))
        }
        do {
            _ = try MeasuresParser.metricBatch(
                Array(#"{"\#(id)": [{"timestamp": "x", "value": 1}]}"#.utf8), now: now, isValidMetricID: valid
            )
        } catch {
            guard case .json(let body) = error.description else { return #expect(Bool(false)) }
            #expect(
                body.text.contains(
                    #""reason": "unexpected timestamp 'Unable to convert timestamps' for dictionary value @ data['\#(id)']""#
                ))
        }
    }

    @Test func resourceBatchMessages() {
        func reason(_ body: String) -> String? {
            do {
                _ = try MeasuresParser.resourceBatch(Array(body.utf8), now: now) {
                    $0.contains("/") ? "'/' is not supported in resource id" : nil
                }
                return nil
            } catch {
                guard case .json(let value) = error.description else { return "?" }
                return value.text
            }
        }
        #expect(reason(#"{"r1":{"m":[{"timestamp":"2020-01-01","value":1}]}, "r2": {}}"#) == nil)
        #expect(reason(#"{"r1":{"m":{"archive_policy_name":"x"}}}"#) == nil)
        #expect(
            reason(#"{"r1":{"m":{"measures":[{"timestamp":"x","value":1}]}}}"#)
                == #"{"cause": "Invalid input", "reason": "unexpected timestamp 'Unable to convert timestamps' for dictionary value @ data['r1']['m']['measures']", "detail": ["r1", "m", "measures"]}"#
        )
        #expect(
            reason(#"{"r1":{"m":{"archive_policy_name":5,"measures":[]}}}"#)
                == #"{"cause": "Invalid input", "reason": "expected str for dictionary value @ data['r1']['m']['archive_policy_name']", "detail": ["r1", "m", "archive_policy_name"]}"#
        )
        #expect(
            reason(#"{"r1":{"m":{"foo":5,"measures":[]}}}"#)
                == #"{"cause": "Invalid input", "reason": "extra keys not allowed @ data['r1']['m']['foo']", "detail": ["r1", "m", "foo"]}"#
        )
        #expect(
            reason(#"{"r1":[]}"#)
                == #"{"cause": "Invalid input", "reason": "expected a dictionary for dictionary value @ data['r1']", "detail": ["r1"]}"#
        )
        #expect(
            reason(#"{"r1":{"m":5}}"#)
                == #"{"cause": "Invalid input", "reason": "unexpected measures format for dictionary value @ data['r1']['m']", "detail": ["r1", "m"]}"#
        )
        #expect(
            reason(#"{"a/b":{}}"#)
                == #"{"cause": "Invalid input", "reason": "'/' is not supported in resource id @ data['a/b']", "detail": ["a/b"]}"#
        )
        #expect(
            reason("[]") == #"{"cause": "Invalid input", "reason": "expected a dictionary", "detail": []}"#)
    }

    /// The fast scanner and the reference path agree on every input, and nothing crashes.
    @Test func fastPathMatchesReferenceOnRandomInput() {
        var random = SplitMix64(seed: 42)
        let pieces = [
            "[", "]", "{", "}", ",", ":", #""timestamp""#, #""value""#, #""2020-01-01T00:00:00""#, "1", "-5",
            "1.5e3",
            "true", "null", #""1.5""#, " ", #""x""#, "NaN", #""-5 minutes""#, "1577836800", "\"", "\\",
        ]
        let valid =
            #"[{"timestamp": "2020-01-01T00:00:00", "value": 1}, {"timestamp": "2020-01-01T00:00:01", "value": 2.5}]"#
        for round in 0..<3000 {
            var body: [UInt8]
            switch round % 3 {
            case 0:
                body = Array(valid.utf8)
                body = Array(body.prefix(Int(random.next() % UInt64(body.count + 1))))
            case 1:
                body = (0..<Int(random.next() % 40)).flatMap { _ in
                    Array(pieces[Int(random.next() % UInt64(pieces.count))].utf8)
                }
            default:
                body = (0..<Int(random.next() % 64)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            }
            let fast = Result { () throws(APIError) in try MeasuresParser.measures(body, now: now) }
            let reference = Result { () throws(APIError) -> Measures in
                let document = try MeasuresParser.decode(body)
                do throws(MeasuresValidation.Failure) {
                    return try MeasuresValidation.measuresList(document, now: now)
                } catch {
                    throw error.apiError
                }
            }
            switch (fast, reference) {
            case (.success(let a), .success(let b)): #expect(a == b)
            case (.failure(let a), .failure(let b)): #expect(a.description == b.description)
            default: Issue.record("fast and reference differ on \(String(decoding: body, as: UTF8.self))")
            }
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let body = String(repeating: "[", count: 100_000)
        #expect(reason(body) != nil)
    }
}
