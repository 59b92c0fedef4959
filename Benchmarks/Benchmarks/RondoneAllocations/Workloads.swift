import RondoneTesting
import RondoneTimeSeries

/// The fixed, seeded inputs of the allocation benchmarks: the same bytes on every run,
/// so an allocation count only moves when the code does.
enum Workloads {
    /// 2020-01-01T00:00:00Z, the first time stamp of every generated body.
    static let origin: Int64 = 1_577_836_800_000_000_000
    /// A time after every generated time stamp (the parsers' `now`, for relative times).
    static let now = Timestamp(nanoseconds: origin + 400 * 86_400 * 1_000_000_000)

    /// A `POST /v1/metric/<id>/measures` body of `count` measures one second apart:
    /// ISO time stamps, values with two decimals.
    static func measuresBody(count: Int, seed: UInt64 = 7) -> [UInt8] {
        Array(measuresList(count: count, from: origin, seed: seed).utf8)
    }

    /// A `POST /v1/batch/metrics/measures` body: each of `metrics` (ids) gets `perMetric`
    /// measures.
    static func batchBody(metrics: [String], perMetric: Int, seed: UInt64 = 11) -> [UInt8] {
        var body = "{"
        for (index, metric) in metrics.enumerated() {
            if index > 0 { body += ", " }
            body += "\"\(metric)\": "
            body += measuresList(count: perMetric, from: origin, seed: seed &+ UInt64(index))
        }
        body += "}"
        return Array(body.utf8)
    }

    /// `count` metric ids (lower-case UUIDs), seeded.
    static func metricIDs(_ count: Int, seed: UInt64 = 3) -> [String] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in MetricID(high: random.next(), low: random.next()).description }
    }

    /// An InfluxDB line-protocol body of `lines` lines, two fields each (a float and an
    /// integer), four tags, explicit nanosecond times: 50 measurements × 10 hosts.
    static func lineProtocolBody(lines: Int) -> [UInt8] {
        var body = ""
        for index in 0..<lines {
            body += "cpu\(index % 50),host=host\(index % 10),core=\(index % 4),region=eu-west "
            body += "usage_user=\(index).5,usage_idle=\(index)i \(origin + Int64(index) * 1_000_000_000)\n"
        }
        return Array(body.utf8)
    }

    /// A full split (3600 points at `granularity`) of a slow random walk with two
    /// decimals, the gauge kind of `rondone-bench engine`'s codec section.
    static func split(granularity: Int64, seed: UInt64 = 2024) -> Series {
        var random = SplitMix64(seed: seed)
        var level = Int64(random.next() % 4000) + 1000
        var series = Series()
        series.reserveCapacity(3600)
        for slot in 0..<3600 {
            level += Int64(random.next() % 11) - 5
            series.append(origin + Int64(slot) * granularity, Double(level) / 100)
        }
        return series
    }

    /// A day of raw measures, one a second (86 400), a random walk with two decimals.
    static func dayOfPoints(seed: UInt64 = 42) -> MeasureBatch {
        var random = SplitMix64(seed: seed)
        var timestamps: [Int64] = []
        var values: [Double] = []
        timestamps.reserveCapacity(86_400)
        values.reserveCapacity(86_400)
        var level = 10_000.0
        for second in 0..<86_400 {
            level += Double(Int64(random.next() % 2001) - 1000) / 100
            timestamps.append(origin + Int64(second) * 1_000_000_000)
            values.append(level)
        }
        return MeasureBatch(timestamps: timestamps, values: values)
    }

    private static func measuresList(count: Int, from start: Int64, seed: UInt64) -> String {
        var random = SplitMix64(seed: seed)
        var list = "["
        for index in 0..<count {
            if index > 0 { list += ", " }
            let time = Timestamp(nanoseconds: start + Int64(index) * 1_000_000_000)
            let value = Double(random.next() % 1_000_000) / 100
            list += #"{"timestamp": "\#(time.formatted())", "value": \#(value)}"#
        }
        return list + "]"
    }
}
