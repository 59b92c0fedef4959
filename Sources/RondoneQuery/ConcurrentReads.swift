import RondoneTimeSeries

/// Independent reads of one request, run concurrently but answered as if run one by
/// one: results in the order asked, and on failure the error of the first failing read
/// in that order (later reads may have run; nothing they did is visible).
enum ConcurrentReads {
    /// Reads every request with `read`, at most `width` at a time.
    static func run(
        _ requests: [SeriesRequest], width: Int,
        _ read: @escaping @Sendable (SeriesRequest) async throws -> Series
    ) async throws -> [Series] {
        if requests.count <= 1 || width <= 1 {
            var results: [Series] = []
            results.reserveCapacity(requests.count)
            for request in requests { results.append(try await read(request)) }
            return results
        }
        var outcomes = [Result<Series, any Error>?](repeating: nil, count: requests.count)
        await withTaskGroup(of: Outcome.self) { group in
            var next = 0
            func launch() {
                let index = next
                let request = requests[index]
                next += 1
                group.addTask {
                    do {
                        return Outcome(index: index, result: .success(try await read(request)))
                    } catch {
                        return Outcome(index: index, result: .failure(error))
                    }
                }
            }
            while next < min(width, requests.count) { launch() }
            var failed = false
            while let outcome = await group.next() {
                outcomes[outcome.index] = outcome.result
                if case .failure = outcome.result { failed = true }
                // Reads start in order, so once one failed, every read that could fail
                // before it has started: the rest need not run.
                if !failed && next < requests.count { launch() }
            }
        }
        var results: [Series] = []
        results.reserveCapacity(requests.count)
        for outcome in outcomes {
            // A nil is past a failure, which the loop throws first.
            guard let outcome else { break }
            results.append(try outcome.get())
        }
        return results
    }

    /// One read's outcome and its place in the request list.
    ///
    /// A struct, not an `(Int, Result<Series, any Error>)` tuple: Swift 6.3.1's optimizer
    /// miscompiles a task group whose child result is that tuple (the index reads as
    /// garbage, so a release build trapped on the first concurrent read).
    struct Outcome: Sendable {
        var index: Int
        var result: Result<Series, any Error>
    }
}
