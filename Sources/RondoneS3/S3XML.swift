/// An element of the small XML documents S3 answers with (`ListBucketResult`,
/// `DeleteResult`, `Error`): its name, its child elements and its text.
///
/// Attributes, comments, processing instructions and the DOCTYPE are skipped; the five
/// predefined entities, character references and CDATA are decoded. Anything else
/// malformed — or nested deeper than `maximumDepth` — is an `S3XMLError`, never a crash:
/// the bytes come from a server.
struct S3XMLElement: Sendable, Equatable {
    var name: String
    var children: [S3XMLElement] = []
    var text = ""

    func child(_ name: String) -> S3XMLElement? { children.first { $0.name == name } }
    func children(_ name: String) -> [S3XMLElement] { children.filter { $0.name == name } }
    /// The text of the first child called `name`.
    subscript(_ name: String) -> String? { child(name)?.text }
}

/// Why an S3 answer could not be read as XML, with the byte offset.
struct S3XMLError: Error, Sendable, CustomStringConvertible {
    var reason: String
    var offset: Int
    var description: String { "malformed XML at byte \(offset): \(reason)" }
}

enum S3XML {
    static let maximumDepth = 64

    static func parse(_ bytes: [UInt8]) throws(S3XMLError) -> S3XMLElement {
        var parser = Parser(bytes: bytes)
        return try parser.document()
    }

    /// `text` with `&`, `<`, `>`, `"` and `'` escaped, and tab, line feed and carriage return
    /// as character references so that no XML reader normalises them away.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t": out += "&#9;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Whether XML 1.0 can carry `text` at all (no control characters but tab, LF, CR).
    static func canRepresent(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            switch scalar.value {
            case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
            default: return false
            }
        }
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        }

        mutating func document() throws(S3XMLError) -> S3XMLElement {
            var stack: [(element: S3XMLElement, text: [UInt8])] = []
            var root: S3XMLElement?
            while index < bytes.count {
                if bytes[index] != UInt8(ascii: "<") {
                    let text = try self.text()
                    if stack.isEmpty {
                        guard text.allSatisfy(Self.isSpace) else {
                            throw failure("text outside the root element")
                        }
                    } else {
                        stack[stack.count - 1].text += text
                    }
                    continue
                }
                if consume("<?") {
                    try skip(past: "?>")
                } else if consume("<!--") {
                    try skip(past: "-->")
                } else if consume("<![CDATA[") {
                    let start = index
                    try skip(past: "]]>")
                    guard !stack.isEmpty else { throw failure("CDATA outside the root element") }
                    stack[stack.count - 1].text += bytes[start..<(index - 3)]
                } else if consume("<!") {
                    try skip(past: ">")
                } else if consume("</") {
                    let name = try self.name()
                    skipSpace()
                    guard consume(">") else { throw failure("expected '>' to close </\(name)") }
                    guard let open = stack.popLast() else { throw failure("</\(name)> closes nothing") }
                    guard open.element.name == name else {
                        throw failure("</\(name)> closes <\(open.element.name)>")
                    }
                    var element = open.element
                    element.text = String(decoding: open.text, as: UTF8.self)
                    if stack.isEmpty {
                        guard root == nil else { throw failure("a second root element") }
                        root = element
                    } else {
                        stack[stack.count - 1].element.children.append(element)
                    }
                } else {
                    index += 1
                    let name = try self.name()
                    let empty = try attributes()
                    if stack.isEmpty && root != nil { throw failure("a second root element") }
                    if empty {
                        if stack.isEmpty {
                            root = S3XMLElement(name: name)
                        } else {
                            stack[stack.count - 1].element.children.append(S3XMLElement(name: name))
                        }
                    } else {
                        guard stack.count < S3XML.maximumDepth else { throw failure("nested too deep") }
                        stack.append((S3XMLElement(name: name), []))
                    }
                }
            }
            guard stack.isEmpty else {
                throw failure("<\(stack[stack.count - 1].element.name)> is not closed")
            }
            guard let root else { throw failure("no element") }
            return root
        }

        /// Character data up to the next `<`, entities decoded.
        mutating func text() throws(S3XMLError) -> [UInt8] {
            var out: [UInt8] = []
            while index < bytes.count, bytes[index] != UInt8(ascii: "<") {
                if bytes[index] == UInt8(ascii: "&") {
                    out += try entity()
                } else {
                    out.append(bytes[index])
                    index += 1
                }
            }
            return out
        }

        mutating func entity() throws(S3XMLError) -> [UInt8] {
            let start = index
            guard let end = bytes[start...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
                throw failure("unterminated entity")
            }
            let body = String(decoding: bytes[(start + 1)..<end], as: UTF8.self)
            index = end + 1
            switch body {
            case "amp": return [UInt8(ascii: "&")]
            case "lt": return [UInt8(ascii: "<")]
            case "gt": return [UInt8(ascii: ">")]
            case "quot": return [UInt8(ascii: "\"")]
            case "apos": return [UInt8(ascii: "'")]
            default:
                var value: UInt32?
                if body.hasPrefix("#x") || body.hasPrefix("#X") {
                    value = UInt32(body.dropFirst(2), radix: 16)
                } else if body.hasPrefix("#") {
                    value = UInt32(body.dropFirst(), radix: 10)
                }
                guard let value, let scalar = Unicode.Scalar(value) else {
                    index = start
                    throw failure("unknown entity &\(body);")
                }
                return Array(String(Character(scalar)).utf8)
            }
        }

        mutating func name() throws(S3XMLError) -> String {
            let start = index
            while index < bytes.count, !Self.isSpace(bytes[index]),
                bytes[index] != UInt8(ascii: ">"), bytes[index] != UInt8(ascii: "/"),
                bytes[index] != UInt8(ascii: "=")
            {
                index += 1
            }
            guard index > start else { throw failure("expected a name") }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        /// Skips the attributes of a start tag and its `>`; true for `/>`.
        mutating func attributes() throws(S3XMLError) -> Bool {
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: ">"):
                    index += 1
                    return false
                case UInt8(ascii: "/"):
                    index += 1
                    guard consume(">") else { throw failure("expected '>' after '/'") }
                    return true
                case UInt8(ascii: "\""), UInt8(ascii: "'"):
                    let quote = bytes[index]
                    index += 1
                    guard let close = bytes[index...].firstIndex(of: quote) else {
                        throw failure("unterminated attribute")
                    }
                    index = close + 1
                default:
                    index += 1
                }
            }
            throw failure("unterminated start tag")
        }

        mutating func consume(_ literal: StaticString) -> Bool {
            let count = literal.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            let matches = literal.withUTF8Buffer { bytes[index..<(index + count)].elementsEqual($0) }
            if matches { index += count }
            return matches
        }

        mutating func skip(past literal: StaticString) throws(S3XMLError) {
            while index < bytes.count {
                if consume(literal) { return }
                index += 1
            }
            throw failure("expected \(literal)")
        }

        mutating func skipSpace() {
            while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
        }

        static func isSpace(_ byte: UInt8) -> Bool {
            byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
        }

        func failure(_ reason: String) -> S3XMLError { S3XMLError(reason: reason, offset: index) }
    }
}
