import Foundation
import Hummingbird
import NIOCore
import RondonePromQL
import RondoneTimeSeries

/// The parameters of a Prometheus API call, read as Go's `Request.FormValue` reads them:
/// a form-encoded POST body first, then the URL's query; the first value of a name wins,
/// every value of a repeated name (`match[]`) is kept.
struct PrometheusParameters {
    private let pairs: [(name: String, value: String)]

    init(pairs: [(name: String, value: String)]) {
        self.pairs = pairs
    }

    /// A request's parameters: its body's when it is a form-encoded POST, then its query's.
    static func read(_ request: Request, limit: Int) async throws -> PrometheusParameters {
        var pairs: [(name: String, value: String)] = []
        if request.method == .post,
            let type = request.headers[.contentType]?.lowercased(),
            type.hasPrefix("application/x-www-form-urlencoded")
        {
            let body = try await request.collectBody(upTo: limit)
            pairs = QueryString.parse(String(buffer: body))
        }
        pairs += request.queryPairs
        return PrometheusParameters(pairs: pairs)
    }

    /// The first value of `name`, nil when absent or empty (Go's `FormValue` gives "").
    func value(_ name: String) -> String? {
        guard let value = pairs.first(where: { $0.name == name })?.value, !value.isEmpty else { return nil }
        return value
    }

    /// Every value of `name`, in order.
    func values(_ name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }

    /// `name` as a time in milliseconds, `fallback` when absent.
    func time(_ name: String, default fallback: Int64) throws(PrometheusAPIError) -> Int64 {
        guard let text = value(name) else { return fallback }
        guard let time = Self.parseTime(text) else {
            throw .badData("invalid parameter \"\(name)\": cannot parse \"\(text)\" to a valid timestamp")
        }
        return time
    }

    /// `name` as a duration in milliseconds, nil when absent.
    func duration(_ name: String) throws(PrometheusAPIError) -> Int64? {
        guard let text = value(name) else { return nil }
        guard let duration = Self.parseDuration(text) else {
            throw .badData("invalid parameter \"\(name)\": cannot parse \"\(text)\" to a valid duration")
        }
        return duration
    }

    /// The series selectors of `match[]`, each parsed.
    func matchers() throws(PrometheusAPIError) -> [[PromQLMatcher]] {
        var selectors: [[PromQLMatcher]] = []
        for text in values("match[]") {
            do throws(PromQLError) {
                selectors.append(try PromQLMatcherSet.parseSelector(text))
            } catch {
                throw .badData("invalid parameter \"match[]\": \(error.description)")
            }
        }
        return selectors
    }

    /// The furthest time from the epoch accepted, in milliseconds (about 290 000 years),
    /// so that times, ranges and offsets add up without overflow.
    static let maxMilliseconds = 9.2e15

    /// Float seconds since the epoch (rounded to milliseconds), or RFC 3339; the times
    /// Prometheus's clients send for "the beginning" and "the end" of time too.
    static func parseTime(_ text: String) -> Int64? {
        if let seconds = Double(text), seconds.isFinite {
            let milliseconds = (seconds * 1000).rounded()
            guard abs(milliseconds) <= maxMilliseconds else { return nil }
            return Int64(milliseconds)
        }
        switch text {
        case "-292273086-05-16T16:47:06Z": return Int64.min / 1_000_000
        case "292277025-08-18T07:12:54.999999999Z": return Int64.max / 1_000_000
        default: break
        }
        guard text.count >= 20, text.utf8.contains(UInt8(ascii: "T")) else { return nil }
        do throws(TimestampError) {
            // Nanoseconds since the epoch hold ±292 years: within the bound below.
            return try Timestamp.parse(text, now: Timestamp(nanoseconds: 0)).nanoseconds / 1_000_000
        } catch {
            return nil
        }
    }

    /// Float seconds, or Prometheus's duration syntax (`5m`, `1h30m`), in milliseconds.
    static func parseDuration(_ text: String) -> Int64? {
        if let seconds = Double(text), seconds.isFinite {
            let milliseconds = (seconds * 1000).rounded()
            guard abs(milliseconds) <= Double(PromQLDuration.maxMilliseconds) else { return nil }
            return Int64(milliseconds)
        }
        return PromQLDuration.milliseconds(text)
    }
}
