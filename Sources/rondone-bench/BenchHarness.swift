import Dispatch
import Foundation

/// Times `body` (which processes `items` items per call) and prints items per second.
///
/// Runs the body once to warm up, then repeats it until at least `minSeconds` have
/// passed, and reports the best rate seen over those calls (the least disturbed one).
@discardableResult
func bench(
    _ label: String, items: Int, unit: String = "items", minSeconds: Double = 0.5,
    _ body: () -> Void
) -> Double {
    body()
    let clock = ContinuousClock()
    var best = Double.infinity
    var spent = 0.0
    var calls = 0
    while spent < minSeconds || calls < 3 {
        let elapsed = clock.measure(body)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        best = min(best, seconds)
        spent += seconds
        calls += 1
    }
    let rate = Double(items) / best
    print("  \(label.padding(toLength: 52, withPad: " ", startingAt: 0)) \(formatRate(rate)) \(unit)/s")
    return rate
}

/// Keeps the optimizer from discarding a computed result.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

/// A rate with an SI suffix, e.g. `12.30 M`.
func formatRate(_ rate: Double) -> String {
    let (scaled, suffix): (Double, String) =
        rate >= 1e9
        ? (rate / 1e9, "G") : rate >= 1e6 ? (rate / 1e6, "M") : rate >= 1e3 ? (rate / 1e3, "k") : (rate, "")
    return String(format: "%8.2f %@", scaled, suffix)
}

/// Runs async work to completion from the synchronous benchmark commands (the main
/// thread waits; the work runs on the cooperative pool).
func runBlocking(_ body: @escaping @Sendable () async -> Void) {
    let done = DispatchSemaphore(value: 0)
    Task {
        await body()
        done.signal()
    }
    done.wait()
}
