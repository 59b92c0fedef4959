import Testing

@testable import RondonePromQL

/// Series in memory, selected by their labels as a storage driver would.
struct MemoryStorage: PromQLStorage {
    var series: [PromQLSeries]

    func select(_ matchers: [PromQLMatcher], start: Int64, end: Int64, hints: PromQLSelectHints) async throws
        -> [PromQLSeries]
    {
        series.compactMap { series in
            for matcher in matchers {
                let value = series.labels[matcher.label]
                let holds: Bool
                switch matcher.kind {
                case .equal: holds = value == matcher.value
                case .notEqual: holds = value != matcher.value
                case .matches: holds = (try? PromQLRegex(matcher.value))?.matches(value) ?? false
                case .doesNotMatch: holds = !((try? PromQLRegex(matcher.value))?.matches(value) ?? false)
                }
                if !holds { return nil }
            }
            let window = series.window(from: start, through: end)
            return window.isEmpty ? nil : PromQLSeries(labels: series.labels, samples: Array(window))
        }
    }
}

/// The engine on small hand-checked series: Prometheus 2's lookback, range windows,
/// extrapolation, aggregation, matching and the functions.
@Suite("PromQL engine")
struct PromQLEngineTests {
    /// `requests{job, instance}`: counters sampled every 15 s from 0 s to 300 s, one per
    /// instance, rising by `rate` per second, with a reset at 150 s on instance "b".
    static let engine: PromQLEngine = {
        func counter(_ job: String, _ instance: String, perSecond: Double, resetAt: Int64? = nil)
            -> PromQLSeries
        {
            var value = 0.0
            var samples: [PromQLSample] = []
            for second in stride(from: Int64(0), through: 300, by: 15) {
                if second == resetAt { value = 0 }
                samples.append(PromQLSample(second * 1000, value))
                value += perSecond * 15
            }
            return PromQLSeries(
                labels: PromQLLabels(["__name__": "requests", "job": job, "instance": instance]),
                samples: samples)
        }
        let info = [("a", "1.0"), ("b", "2.0")].map { instance, version in
            PromQLSeries(
                labels: PromQLLabels(["__name__": "info", "instance": instance, "version": version]),
                samples: stride(from: Int64(0), through: 300_000, by: 15_000).map { PromQLSample($0, 1) })
        }
        return PromQLEngine(
            storage: MemoryStorage(
                series: [
                    counter("api", "a", perSecond: 1), counter("api", "b", perSecond: 2, resetAt: 150),
                    counter("db", "c", perSecond: 0.5),
                ] + info))
    }()

    static func vector(_ query: String, at seconds: Int64) async throws -> [String: Double] {
        guard case .vector(_, let series) = try await engine.instant(query, at: seconds * 1000) else {
            Issue.record("\(query): not a vector")
            return [:]
        }
        var out: [String: Double] = [:]
        for element in series {
            out[PromQLEngine.render(element.labels)] = element.samples[0].value
        }
        return out
    }

    static func scalar(_ query: String, at seconds: Int64 = 100) async throws -> Double? {
        guard case .scalar(_, let value) = try await engine.instant(query, at: seconds * 1000) else {
            return nil
        }
        return value
    }

    @Test func lookbackAndOffset() async throws {
        // At 400 s the last sample (300 s) is within 5 minutes; at 601 s it is not.
        #expect(try await Self.vector(#"requests{instance="c"}"#, at: 400).values.first == 150)
        #expect(try await Self.vector(#"requests{instance="c"}"#, at: 601).isEmpty)
        #expect(try await Self.vector(#"requests{instance="c"} offset 1m"#, at: 120).values.first == 30)
        #expect(try await Self.vector(#"requests{instance="c"} @ 30"#, at: 300).values.first == 15)
    }

