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
        await withTaskGroup(of: (Int, Result<Series, any Error>).self) { group in
            var next = 0
            func launch() {
                let index = next
                let request = requests[index]
                next += 1
                group.addTask {
                    do {
                        return (index, .success(try await read(request)))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            while next < min(width, requests.count) { launch() }
            var failed = false
            while let (index, outcome) = await group.next() {
                outcomes[index] = outcome
                if case .failure = outcome { failed = true }
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
}
