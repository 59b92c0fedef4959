/// When `S3Client` tries a request again: on 5xx answers (but 501 Not Implemented, which
/// will not change), `503 SlowDown`, failed or closed connections and timeouts — never
/// on a 4xx, which says the request itself is wrong (a bad signature, a missing bucket).
///
/// Waits between attempts grow exponentially with "full jitter" (a uniform draw in
/// `0...min(maximumBackoff, initialBackoff · 2^(retry-1))`), which spreads many clients
/// that failed together instead of having them retry in lock-step. Both the number of
/// attempts and the total time are bounded: no attempt starts once `budget` has passed
/// since the first one, so a caller learns of an outage in bounded time.
public struct S3RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included; 1 means no retry.
    public var maximumAttempts: Int
    public var initialBackoff: Duration
    public var maximumBackoff: Duration
    /// No attempt starts later than this after the first one started.
    public var budget: Duration

    /// 6 attempts, waits drawn from up to 0.2, 0.4, 0.8, 1.6 and 3.2 s, within 10 s in all.
    public init(
        maximumAttempts: Int = 6, initialBackoff: Duration = .milliseconds(200),
        maximumBackoff: Duration = .seconds(5),
        budget: Duration = .seconds(10)
    ) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.budget = budget
    }

    /// No retries at all.
    public static let never = S3RetryPolicy(maximumAttempts: 1)

    /// The ceiling of the wait before retry number `retry` (1 for the second attempt).
    func backoffCeiling(beforeRetry retry: Int) -> Duration {
        var ceiling = initialBackoff
        for _ in 1..<max(1, retry) {
            ceiling *= 2
            if ceiling >= maximumBackoff { return maximumBackoff }
        }
        return min(ceiling, maximumBackoff)
    }

    /// The wait before retry number `retry`: uniform in `0...ceiling` (full jitter).
    func backoff(beforeRetry retry: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let ceiling = backoffCeiling(beforeRetry: retry)
        let nanoseconds =
            ceiling.components.seconds * 1_000_000_000 + ceiling.components.attoseconds / 1_000_000_000
        guard nanoseconds > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...nanoseconds, using: &generator))
    }
}
