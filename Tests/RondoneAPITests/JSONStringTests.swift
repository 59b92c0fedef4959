import RondoneJSON
import Testing

/// Strings in JSON answers are escaped as Python's `json.dumps` (`ensure_ascii`) does.
@Suite("JSON strings")
struct JSONStringTests {
    static func written(_ text: String) -> String {
        var out: [UInt8] = []
        JSONValue.writeString(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func escapesAsPython() {
        #expect(Self.written("") == #""""#)
        #expect(Self.written("plain ascii: 1.5 {}[]") == #""plain ascii: 1.5 {}[]""#)
        #expect(Self.written("a\"b\\c") == #""a\"b\\c""#)
        #expect(Self.written("\n\r\t\u{8}\u{C}") == #""\n\r\t\b\f""#)
        #expect(Self.written("\u{1}\u{7F}") == #""\u0001\u007f""#)
        #expect(Self.written("é€") == #""\u00e9\u20ac""#)
        #expect(Self.written("😀") == #""\ud83d\ude00""#)
    }
}
