import RondoneJSON
import Testing

@testable import RondoneAPI

/// Both filter syntaxes against the reference: every expectation is what Gnocchi 4.7.1's
/// own `QueryStringSearchAttrFilter.parse` and `ResourceSearchSchema` return for the
/// input (run with the caller `foobar`), pyparsing's dump of its grammar shortened to
/// `CONDITION`.
@Suite("Search filter parsers")
struct SearchFilterParserTests {
    /// The outcome as the reference printed it: `OK <repr>`, `INVALID <reason> | <path>`
    /// or `ERROR <message>`.
    static func outcome(_ parse: () throws(APIError) -> SearchValue) -> String {
        do throws(APIError) {
            return "OK " + (try ResourceSearchSchema.validate(try parse(), creator: "foobar")).pythonRepr
        } catch {
            switch error.description {
            case .json(.object(let members)):
                let reason = members.first { $0.0 == "reason" }.map {
                    if case .string(let text) = $0.1 { text } else { "" }
                }
                let detail = members.first { $0.0 == "detail" }.map { member -> String in
                    guard case .array(let items) = member.1 else { return "" }
                    return items.map { if case .string(let text) = $0 { text } else { "?" } }.joined(
                        separator: ",")
                }
                return "INVALID \(reason ?? "") | \(detail ?? "")"
            case .text(let message):
                return "ERROR "
                    + message.replacingOccurrences(
                        of: "Expected " + SearchFilterString.conditionDescription, with: "Expected CONDITION")
            default: return "ERROR"
            }
        }
    }

    static func string(_ text: String) -> String {
        outcome { () throws(APIError) in try SearchFilterString.parse(text) }
    }

    static func json(_ text: String) -> String {
        outcome { () throws(APIError) in
            do throws(JSONReader.SyntaxError) {
                return SearchValue(try JSONReader.parse(Array(text.utf8)))
            } catch {
                throw .badRequest("bad test JSON")
            }
        }
    }

