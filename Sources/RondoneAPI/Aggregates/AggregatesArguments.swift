import RondoneQuery
import RondoneTimeSeries

/// The query arguments both cross-metric endpoints share, validated as Gnocchi 4.7's
/// `validate_qs` does, in its order: `needed_overlap`, `start`, `stop`, `granularity`,
/// `fill` (each error a 400 `Argument value error` naming the argument).
struct AggregatesArguments {
    var neededOverlap: Double?
    var start: Timestamp?
    var stop: Timestamp?
    var granularity: TimeDelta?
    var fill: FillMode?

    static let fillReason =
        "Must be a float, 'dropna', 'null', 'ffill', 'bfill', 'full_ffill' or 'full_bfill'"

    /// - Parameter defaultFill: the fill to use when neither `fill` nor
    ///   `needed_overlap` is given (`/v1/aggregates` uses `dropna`).
    init(query: [(name: String, value: String)], now: Timestamp, defaultFill: String? = nil) throws(APIError)
    {
        func last(_ name: String) -> String? { query.last { $0.name == name }?.value }
        let overlapText = last("needed_overlap")
        var fillText = last("fill")
        if fillText == nil && overlapText == nil { fillText = defaultFill }
        if let overlapText {
            guard let overlap = Self.pythonFloat(overlapText) else {
                throw MeasuresQuery.argumentError("needed_overlap", "Must be a number")
            }
            neededOverlap = overlap
        }
        start = try MeasuresQuery.timestamp(last("start"), "start", now: now)
        stop = try MeasuresQuery.timestamp(last("stop"), "stop", now: now)
        if let text = last("granularity") {
            do throws(TimespanError) {
                granularity = try TimeDelta.parseTimespan(text)
            } catch {
                throw MeasuresQuery.argumentError("granularity", error.message)
            }
        }
        if let fillText {
            guard let fill = FillMode(argument: fillText, parseFloat: Self.pythonFloat) else {
                throw MeasuresQuery.argumentError("fill", Self.fillReason)
            }
            self.fill = fill
        }
    }

    /// Python's `float(text)`.
    static func pythonFloat(_ text: String) -> Double? {
        Array(text.utf8).withUnsafeBufferPointer { PythonFloatGrammar.parse($0) }
    }
}
