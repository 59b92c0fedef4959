import RondoneTimeSeries

/// The prefix syntax of `operations` given as a string — `"(aggregate mean (metric ID
/// mean))"` — read as Gnocchi 4.7 reads it with pyparsing's `nestedExpr()`.
///
/// What that grammar does, and so what this does:
/// * a group is `(` … `)`; inside, items are separated by white space and are nested
///   groups, quoted strings (`"…"` or `'…'` on one line, kept *with* their quotes), or
///   runs of any other characters;
/// * every item is a string: numbers stay text until the schema coerces them;
/// * only the first group counts; text after it is ignored (Gnocchi parses without
///   `parseAll`, so `"(metric a mean))"` is accepted).
///
/// Nesting deeper than ``maxDepth`` is refused (pyparsing would hit Python's recursion
/// limit; here the limit keeps hostile input from using the stack).
public enum OperationsText {
    /// The deepest nesting of groups accepted.
    public static let maxDepth = 64

    /// A string that is not a group, with pyparsing's message (`Expected ')', found end
    /// of text  (at char 15), (line:1, col:16)`).
    public struct SyntaxError: Error, Equatable, Sendable {
        public var message: String

        public init(message: String) { self.message = message }
    }

    /// The first group of `text`.
    public static func parse(_ text: String) throws(SyntaxError) -> OperationNode {
        let bytes = Array(text.utf8)
        var position = 0
        skipSpace(bytes, &position)
        return try group(bytes, &position, depth: 0)
    }

    static func group(_ bytes: [UInt8], _ position: inout Int, depth: Int) throws(SyntaxError)
        -> OperationNode
    {
        guard position < bytes.count, bytes[position] == UInt8(ascii: "(") else {
            throw expected("(", bytes, at: position)
        }
        guard depth < maxDepth else {
            throw SyntaxError(message: "Operations nested deeper than \(maxDepth) levels")
        }
        position += 1
        var items: [OperationNode] = []
        while true {
            skipSpace(bytes, &position)
            guard position < bytes.count else { throw expected(")", bytes, at: position) }
            switch bytes[position] {
            case UInt8(ascii: ")"):
                position += 1
                return .list(items)
            case UInt8(ascii: "("):
                items.append(try group(bytes, &position, depth: depth + 1))
            default:
                if let end = quotedStringEnd(bytes, from: position) {
                    items.append(.string(String(decoding: bytes[position..<end], as: UTF8.self)))
                    position = end
                } else {
                    items.append(.string(word(bytes, &position)))
                }
            }
        }
    }

    /// A run of characters that are not parentheses or white space, stopping where a
    /// quoted string begins (pyparsing's `~quotedString + CharsNotIn(...)`).
    static func word(_ bytes: [UInt8], _ position: inout Int) -> String {
        let start = position
        repeat {
            position += 1
        } while position < bytes.count && !isDelimiter(bytes[position])
            && quotedStringEnd(bytes, from: position) == nil
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// The end of the quoted string starting at `start`, if one does: a quote, then
    /// anything but that quote, a line break or an unescaped backslash (doubled quotes
    /// and backslash escapes allowed), then the same quote.
    static func quotedStringEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        let quote = bytes[start]
        guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else { return nil }
        var index = start + 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == quote {
                // A doubled quote is part of the string.
                if index + 1 < bytes.count && bytes[index + 1] == quote {
                    index += 2
                    continue
                }
                return index + 1
            }
            if byte == 0x0A || byte == 0x0D { return nil }
            if byte == UInt8(ascii: "\\") {
                guard index + 1 < bytes.count, bytes[index + 1] != 0x0A else { return nil }
                index += 2
                continue
            }
            index += 1
        }
        return nil
    }

    static func isDelimiter(_ byte: UInt8) -> Bool {
        isSpace(byte) || byte == UInt8(ascii: "(") || byte == UInt8(ascii: ")")
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    static func skipSpace(_ bytes: [UInt8], _ position: inout Int) {
        while position < bytes.count && isSpace(bytes[position]) { position += 1 }
    }

    /// pyparsing's `ParseException` text for a missing `what` at `position`.
    static func expected(_ what: String, _ bytes: [UInt8], at position: Int) -> SyntaxError {
        var found = "end of text"
        if position < bytes.count {
            var end = position
            while end < bytes.count && !isSpace(bytes[end]) { end += 1 }
            found = pythonStringRepr(String(decoding: bytes[position..<end], as: UTF8.self))
        }
        var line = 1
        var lineStart = 0
        for index in 0..<min(position, bytes.count) where bytes[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        return SyntaxError(
            message: "Expected '\(what)', found \(found)  (at char \(position)), "
                + "(line:\(line), col:\(position - lineStart + 1))")
    }
}