    static let stringCases: [(String, String)] = [
        ("a=1 and b=2 and c=3", "OK {'and': [{'=': {'c': 3.0}}, {'=': {'b': 2.0}}, {'=': {'a': 1.0}}]}"),
        (
            "a=1 or b=2 and c=3",
            "OK {'or': [{'and': [{'=': {'c': 3.0}}, {'=': {'b': 2.0}}]}, {'=': {'a': 1.0}}]}"
        ),
        (
            "a=1 and b=2 or c=3 and d=4",
            "OK {'or': [{'and': [{'=': {'d': 4.0}}, {'=': {'c': 3.0}}]}, {'and': [{'=': {'b': 2.0}}, {'=': {'a': 1.0}}]}]}"
        ),
        (
            "a=1 ∧ b=2 and c=3",
            "OK {'∧': [{'and': [{'=': {'c': 3.0}}, {'=': {'b': 2.0}}]}, {'=': {'a': 1.0}}]}"
        ),
        (
            "(a=1 or b=2) and c=3",
            "OK {'and': [{'=': {'c': 3.0}}, {'or': [{'=': {'b': 2.0}}, {'=': {'a': 1.0}}]}]}"
        ),
        ("not a=1 and b=2", "OK {'and': [{'=': {'b': 2.0}}, {'not': {'=': {'a': 1.0}}}]}"),
        ("not not a=1", "OK {'not': {'not': {'=': {'a': 1.0}}}}"),
        ("not (a=1 or b=2)", "OK {'not': {'or': [{'=': {'b': 2.0}}, {'=': {'a': 1.0}}]}}"),
        ("a = null", "OK {'=': {'a': None}}"),
        ("a = None", "OK {'=': {'a': None}}"),
        ("a = true", "OK {'=': {'a': True}}"),
        ("a = False", "OK {'=': {'a': False}}"),
        (
            "nullable = 1",
            "ERROR Invalid filter: Expected CONDITION, found 'nullable'  (at char 0), (line:1, col:1)"
        ),
        (
            "trueish = 1",
            "ERROR Invalid filter: Expected CONDITION, found 'trueish'  (at char 0), (line:1, col:1)"
        ),
        ("a = 'x y'", "OK {'=': {'a': 'x y'}}"),
        ("a = \"x'y\"", "OK {'=': {'a': \"x'y\"}}"),
        (
            "a = \"x\\\"y\"",
            "ERROR Invalid filter: Expected end of text, found 'y'  (at char 8), (line:1, col:9)"
        ),
        ("a = 1.5e3", "OK {'=': {'a': 1500.0}}"),
        ("a = -2", "OK {'=': {'a': -2.0}}"),
        ("a = +2.", "OK {'=': {'a': 2.0}}"),
        ("1 = a", "INVALID expected str @ data['='][1.0] | =,1.0"),
        ("null = a", "INVALID expected str @ data['='][None] | =,None"),
        ("a in [1, 'b', null, true]", "OK {'in': {'a': [1.0, 'b', None, True]}}"),
        (
            "a in []",
            "INVALID length of value must be at least 1 for dictionary value @ data['in']['a'] | in,a"
        ),
        ("a like 'fo%'", "OK {'like': {'a': 'fo%'}}"),
        (
            "a ilike 'fo%'",
            "ERROR Invalid filter: Expected CONDITION, found 'a'  (at char 0), (line:1, col:1)"
        ),
        ("a lt5", "OK {'lt': {'a': 5.0}}"),
        ("a = b c", "ERROR Invalid filter: Expected end of text, found 'c'  (at char 6), (line:1, col:7)"),
        ("a =", "ERROR Invalid filter: Expected CONDITION, found 'a'  (at char 0), (line:1, col:1)"),
        ("a == b", "ERROR Invalid filter: Expected CONDITION, found 'a'  (at char 0), (line:1, col:1)"),
        ("a ≠ 3", "OK {'≠': {'a': 3.0}}"),
        ("a ≥ 3", "OK {'≥': {'a': 3.0}}"),
        ("a ≤ 3", "OK {'≤': {'a': 3.0}}"),
        ("a ne 3", "OK {'ne': {'a': 3.0}}"),
        (
            "id = 5a301761f1b3c3eb1b1b1ee3fd5e3e81",
            "OK {'=': {'id': UUID('5a301761-f1b3-c3eb-1b1b-1ee3fd5e3e81')}}"
        ),
        ("id = deadbeef", "OK {'=': {'id': UUID('b7f42ce2-0792-5d2f-91be-fa278180e059')}}"),
        (
            "id in [foo, 5a301761-f1b3-c3eb-1b1b-1ee3fd5e3e81]",
            "OK {'in': {'id': [UUID('1513f2be-cb82-593c-96bf-c62d1e205742'), UUID('5a301761-f1b3-c3eb-1b1b-1ee3fd5e3e81')]}}"
        ),
        ("id like fo", "INVALID value must not be one of ['id'] @ data['like']['id'] | like,id"),
        ("a = [1,2]", "INVALID expected str for dictionary value @ data['=']['a'] | =,a"),
        ("a in 3", "INVALID expected a list for dictionary value @ data['in']['a'] | in,a"),
        ("a ∨ b", "ERROR Invalid filter: Expected CONDITION, found 'a'  (at char 0), (line:1, col:1)"),
        (
            "(a=1",
            "ERROR Invalid filter: Unbalanced parentheses or expression syntax error, found end of text  (at char 4), (line:1, col:5)"
        ),
        ("a=1)", "ERROR Invalid filter: Expected end of text, found ')'  (at char 3), (line:1, col:4)"),
        ("a.b = 1", "ERROR Invalid filter: Expected CONDITION, found 'a'  (at char 0), (line:1, col:1)"),
        ("a_b = 1", "OK {'=': {'a_b': 1.0}}"),
        ("_a = 1", "ERROR Invalid filter: Expected CONDITION, found '_'  (at char 0), (line:1, col:1)"),
        ("a = é", "ERROR Invalid filter: Expected CONDITION, found 'a'  (at char 0), (line:1, col:1)"),
        ("a = 1 2", "ERROR Invalid filter: Expected end of text, found '2'  (at char 6), (line:1, col:7)"),
        ("lifespan > 3", "OK {'>': {'lifespan': 3.0}}"),
        ("a = eq", "INVALID expected a dictionary | "),
        ("a = 'like'", "INVALID expected a dictionary | "),
        ("a = 'not'", "INVALID expected str for dictionary value @ data['=']['a'] | =,a"),
        ("a in [1, [2]]", "INVALID expected str @ data['in']['a'][1] | in,a,1"),
        ("a in [1, 'in']", "OK {'in': {'a': [1.0, 'in']}}"),
        ("(a = 1)", "OK {'=': {'a': 1.0}}"),
        ("((a = 1)) and (b=2)", "OK {'and': [{'=': {'b': 2.0}}, {'=': {'a': 1.0}}]}"),
        (
            "a=1 and b=2 ∧ c=3 or d=4 ∨ e=5",
            "OK {'∨': [{'=': {'e': 5.0}}, {'or': [{'=': {'d': 4.0}}, {'∧': [{'=': {'c': 3.0}}, {'and': [{'=': {'b': 2.0}}, {'=': {'a': 1.0}}]}]}]}]}"
        ),
        ("not a=1 or not b=2", "OK {'or': [{'not': {'=': {'b': 2.0}}}, {'not': {'=': {'a': 1.0}}}]}"),
        (
            "a=1 and not b=2 and c=3",
            "OK {'and': [{'=': {'c': 3.0}}, {'not': {'=': {'b': 2.0}}}, {'=': {'a': 1.0}}]}"
        ),
        // Gnocchi prints this key as `ParseResults([1.0], {})`.
        ("[1] = a", "INVALID expected str @ data['='][[1.0]] | =,[1.0]"),
        (
            "a = 1 and",
            "ERROR Invalid filter: Expected CONDITION, found end of text  (at char 9), (line:1, col:10)"
        ),
        ("a=1 andb=2", "OK {'and': [{'=': {'b': 2.0}}, {'=': {'a': 1.0}}]}"),
        ("a=1 and(b=2)", "OK {'and': [{'=': {'b': 2.0}}, {'=': {'a': 1.0}}]}"),
        ("a = 'abc", "ERROR Invalid filter: Expected CONDITION, found 'a'  (at char 0), (line:1, col:1)"),
        ("a = \"\"", "OK {'=': {'a': ''}}"),
        ("a=1or b=2", "OK {'or': [{'=': {'b': 2.0}}, {'=': {'a': 1.0}}]}"),
        ("notа=1", "ERROR Invalid filter: Expected CONDITION, found 'а'  (at char 3), (line:1, col:4)"),
        ("nota=1", "OK {'not': {'=': {'a': 1.0}}}"),
        ("a = 1e5x", "ERROR Invalid filter: Expected end of text, found 'x'  (at char 7), (line:1, col:8)"),
        ("a=1 or b=2 or c=3", "OK {'or': [{'=': {'c': 3.0}}, {'=': {'b': 2.0}}, {'=': {'a': 1.0}}]}"),
        ("a=01", "OK {'=': {'a': 1.0}}"),
        (
            "id = 'a/b'",
            "INVALID '/' is not supported in resource id for dictionary value @ data['=']['id'] | =,id"
        ),
        (
            "user_id = 5A301761F1B3C3EB1B1B1EE3FD5E3E81",
            "OK {'=': {'user_id': '5A301761F1B3C3EB1B1B1EE3FD5E3E81'}}"
        ),
        ("a = -", "ERROR Invalid filter: Expected CONDITION, found 'a'  (at char 0), (line:1, col:1)"),
        ("a = 5a301761-f1b3c3eb1b1b1ee3fd5e3e81", "OK {'=': {'a': '5a301761-f1b3c3eb1b1b1ee3fd5e3e81'}}"),
        (
            "a = 5a30176",
            "ERROR Invalid filter: Expected end of text, found 'a30176'  (at char 5), (line:1, col:6)"
        ),
        (
            "a = 5a30176111",
            "ERROR Invalid filter: Expected end of text, found 'a30176111'  (at char 5), (line:1, col:6)"
        ),
        ("  a = 1  ", "OK {'=': {'a': 1.0}}"),
        ("a\t=\t1", "OK {'=': {'a': 1.0}}"),
        (
            "a = 1 and",
            "ERROR Invalid filter: Expected CONDITION, found end of text  (at char 9), (line:1, col:10)"
        ),
        (
            "a = 1 and b",
            "ERROR Invalid filter: Expected CONDITION, found 'b'  (at char 10), (line:1, col:11)"
        ),
        (
            "a = 1 and (b",
            "ERROR Invalid filter: Expected CONDITION, found 'b'  (at char 11), (line:1, col:12)"
        ),
        (
            "a = 1 and (b = 2",
            "ERROR Invalid filter: Unbalanced parentheses or expression syntax error, found end of text  (at char 16), (line:1, col:17)"
        ),
        (
            "(a = 1",
            "ERROR Invalid filter: Unbalanced parentheses or expression syntax error, found end of text  (at char 6), (line:1, col:7)"
        ),
        (
            "((a = 1)",
            "ERROR Invalid filter: Unbalanced parentheses or expression syntax error, found end of text  (at char 8), (line:1, col:9)"
        ),
        (
            "(a = 1 or",
            "ERROR Invalid filter: Expected CONDITION, found end of text  (at char 9), (line:1, col:10)"
        ),
        (
            "a = 1 or b = 2)",
            "ERROR Invalid filter: Expected end of text, found ')'  (at char 14), (line:1, col:15)"
        ),
        ("not", "ERROR Invalid filter: Expected CONDITION, found end of text  (at char 3), (line:1, col:4)"),
        (
            "not (",
            "ERROR Invalid filter: Expected CONDITION, found end of text  (at char 5), (line:1, col:6)"
        ),
        (
            "a = 1 and not",
            "ERROR Invalid filter: Expected CONDITION, found end of text  (at char 13), (line:1, col:14)"
        ),
        (
            "a = 1 b = 2",
            "ERROR Invalid filter: Expected end of text, found 'b'  (at char 6), (line:1, col:7)"
        ),
        (
            "a = 1 and b = 2 c",
            "ERROR Invalid filter: Expected end of text, found 'c'  (at char 16), (line:1, col:17)"
        ),
        ("a = 1)", "ERROR Invalid filter: Expected end of text, found ')'  (at char 5), (line:1, col:6)"),
        ("a", "ERROR Invalid filter: Expected CONDITION, found 'a'  (at char 0), (line:1, col:1)"),
        ("a = ", "ERROR Invalid filter: Expected CONDITION, found 'a'  (at char 0), (line:1, col:1)"),
        ("= 1", "ERROR Invalid filter: Expected CONDITION, found '='  (at char 0), (line:1, col:1)"),
        ("a in [1, 2", "ERROR Invalid filter: Expected CONDITION, found 'a'  (at char 0), (line:1, col:1)"),
        ("a in [1 2]", "ERROR Invalid filter: Expected CONDITION, found 'a'  (at char 0), (line:1, col:1)"),
        ("a = 'x\\ty'", "OK {'=': {'a': 'x\\ty'}}"),
        (
            "id = 5a301761f1b3c3eb1b1b1ee3fd5e3e81a",
            "ERROR Invalid filter: Expected end of text, found 'a'  (at char 37), (line:1, col:38)"
        ),
        (
            "a=1 and and b=2",
            "ERROR Invalid filter: Expected CONDITION, found 'and'  (at char 8), (line:1, col:9)"
        ),
        ("()", "ERROR Invalid filter: Expected CONDITION, found ')'  (at char 1), (line:1, col:2)"),
        ("(a)", "ERROR Invalid filter: Expected CONDITION, found 'a'  (at char 1), (line:1, col:2)"),
        (
            "a = 1 and ()",
            "ERROR Invalid filter: Expected CONDITION, found ')'  (at char 11), (line:1, col:12)"
        ),
        (
            "a=1 ∨",
            "ERROR Invalid filter: Expected CONDITION, found end of text  (at char 5), (line:1, col:6)"
        ),
    ]

