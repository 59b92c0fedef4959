import HTTPTypes
import RondoneIndexer
import RondoneJSON
import RondoneQuery
import RondoneTimeSeries

/// What the two cross-metric controllers share: the request body's operations as the
/// query module's input tree, the reader the query runs with, Gnocchi's bodies for
/// ``QueryError``s, and the rendering of results.
enum AggregatesSupport {
    /// An error whose `description` is the JSON object of `members` (Gnocchi's
    /// `{"cause": ..., "reason": ..., "detail": ...}`).
    static func described(_ status: HTTPResponse.Status, _ members: [(String, JSONValue)]) -> APIError {
        APIError(status, .json(.object(members)))
    }

    /// The validated tree as Gnocchi echoes it in errors: numbers as floats, timespans
    /// in seconds, operator names in the spelling ``UnaryOperator/name`` gives.
    static func json(_ operation: Operation) -> JSONValue {
        switch operation {
        case .metric(let keys, let single):
            if single, let key = keys.first {
                return .array([.string("metric"), .string(key.name), .string(key.aggregation)])
            }
            return .array(
                [.string("metric")] + keys.map { .array([.string($0.name), .string($0.aggregation)]) })
        case .number(let value): return .double(value)
        case .unary(let op, let operand): return .array([.string(op.name), json(operand)])
        case .binary(let op, let left, let right): return .array([.string(op.name), json(left), json(right)])
        case .clip(let value, let low, let high):
            return .array([.string("clip"), json(value), json(low)] + (high.map { [json($0)] } ?? []))
        case .aggregate(let method, let operand):
            return .array([.string("aggregate"), .string(method.description), json(operand)])
        case .resample(let method, let sampling, let operand):
            return .array([
                .string("resample"), .string(method.name), json(sampling), json(operand),
            ])
        case .rolling(let method, let window, let operand):
            return .array([
                .string("rolling"), .string(method.description), .int(Int64(window)), json(operand),
            ])
        }
    }

    /// A `resample` sampling as Gnocchi echoes a timespan (seconds), or its letter.
    static func json(_ sampling: Sampling) -> JSONValue {
        switch sampling {
        case .timespan(let length): .double(length.seconds)
        case .calendar(let grouping): .string(grouping.letter)
        }
    }

    /// The server's reader of stored aggregates, as `CrossMetricQuery.run(reading:)` takes it.
    static func reader(_ context: ControllerContext) -> @Sendable (SeriesRequest) async throws -> Series {
        { [reader = context.reader] request in try await reader.read(request) }
    }

    /// Gnocchi's `aggregated: …` detail item as JSON.
    static func json(_ detail: [[QueryError.DetailItem]]) -> JSONValue {
        .array(
            detail.map { items in
                .array(
                    items.map {
                        switch $0 {
                        case .text(let text): .string(text)
                        case .seconds(let seconds): .double(seconds)
                        }
                    })
            })
    }

    /// `UnAggregableTimeseries` as Gnocchi's 400.
    static func unaggregable(_ detail: [[QueryError.DetailItem]], reason: String) -> APIError {
        described(
            .badRequest,
            [
                ("cause", .string("Metrics cannot be aggregated")), ("reason", .string(reason)),
                ("detail", json(detail)),
            ])
    }

    /// Gnocchi's `AggregationDoesNotExist` message.
    static func aggregationDoesNotExistMessage(metric: MetricID, method: String, granularity: TimeDelta)
        -> String
    {
        "Aggregation method '\(method)' at granularity '\(JSONValue.pythonRepr(granularity.seconds))' "
            + "for metric \(metric) does not exist"
    }

    /// Gnocchi's status and body for a query refusal. An unknown aggregation is a 404
    /// with JSON on `/v1/aggregates`, with `AggregationDoesNotExist`'s text on
    /// `/v1/aggregation/metric` (`textForUnknownAggregation`).
    static func apiError(_ error: QueryError, textForUnknownAggregation: Bool) -> APIError {
        switch error {
        case .unaggregable(let detail, let reason): return unaggregable(detail, reason: reason)
        case .aggregationDoesNotExist(let metric, let method, let granularity):
            if textForUnknownAggregation {
                return .notFound(
                    aggregationDoesNotExistMessage(metric: metric, method: method, granularity: granularity))
            }
            return described(
                .notFound,
                [
                    ("cause", .string("Metrics with unknown aggregation")),
                    ("detail", .array([.array([.string(metric.description), .string(method)])])),
                ])
        case .invalidOperation(let reason): return invalidOperation(reason)
        }
    }

    /// 400 past ``CrossMetricQuery/maxReferences``, checked before any metric is looked up.
    static func checkReferenceCount(_ count: Int) throws(APIError) {
        guard count <= CrossMetricQuery.maxReferences else {
            throw invalidOperation(
                "At most \(CrossMetricQuery.maxReferences) metric references are allowed in one query")
        }
    }

    /// 400 for the operations Gnocchi fails on with a 500.
    static func invalidOperation(_ reason: String) -> APIError {
        described(.badRequest, [("cause", .string("Invalid operations")), ("reason", .string(reason))])
    }

    /// A result's series, `[[timestamp, granularity, value], …]` per granularity.
    static func render(_ series: [GranularSeries], into out: inout [UInt8]) {
        out += MeasuresRendering.render(sampled: series.map { ($0.sampling, $0.points) })
    }

    /// `{"aggregated": [...]}` or `{"ID": {"mean": [...]}, …}`.
    static func render(_ result: QueryResult, into out: inout [UInt8]) {
        switch result {
        case .aggregated(let series):
            out += #"{"aggregated": "#.utf8
            render(series, into: &out)
            out.append(UInt8(ascii: "}"))
        case .perReference(let groups): render(groups, into: &out)
        case .perResource(let resources):
            out.append(UInt8(ascii: "{"))
            for (index, resource) in resources.enumerated() {
                if index > 0 { out += ", ".utf8 }
                JSONValue.writeString(resource.resource, into: &out)
                out += ": ".utf8
                render(resource.metrics, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// `{"NAME": {"mean": [...]}, …}`.
    static func render(_ groups: [QueryResult.PerReference], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (index, group) in groups.enumerated() {
            if index > 0 { out += ", ".utf8 }
            JSONValue.writeString(group.name, into: &out)
            out += ": {".utf8
            for (inner, entry) in group.aggregations.enumerated() {
                if inner > 0 { out += ", ".utf8 }
                JSONValue.writeString(entry.aggregation, into: &out)
                out += ": ".utf8
                render(entry.series, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "}"))
    }
}