    @Test func rateIncreaseAndFriends() async throws {
        // Samples cover the 1m window exactly: rate is the slope.
        #expect(
            try await Self.vector(#"rate(requests{instance="a"}[1m])"#, at: 120) == [
                #"{instance="a", job="api"}"#: 1
            ])
        #expect(try await Self.vector(#"increase(requests{instance="c"}[2m])"#, at: 120).values.first == 60)
        // The reset at 150 s is added back: 210 → 270, reset, 0 → 30.
        #expect(try await Self.vector(#"increase(requests{instance="b"}[1m])"#, at: 165).values.first == 90)
        #expect(try await Self.vector(#"resets(requests[5m])"#, at: 300)[#"{instance="b", job="api"}"#] == 1)
        #expect(try await Self.vector(#"irate(requests{instance="a"}[1m])"#, at: 120).values.first == 1)
        #expect(try await Self.vector(#"idelta(requests{instance="a"}[1m])"#, at: 120).values.first == 15)
        #expect(try await Self.vector(#"deriv(requests{instance="c"}[2m])"#, at: 120).values.first == 0.5)
        #expect(try await Self.vector(#"delta(requests{instance="c"}[1m])"#, at: 120).values.first == 30)
        #expect(try await Self.vector(#"changes(info[5m])"#, at: 300).values.allSatisfy { $0 == 0 })
        #expect(
            try await Self.vector(#"max_over_time(requests{instance="c"}[1m])"#, at: 120).values.first == 60)
        #expect(
            try await Self.vector(#"count_over_time(requests{instance="c"}[1m])"#, at: 120).values.first == 5)
        #expect(
            try await Self.vector(#"quantile_over_time(0.5, requests{instance="c"}[1m])"#, at: 120).values
                .first == 45)
        #expect(
            try await Self.vector(#"predict_linear(requests{instance="c"}[2m], 60)"#, at: 120).values.first
                == 90)
        // Only last_over_time keeps the metric name.
        #expect(
            try await Self.vector(#"last_over_time(requests{instance="c"}[1m])"#, at: 120).keys.first?
                .contains("__name__") == true)
    }

    @Test func aggregations() async throws {
        #expect(
            try await Self.vector("sum by (job) (requests)", at: 60) == [
                #"{job="api"}"#: 180, #"{job="db"}"#: 30,
            ])
        #expect(
            try await Self.vector("count without (instance) (requests)", at: 60) == [
                #"{job="api"}"#: 2, #"{job="db"}"#: 1,
            ])
        #expect(try await Self.vector("max(requests)", at: 60) == ["{}": 120])
        #expect(
            try await Self.vector("topk(1, requests)", at: 60).keys.first?.contains(#"instance="b""#) == true)
        #expect(try await Self.vector("quantile(0.5, requests)", at: 60) == ["{}": 60])
        #expect(try await Self.vector(#"count_values("v", info)"#, at: 60) == [#"{v="1"}"#: 2])
        #expect(try await Self.vector("stddev(info)", at: 60) == ["{}": 0])
    }

