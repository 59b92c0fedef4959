import RondoneJSON
import Testing

@testable import RondoneAPI

/// `POST /v1/search/metric`'s query against the reference: each expectation is what
/// Gnocchi 4.7.1's `MetricSearchSchema` and `MeasureQuery` give, the truth of the
/// predicate shown for the values 0, 1, 12, -3.5 and 2.
@Suite("Metric search predicate")
struct MeasurePredicateTests {
    static func outcome(_ text: String) -> String {
        guard let json = try? JSONReader.parse(Array(text.utf8)) else { return "bad test JSON" }
        let tree: SearchValue
        do throws(SearchSchemaError) {
            tree = try MeasurePredicate.schema.validate(SearchValue(json))
        } catch {
            return "INVALID \(error.reason) | " + error.path.map(\.pythonString).joined(separator: ",")
        }
        do throws(MeasurePredicate.InvalidQuery) {
            let predicate = try MeasurePredicate.build(tree)
            return "OK "
                + [0, 1, 12, -3.5, 2].map { predicate.matches($0) ? "T" : "F" }.joined(separator: " ")
        } catch {
            return "QUERY " + error.message
        }
    }

    static let cases: [(String, String)] = [
        ("{\"=\": 12}", "OK F F T F F"),
        ("{\"∧\": [{\"≥\": 1000}]}", "OK F F F F F"),
        ("{\"and\": [{\">\": 1}, {\"<\": 13}]}", "OK F F T F T"),
        ("{\"or\": [{\">\": 1}, {\"<\": -1}]}", "OK F F T T T"),
        ("{\"not\": [{\">\": 1}]}", "QUERY Unknown operator not"),
        ("{\"and\": []}", "OK T T T T T"),
        ("{}", "INVALID length of value must be at least 1 | "),
        ("[]", "INVALID length of value must be at least 1 | "),
        ("3", "INVALID invalid value or type | "),
        ("null", "INVALID invalid value or type | "),
        ("{\"=\": \"x\"}", "INVALID expected float for dictionary value @ data['='] | ="),
        ("{\"=\": [1]}", "INVALID expected float for dictionary value @ data['='] | ="),
        ("{\"=\": [1, 2]}", "OK F F F F F"),
        ("{\"=\": [1, 2, 3]}", "INVALID expected float for dictionary value @ data['='] | ="),
        ("{\"=\": [{\"+\": 1}, 2]}", "OK F T F F F"),
        ("{\">\": [{\"*\": 2}, 10]}", "OK F F T F F"),
        ("{\"foo\": 1}", "INVALID not a valid value @ data['foo'] | foo"),
        ("{\"=\": 1, \"<\": 2}", "INVALID length of value must be at most 1 | "),
        ("{\"and\": {\">\": 1}}", "INVALID not a valid value @ data['and'] | and"),
        ("{\"and\": [3]}", "INVALID invalid value or type @ data['and'][0] | and,0"),
        ("{\"and\": [{\"foo\": 1}]}", "INVALID not a valid value @ data['and'][0]['foo'] | and,0,foo"),
        ("{\"+\": 0}", "OK F T T T T"),
        ("{\"%\": 2}", "OK F T F T F"),
        ("{\"**\": 2}", "OK F T T T T"),
        ("{\"=\": true}", "OK F T F F F"),
        ("{\"=\": null}", "INVALID expected float for dictionary value @ data['='] | ="),
        ("{\"=\": [1, [2, 3]]}", "INVALID length of value must be at most 1 @ data['='][1] | =,1"),
        ("{\"=\": [1, {\"foo\": 2}]}", "INVALID not a valid value @ data['='][1]['foo'] | =,1,foo"),
        ("{\"and\": [{\"=\": 1}, {\"or\": [{\"=\": 12}]}]}", "OK F F F F F"),
        ("{\"≠\": 1}", "OK T F T T T"),
        ("{\"-\": [{\"**\": 2}, 4]}", "OK T T T T F"),
        ("{\"and\": [{\"=\": 1}, 2]}", "INVALID invalid value or type @ data['and'][1] | and,1"),
        ("{\"=\": [1, 2, 3]}", "INVALID expected float for dictionary value @ data['='] | ="),
        ("{\"×\": 0}", "OK F F F F F"),
        ("{\"÷\": 2}", "OK F T T T T"),
        ("{\"^\": [2, {\"+\": 1}]}", "OK T T T T T"),
        ("{\"or\": []}", "OK F F F F F"),
        ("{\"not\": []}", "QUERY Unknown operator not"),
        ("{\"=\": 12, \"and\": []}", "INVALID length of value must be at most 1 | "),
    ]

    @Test(arguments: cases) func matchesGnocchi(_ input: String, _ expected: String) {
        #expect(Self.outcome(input) == expected)
    }

    /// Gnocchi's values are numpy floats: division by zero is an infinity or NaN (true),
    /// not an error.
    @Test func divisionByZeroFollowsNumpy() {
        #expect(Self.outcome(#"{"/": 0}"#) == "OK T T T T T")
        #expect(Self.outcome(#"{"mod": [{"+": 1}, 0]}"#) == "OK T T T T T")
    }
}
