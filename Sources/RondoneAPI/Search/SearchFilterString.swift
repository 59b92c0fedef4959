import RondoneJSON
import RondoneTimeSeries

/// The `filter=` query-string syntax of resource search and batch delete (Gnocchi's
/// `QueryStringSearchAttrFilter`), parsed into the same ``SearchValue`` a JSON body
/// gives, so the same schema checks it.
///
/// Grammar, as Gnocchi's pyparsing grammar accepts it:
///
/// ```
/// expr      := operand (logical operand)*        logical: and ∧ or ∨ (tightest first)
/// operand   := "not" operand | condition | "(" expr ")"
/// condition := term op term                       op: >= <= != > < = == eq ne lt gt ge le in like ≠ ≥ ≤
/// term      := null | boolean | uuid | identifier | number | quoted | "[" [term ("," term)*] "]"
/// ```
///
/// `null` is `None`, `none` or `null`; booleans `True`, `true`, `False`, `false`; a uuid is
/// 32 hex digits with optional hyphens in the usual places; an identifier is an ASCII
/// letter then letters, digits or `_`; numbers become floats; quoted strings use `'` or
/// `"` without escapes (`\t`, `\n`, `\r`, `\f` become those characters). Words and
/// operators match as prefixes, with the first alternative winning, so `==` never
/// parses (`=` matches first) and `nullable` reads as `null` followed by garbage.
///
/// Errors are Gnocchi's 400 `Invalid filter: <pyparsing message>` with its position
/// (`(at char N), (line:1, col:N+1)`); the expected-expression description is shorter
/// than pyparsing's dump of its grammar. Nesting (parentheses, `not`, lists) is limited
/// to ``SearchValue/maxDepth`` levels.
enum SearchFilterString {
    /// How the unparsed condition is described in `Expected …` messages.
    static let conditionDescription = "condition (term operator term)"

    /// The filter as Gnocchi's `QueryStringSearchAttrFilter._parse` returns it (before
    /// validation), or its 400.
    static func parse(_ text: String) throws(APIError) -> SearchValue {
        var parser = Parser(Array(text.unicodeScalars))
        let tree: SearchFilterStringTree.Item
        do throws(Failure) {
            tree = try parser.expression()
        } catch {
            throw .badRequest("Invalid filter: " + error.message(in: parser.text))
        }
        do throws(SearchFilterStringTree.Unconvertible) {
            return try SearchFilterStringTree.dictionary(tree)
        } catch {
            // Gnocchi's conversion fails with a Python exception (500) on these.
            throw ResourceSearchFilter.unparsable
        }
    }

    /// A pyparsing `ParseException`: what was expected where.
    struct Failure: Error {
        var expected: String
        var location: Int

        func message(in text: [Unicode.Scalar]) -> String {
            var found = ", found end of text"
            if location < text.count {
                var end = location
                while end < text.count, end - location < 16, Self.isWordCharacter(text[end]) { end += 1 }
                if end == location { end += 1 }
                var word = String.UnicodeScalarView()
                word.append(contentsOf: text[location..<end])
                found = ", found " + PythonRepr.string(String(word))
            }
            return "\(expected)\(found)  (at char \(location)), (line:1, col:\(location + 1))"
        }

        /// The characters pyparsing shows as one word after `found`.
        private static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
            if scalar.isASCII { return scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) }
            return scalar.value < 0x0530
                && (scalar.properties.isAlphabetic || scalar.properties.numericType != nil)
        }
    }

    /// Operator precedence parsing as pyparsing's `infix_notation` does it (an operator
    /// stack; `not` binds tightest, then `and`, `∧`, `or`, `∨`; chains of one operator
    /// stay flat).
    struct Parser {
        typealias Item = SearchFilterStringTree.Item

        let text: [Unicode.Scalar]
        var scanner: SearchFilterScanner

        init(_ text: [Unicode.Scalar]) {
            self.text = text
            scanner = SearchFilterScanner(text)
        }

        private enum Pending {
            case not(depth: Int)
            case chain(precedence: Int, operators: [String])
            case parenthesis
        }

        static let logical: [(String, Int)] = [("and", 40), ("∧", 30), ("or", 20), ("∨", 10)]

        mutating func expression() throws(Failure) -> Item {
            var operands: [Item] = []
            var pending: [Pending] = []
            var expectOperand = true
            var parentheses = 0
            var location = 0

            func reduce(above precedence: Int) {
                while let top = pending.last {
                    switch top {
                    case .parenthesis: return
                    case .not:
                        guard 50 > precedence else { return }
                        pending.removeLast()
                        operands.append(.group([.token(.string("not")), operands.removeLast()]))
                    case .chain(let level, let names):
                        guard level > precedence else { return }
                        pending.removeLast()
                        let arguments = Array(operands.suffix(names.count + 1))
                        operands.removeLast(names.count + 1)
                        var items = [arguments[0]]
                        for (index, name) in names.enumerated() {
                            items += [.token(.string(name)), arguments[index + 1]]
                        }
                        operands.append(.group(items))
                    }
                }
            }

            while true {
                location = scanner.skipSpace(location)
                if expectOperand {
                    if let end = scanner.literal("not", at: location) {
                        try checkDepth(pending.count, at: location)
                        pending.append(.not(depth: pending.count))
                        location = end
                        continue
                    }
                    if let (condition, end) = try scanner.condition(at: location) {
                        operands.append(condition)
                        location = end
                        expectOperand = false
                        continue
                    }
                    if let end = scanner.literal("(", at: location) {
                        try checkDepth(pending.count, at: location)
                        pending.append(.parenthesis)
                        parentheses += 1
                        location = end
                        continue
                    }
                    throw Failure(
                        expected: "Expected " + SearchFilterString.conditionDescription, location: location)
                }
                if parentheses > 0, let end = scanner.literal(")", at: location) {
                    reduce(above: -1)
                    if case .parenthesis = pending.last { pending.removeLast() }
                    parentheses -= 1
                    location = end
                    continue
                }
                var matched: (name: String, precedence: Int, end: Int)?
                for (name, precedence) in Self.logical {
                    if let end = scanner.literal(name, at: location) {
                        matched = (name, precedence, end)
                        break
                    }
                }
                guard let (name, precedence, end) = matched else { break }
                reduce(above: precedence)
                if case .chain(precedence, let names) = pending.last {
                    pending[pending.count - 1] = .chain(precedence: precedence, operators: names + [name])
                } else {
                    pending.append(.chain(precedence: precedence, operators: [name]))
                }
                location = end
                expectOperand = true
            }
            reduce(above: -1)
            guard parentheses == 0, operands.count == 1, pending.isEmpty else {
                throw Failure(
                    expected: "Unbalanced parentheses or expression syntax error", location: location)
            }
            location = scanner.skipSpace(location)
            guard location == text.count else {
                throw Failure(expected: "Expected end of text", location: location)
            }
            return operands[0]
        }

        private func checkDepth(_ depth: Int, at location: Int) throws(Failure) {
            guard depth < SearchValue.maxDepth else {
                throw Failure(
                    expected: "Expected at most \(SearchValue.maxDepth) nested levels", location: location)
            }
        }
    }
}