    @Test func binaryOperators() async throws {
        #expect(try await Self.scalar("1 + 2 * 3") == 7)
        #expect(try await Self.scalar("2 ^ 3 ^ 2") == 512)
        #expect(try await Self.scalar("5 > bool 3") == 1)
        #expect(
            try await Self.vector(#"requests{job="api"} > 60"#, at: 60) == [
                #"{__name__="requests", instance="b", job="api"}"#: 120
            ])
        #expect(try await Self.vector(#"requests{job="api"} > bool 60"#, at: 60).count == 2)
        #expect(
            try await Self.vector(#"requests{instance="a"} * 2"#, at: 60) == [
                #"{instance="a", job="api"}"#: 120
            ])
        // group_left copies the version from the one side.
        #expect(
            try await Self.vector("requests * on (instance) group_left (version) info", at: 60) == [
                #"{instance="a", job="api", version="1.0"}"#: 60,
                #"{instance="b", job="api", version="2.0"}"#: 120,
            ])
        #expect(try await Self.vector("requests and on (instance) info", at: 60).count == 2)
        #expect(try await Self.vector("requests unless on (instance) info", at: 60).count == 1)
        #expect(try await Self.vector(#"requests{job="db"} or info"#, at: 60).count == 3)
        // Series matching nothing on the other side drop out; duplicates on one side are an error.
        #expect(try await Self.vector("requests + info", at: 60).isEmpty)
        await #expect(throws: PromQLError.self) {
            _ = try await Self.vector(#"requests{job="api"} + on (job) requests{job="api"}"#, at: 60)
        }
    }

    @Test func functions() async throws {
        #expect(try await Self.scalar("time()", at: 42) == 42)
        #expect(try await Self.scalar(#"scalar(requests{instance="a"})"#, at: 60) == 60)
        #expect((try await Self.scalar("scalar(requests)", at: 60))?.isNaN == true)
        #expect(try await Self.vector("vector(3)", at: 60) == ["{}": 3])
        #expect(try await Self.vector(#"absent(nothing{job="x"})"#, at: 60) == [#"{job="x"}"#: 1])
        #expect(try await Self.vector("absent(requests)", at: 60).isEmpty)
        #expect(
            try await Self.vector(#"timestamp(requests{instance="a"})"#, at: 70) == [
                #"{instance="a", job="api"}"#: 60
            ])
        #expect(try await Self.vector(#"clamp_max(requests{instance="b"}, 100)"#, at: 60).values.first == 100)
        #expect(try await Self.vector(#"round(requests{instance="c"} / 7, 0.5)"#, at: 60).values.first == 4.5)
        #expect(
            try await Self.vector(
                #"label_replace(info{instance="a"}, "major", "v$1", "version", `(\d+)\..*`)"#, at: 60
            )
            .keys.first?.contains(#"major="v1""#) == true)
        #expect(
            try await Self.vector(
                #"label_join(info{instance="a"}, "both", "-", "instance", "version")"#, at: 60
            )
            .keys.first?.contains(#"both="a-1.0""#) == true)
        guard case .vector(_, let sorted) = try await Self.engine.instant("sort_desc(requests)", at: 60_000)
        else {
            Issue.record("sort_desc")
            return
        }
        #expect(sorted.map { $0.samples[0].value } == [120, 60, 30])
    }

    @Test func rangeQueriesAndSubqueries() async throws {
        guard
            case .matrix(let series) = try await Self.engine.range(
                #"requests{instance="c"}"#, start: 0, end: 60_000, step: 30_000)
        else {
            Issue.record("range")
            return
        }
        #expect(
            series.count == 1
                && series[0].samples == [
                    PromQLSample(0, 0), PromQLSample(30_000, 15), PromQLSample(60_000, 30),
                ])
        guard
            case .matrix(let scalar) = try await Self.engine.range(
                "time()", start: 0, end: 20_000, step: 10_000)
        else {
            Issue.record("scalar range")
            return
        }
        #expect(scalar[0].samples.map(\.value) == [0, 10, 20])
        // The max of the 30 s rates over the last 2 minutes, evaluated every 30 s.
        #expect(
            try await Self.vector(#"max_over_time(rate(requests{instance="c"}[30s])[2m:30s])"#, at: 300)
                .values.first == 0.5)
        await #expect(throws: PromQLError.self) {
            _ = try await Self.engine.range("requests[1m]", start: 0, end: 1, step: 1)
        }
    }

    @Test func formatsValuesAsGo() {
        #expect(PromQLEngine.format(1) == "1")
        #expect(PromQLEngine.format(0.1) == "0.1")
        #expect(PromQLEngine.format(1e-7) == "0.0000001")
        #expect(PromQLEngine.format(1.5e21) == "1500000000000000000000")
        #expect(PromQLEngine.format(-2.5) == "-2.5")
        #expect(PromQLEngine.format(.infinity) == "+Inf")
        #expect(PromQLEngine.format(-0.0) == "-0")
        // The byte writer answers the same.
        for value in [
            0, -0.0, 1, -1, 7, 10, 123_456_789, -9_007_199_254_740_992, 9.2e18, 0.1, 1e-7, 1.5e21, -2.5,
            .infinity, -.infinity, .nan, Double(Int64.max), Double(Int64.min), .ulpOfOne,
        ] {
            var bytes: [UInt8] = [1]
            PromQLEngine.format(value, into: &bytes)
            #expect(bytes == [1] + Array(PromQLEngine.format(value).utf8), "\(value)")
        }
    }

    /// What the differential test against Prometheus 2.42 found (scripts/promql-test.sh).
    @Test func differencesFoundAgainstPrometheus() async throws {
        // round multiplies by the inverse, as Prometheus: no 35.300000000000004.
        #expect(try await Self.vector("round(vector(35.3), 0.1)", at: 60) == ["{}": 35.3])
        // k that is no int64 is an execution error, not a trap.
        for query in ["topk(scalar(requests), requests)", "topk(1e300, requests)"] {
            await #expect(throws: PromQLError.self) { _ = try await Self.vector(query, at: 60) }
        }
        // An instant topk/bottomk answers by value; sort order is otherwise by labels.
        for (query, values) in [("topk(3, requests)", [120.0, 60, 30]), ("bottomk(2, requests)", [30, 60])] {
            guard case .vector(_, let series) = try await Self.engine.instant(query, at: 60_000) else {
                Issue.record(Comment(rawValue: query))
                continue
            }
            #expect(series.map { $0.samples[0].value } == values, "\(query)")
        }
        // Invalid label names are refused where Prometheus refuses them.
        for query in [
            #"label_replace(info, "1x", "$1", "instance", "(.*)")"#, #"count_values("1bad", requests)"#,
            #"label_join(info, "1x", "-", "instance")"#,
        ] {
            await #expect(throws: PromQLError.self) { _ = try await Self.vector(query, at: 60) }
        }
        // label_join's source labels may be none at all; atan2 keeps the name.
        #expect(try await Self.vector(#"label_join(info{instance="a"}, "x", "-")"#, at: 60).count == 1)
        #expect(
            try await Self.vector(#"requests{instance="c"} atan2 requests{instance="c"}"#, at: 60).keys.first?
                .contains("requests") == true)
    }

    @Test func dateFunctions() async throws {
        // 1700000000 is 2023-11-14T22:13:20Z, a Tuesday, the 318th day of a 30-day month.
        for (function, value) in [
            ("hour", 22.0), ("minute", 13), ("month", 11), ("year", 2023), ("day_of_month", 14),
            ("day_of_week", 2), ("day_of_year", 318), ("days_in_month", 30),
        ] {
            #expect(
                try await Self.vector("\(function)(vector(1700000000))", at: 60) == ["{}": value],
                "\(function)")
        }
        #expect(try await Self.vector("year()", at: 60) == ["{}": 1970])
        #expect(PromQLEngine.datePart("days_in_month", seconds: 951_782_400) == 29)  // 2000-02-29
        #expect(PromQLEngine.datePart("day_of_week", seconds: -86_400) == 3)  // 1969-12-31, a Wednesday
    }

    @Test func gnocchiNameGoesWithTheName() async throws {
        let engine = PromQLEngine(
            storage: MemoryStorage(series: [
                PromQLSeries(
                    labels: PromQLLabels(["__name__": "cpu_util", "gnocchi_name": "cpu.util", "host": "a"]),
                    samples: [PromQLSample(0, 2)])
            ]))
        guard case .vector(_, let series) = try await engine.instant("abs(cpu_util)", at: 0) else {
            Issue.record("abs")
            return
        }
        #expect(series.first?.labels == PromQLLabels(["host": "a"]))
    }
}