    static let jsonCases: [(String, String)] = [
        ("{}", "OK {}"),
        ("[]", "INVALID expected a dictionary | "),
        ("null", "INVALID invalid value or type | "),
        ("\"x\"", "INVALID expected a dictionary | "),
        ("{\"=\": {}}", "INVALID length of value must be at least 1 for dictionary value @ data['='] | ="),
        (
            "{\"=\": {\"a\": 1, \"b\": 2}}",
            "INVALID length of value must be at most 1 for dictionary value @ data['='] | ="
        ),
        ("{\"=\": []}", "INVALID length of value must be at least 1 for dictionary value @ data['='] | ="),
        ("{\"=\": \"x\"}", "INVALID expected a dictionary for dictionary value @ data['='] | ="),
        ("{\"=\": {\"a\": {\"b\": 1}}}", "INVALID expected str for dictionary value @ data['=']['a'] | =,a"),
        ("{\"=\": {\"a\": [1]}}", "INVALID expected str for dictionary value @ data['=']['a'] | =,a"),
        ("{\"in\": {\"a\": \"x\"}}", "INVALID expected a list for dictionary value @ data['in']['a'] | in,a"),
        ("{\"in\": {\"a\": [{\"b\": 1}]}}", "INVALID expected str @ data['in']['a'][0] | in,a,0"),
        ("{\"in\": {\"a\": [[1]]}}", "INVALID expected str @ data['in']['a'][0] | in,a,0"),
        (
            "{\"in\": {\"id\": []}}",
            "INVALID length of value must be at least 1 for dictionary value @ data['in']['id'] | in,id"
        ),
        ("{\"in\": {}}", "INVALID length of value must be at least 1 for dictionary value @ data['in'] | in"),
        (
            "{\"and\": []}",
            "INVALID length of value must be at least 1 for dictionary value @ data['and'] | and"
        ),
        ("{\"and\": [{}]}", "OK {'and': [{}]}"),
        (
            "{\"and\": [{\"=\": {\"a\": 1}}, {\"foo\": 1}]}",
            "INVALID not a valid value @ data['and'][1]['foo'] | and,1,foo"
        ),
        ("{\"and\": [{\"=\": {\"a\": 1}}, 3]}", "INVALID invalid value or type @ data['and'][1] | and,1"),
        ("{\"not\": {}}", "OK {'not': {}}"),
        ("{\"not\": {\"foo\": 1}}", "INVALID not a valid value @ data['not']['foo'] | not,foo"),
        ("{\"not\": 3}", "INVALID invalid value or type for dictionary value @ data['not'] | not"),
        ("{\"like\": {\"a\": 1}}", "OK {'like': {'a': 1}}"),
        ("{\"like\": {\"a\": null}}", "OK {'like': {'a': None}}"),
        (
            "{\"like\": {}}",
            "INVALID length of value must be at least 1 for dictionary value @ data['like'] | like"
        ),
        (
            "{\"like\": {\"a\": 1, \"b\": 2}}",
            "INVALID length of value must be at most 1 for dictionary value @ data['like'] | like"
        ),
        ("{\"ilike\": {\"a\": \"x\"}}", "INVALID not a valid value @ data['ilike'] | ilike"),
        (
            "{\"=\": {\"id\": \"a/b\"}}",
            "INVALID '/' is not supported in resource id for dictionary value @ data['=']['id'] | =,id"
        ),
        (
            "{\"=\": {\"id\": \"x\", \"a\": 1}}",
            "INVALID length of value must be at most 1 for dictionary value @ data['='] | ="
        ),
        ("{\"=\": {\"1\": 1}}", "OK {'=': {'1': 1}}"),
        (
            "{\"or\": [{\"and\": [{\"not\": {\"=\": {\"a\": [1]}}}]}]}",
            "INVALID expected str for dictionary value @ data['or'][0]['and'][0]['not']['=']['a'] | or,0,and,0,not,=,a"
        ),
        ("{\"=\": {\"a\": 1.5e300}}", "OK {'=': {'a': 1.5e+300}}"),
        ("{\"=\": {\"lifespan\": \"1 hour\"}}", "OK {'=': {'lifespan': '1 hour'}}"),
        ("{\"and\": [3, {\"foo\": 1}]}", "INVALID not a valid value @ data['and'][1]['foo'] | and,1,foo"),
        (
            "{\"and\": [{\"=\": \"x\"}]}",
            "INVALID expected a dictionary for dictionary value @ data['and'][0]['='] | and,0,="
        ),
        (
            "{\"not\": {\"a\": 1, \"b\": 2}}",
            "INVALID length of value must be at most 1 for dictionary value @ data['not'] | not"
        ),
        (
            "{\"or\": [{\"in\": {\"a\": []}}, {\"in\": {\"b\": \"x\"}}]}",
            "INVALID length of value must be at least 1 for dictionary value @ data['or'][0]['in']['a'] | or,0,in,a"
        ),
        (
            "{\"in\": {\"id\": [\"a/b\"]}}",
            "INVALID '/' is not supported in resource id @ data['in']['id'][0] | in,id,0"
        ),
        ("{\"=\": {\"id\": \"cd9eef\"}}", "OK {'=': {'id': UUID('024e693c-add4-59c1-81ac-726ff307a566')}}"),
        (
            "{\"not\": {\"not\": {\"like\": {\"id\": \"x\"}}}}",
            "INVALID value must not be one of ['id'] @ data['not']['not']['like']['id'] | not,not,like,id"
        ),
        ("{\"∧\": [{\"≥\": {\"a\": 1}}]}", "OK {'∧': [{'≥': {'a': 1}}]}"),
    ]

