import RondoneTimeSeries

/// The terminals of the `filter=` syntax (``SearchFilterString``): terms, comparison
/// operators and conditions, each matched at a position of the text as pyparsing
/// matches them (leading white space skipped; alternatives tried in order, the first
/// that matches a prefix wins, without backtracking into the others).
struct SearchFilterScanner {
    typealias Item = SearchFilterStringTree.Item

    let text: [Unicode.Scalar]

    init(_ text: [Unicode.Scalar]) { self.text = text }

    /// The comparison operators in the order Gnocchi's regular expression tries them.
    static let operators = [
        ">=", "<=", "!=", ">", "<", "=", "==", "eq", "ne", "lt", "gt", "ge", "le", "in", "like", "≠", "≥",
        "≤",
    ]

    /// The escapes pyparsing's `QuotedString` turns into white space.
    static let whitespaceEscapes: [Unicode.Scalar: Unicode.Scalar] = [
        "t": "\t", "n": "\n", "r": "\r", "f": "\u{0C}",
    ]

    func skipSpace(_ location: Int) -> Int {
        var location = location
        while location < text.count, [" ", "\t", "\n", "\r"].contains(text[location]) { location += 1 }
        return location
    }

    /// The end of `word` when the text continues with it at `location`.
    func literal(_ word: String, at location: Int) -> Int? {
        var end = location
        for scalar in word.unicodeScalars {
            guard end < text.count, text[end] == scalar else { return nil }
            end += 1
        }
        return end
    }

    /// `term operator term`, or nil when the text does not start with one.
    func condition(at location: Int) throws(SearchFilterString.Failure) -> (Item, Int)? {
        guard let (left, afterLeft) = try term(at: location, depth: 0) else { return nil }
        let start = skipSpace(afterLeft)
        guard let name = Self.operators.first(where: { literal($0, at: start) != nil }) else { return nil }
        guard let (right, end) = try term(at: start + name.unicodeScalars.count, depth: 0) else { return nil }
        return (.group([left, .token(.string(name)), right]), end)
    }

    /// One term: a scalar token, or a list (a `list` group in pyparsing's results).
    func term(at location: Int, depth: Int) throws(SearchFilterString.Failure) -> (Item, Int)? {
        let start = skipSpace(location)
        for (word, value) in [("None", SearchValue.null), ("none", .null), ("null", .null)] {
            if let end = literal(word, at: start) { return (.token(value), end) }
        }
        for (word, flag) in [("False", false), ("True", true), ("false", false), ("true", true)] {
            if let end = literal(word, at: start) { return (.token(.bool(flag)), end) }
        }
        if let end = uuid(at: start) { return (.token(.string(string(start..<end))), end) }
        if start < text.count, isASCIILetter(text[start]) {
            var end = start + 1
            while end < text.count, isASCIILetter(text[end]) || isDigit(text[end]) || text[end] == "_" {
                end += 1
            }
            return (.token(.string(string(start..<end))), end)
        }
        if let (number, end) = number(at: start) { return (.token(.double(number)), end) }
        if start < text.count, text[start] == "\"" || text[start] == "'" {
            guard let (content, end) = quoted(at: start) else { return nil }
            return (.token(.string(content)), end)
        }
        if let open = literal("[", at: start) {
            guard depth < SearchValue.maxDepth else {
                throw SearchFilterString.Failure(
                    expected: "Expected at most \(SearchValue.maxDepth) nested levels", location: start)
            }
            return try list(at: open, depth: depth + 1)
        }
        return nil
    }

    /// `[term, term, ...]` after its `[`; items as values (nested lists as lists).
    private func list(at location: Int, depth: Int) throws(SearchFilterString.Failure) -> (Item, Int)? {
        var items: [SearchValue] = []
        var position = location
        if let (first, end) = try term(at: position, depth: depth) {
            items.append(first.value)
            position = end
            while let comma = literal(",", at: skipSpace(position)) {
                guard let (next, end) = try term(at: comma, depth: depth) else { break }
                items.append(next.value)
                position = end
            }
        }
        guard let end = literal("]", at: skipSpace(position)) else { return nil }
        return (.list(items), end)
    }

    /// 8-4-4-4-12 hex digits, each hyphen optional; the text as written.
    private func uuid(at location: Int) -> Int? {
        var position = location
        for (index, count) in [8, 4, 4, 4, 12].enumerated() {
            if index > 0, position < text.count, text[position] == "-" { position += 1 }
            for _ in 0..<count {
                guard position < text.count, text[position].properties.isASCIIHexDigit else { return nil }
                position += 1
            }
        }
        return position
    }

    /// `[+-]?\d+(\.\d*)?([eE][+-]?\d+)?` as a float.
    private func number(at location: Int) -> (Double, Int)? {
        var position = location
        if position < text.count, text[position] == "+" || text[position] == "-" { position += 1 }
        let digitsStart = position
        while position < text.count, isDigit(text[position]) { position += 1 }
        guard position > digitsStart else { return nil }
        if position < text.count, text[position] == "." {
            position += 1
            while position < text.count, isDigit(text[position]) { position += 1 }
        }
        if position < text.count, text[position] == "e" || text[position] == "E" {
            var exponent = position + 1
            if exponent < text.count, text[exponent] == "+" || text[exponent] == "-" { exponent += 1 }
            let exponentDigits = exponent
            while exponent < text.count, isDigit(text[exponent]) { exponent += 1 }
            if exponent > exponentDigits { position = exponent }
        }
        var bytes = Array(string(location..<position).utf8)
        let value = bytes.withUnsafeMutableBufferPointer { PythonFloatGrammar.parse(UnsafeBufferPointer($0)) }
        return value.map { ($0, position) }
    }

    /// A string between `'` or `"` on one line, without escapes; the white-space escapes
    /// `\t`, `\n`, `\r`, `\f` become those characters (pyparsing's `QuotedString`).
    private func quoted(at location: Int) -> (String, Int)? {
        let quote = text[location]
        var position = location + 1
        var content = String.UnicodeScalarView()
        while position < text.count, text[position] != quote {
            let scalar = text[position]
            if scalar == "\n" || scalar == "\r" { return nil }
            if scalar == "\\", position + 1 < text.count,
                let replacement = Self.whitespaceEscapes[text[position + 1]]
            {
                content.append(replacement)
                position += 2
                continue
            }
            content.append(scalar)
            position += 1
        }
        guard position < text.count else { return nil }
        return (String(content), position + 1)
    }

    private func string(_ range: Range<Int>) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: text[range])
        return String(scalars)
    }

    private func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    private func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
}
