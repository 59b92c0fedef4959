/// Independent calls run concurrently but answered as if run one by one: results in the
/// order of the inputs, and on failure the error of the first failing call in that
/// order (later calls may have run; nothing they returned is kept). Calls start in
/// order, so once one has failed no later one is started.
public enum OrderedConcurrentMap {
    /// `body` of every element, at most `width` at a time.
    public static func run<Element: Sendable, Output: Sendable>(
        _ elements: [Element], width: Int, _ body: @escaping @Sendable (Element) async throws -> Output
    ) async throws -> [Output] {
        if elements.count <= 1 || width <= 1 {
            var results: [Output] = []
            results.reserveCapacity(elements.count)
            for element in elements { results.append(try await body(element)) }
            return results
        }
        var outcomes = [Result<Output, any Error>?](repeating: nil, count: elements.count)
        await withTaskGroup(of: Outcome<Output>.self) { group in
            var next = 0
            func launch() {
                let index = next
                let element = elements[index]
                next += 1
                group.addTask {
                    do {
                        return Outcome(index: index, result: .success(try await body(element)))
                    } catch {
                        return Outcome(index: index, result: .failure(error))
                    }
                }
            }
            while next < min(width, elements.count) { launch() }
            var failed = false
            while let outcome = await group.next() {
                outcomes[outcome.index] = outcome.result
                if case .failure = outcome.result { failed = true }
                if !failed && next < elements.count { launch() }
            }
        }
        var results: [Output] = []
        results.reserveCapacity(elements.count)
        for outcome in outcomes {
            // A nil is past a failure, which the loop throws first.
            guard let outcome else { break }
            results.append(try outcome.get())
        }
        return results
    }

    /// One call's outcome and its place in the input.
    ///
    /// A struct, not an `(Int, Result<…>)` tuple: Swift 6.3.1's optimizer miscompiles a
    /// task group whose child result is that tuple (the index reads as garbage, so a
    /// release build trapped on the first concurrent read).
    struct Outcome<Output: Sendable>: Sendable {
        var index: Int
        var result: Result<Output, any Error>
    }
}