    @Test(arguments: stringCases) func stringSyntax(_ input: String, _ expected: String) {
        #expect(Self.string(input) == expected)
    }

    @Test(arguments: jsonCases) func jsonSchema(_ input: String, _ expected: String) {
        #expect(Self.json(input) == expected)
    }

    /// Where Gnocchi's conversion fails with a Python exception (a 500), a 400.
    @Test func gnocchiCrashesAreRefusals() {
        #expect(Self.string("a = and") == "ERROR Unable to parse this query")
        #expect(Self.string("a = 'x' and b = 'and'") == "ERROR Unable to parse this query")
        #expect(
            Self.string("id = 1") == "INVALID expected str for dictionary value @ data['='][\'id\'] | =,id")
        #expect(
            Self.json(#"{"=": {"id": 5}}"#)
                == "INVALID expected str for dictionary value @ data['='][\'id\'] | =,id")
        #expect(
            Self.json(#"{"in": {"id": ["a", 1]}}"#) == "INVALID expected str @ data['in']['id'][1] | in,id,1")
        #expect(Self.string("a = 1:.5").hasPrefix("ERROR Invalid filter: Expected end of text, found ':'"))
    }

    @Test func nestingIsLimited() {
        let deep = String(repeating: "not ", count: 70) + "a = 1"
        #expect(Self.string(deep).hasPrefix("ERROR Invalid filter: Expected at most 64 nested levels"))
        let parenthesized = String(repeating: "(", count: 70) + "a = 1" + String(repeating: ")", count: 70)
        #expect(
            Self.string(parenthesized).hasPrefix("ERROR Invalid filter: Expected at most 64 nested levels"))
        let lists = "a in " + String(repeating: "[", count: 70) + String(repeating: "]", count: 70)
        #expect(Self.string(lists).hasPrefix("ERROR Invalid filter: Expected at most 64 nested levels"))
        let json = String(repeating: #"{"not": "#, count: 100) + "{}" + String(repeating: "}", count: 100)
        let parsed = try? JSONReader.parse(Array(json.utf8))
        #expect(parsed.map(SearchValue.exceedsLimits) == true)
        let shallow = String(repeating: #"{"not": "#, count: 20) + "{}" + String(repeating: "}", count: 20)
        #expect((try? JSONReader.parse(Array(shallow.utf8))).map(SearchValue.exceedsLimits) == false)
    }
}
