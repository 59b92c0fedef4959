import Benchmark
import RondoneAPI
import RondoneIngest
import RondoneTesting
import RondoneTimeSeries

/// Allocation benchmarks of the hot paths (docs/BENCHMARKS.md, "Allocations"). Each
/// sample is one operation on a fixed, seeded input, so `mallocCountTotal` is the count
/// per operation; the recorded p90 counts live in `Thresholds/` and
/// scripts/bench/allocations.sh checks them (a 1 % relative tolerance: the counts are
/// deterministic). `wallClock` and `instructions` are for information (the MallocInterposer
/// backend does not report leaked memory, so it is not measured).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.mallocCountTotal, .wallClock, .instructions],
        timeUnits: .microseconds,
        warmupIterations: 3,
        maxDuration: .seconds(2),
        maxIterations: 200,
        thresholds: [
            .mallocCountTotal: .init(relative: [.p90: 1.0])
        ]
    )

    let measures = Workloads.measuresBody(count: 1_000)
    Benchmark("Measures_JSON_parse,_1000_measures") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try MeasuresParser.measures(measures, now: Workloads.now))
        }
    }

    let batch = Workloads.batchBody(metrics: Workloads.metricIDs(10), perMetric: 100)
    Benchmark("Measures_JSON_parse,_batch_10_x_100") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try MeasuresParser.metricBatch(batch, now: Workloads.now) { _ in true })
        }
    }

    let lines = Workloads.lineProtocolBody(lines: 1_000)
    let lineDecoder = LineProtocolDecoder()
    Benchmark("Line_protocol_decode,_1000_lines_x_2_fields") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try lineDecoder.decode(lines, now: 0))
        }
    }

    let remoteWrites = PrometheusFixtures.payloads.map(\.body)
    Benchmark("Prometheus_remote_write_decode,_\(remoteWrites.count)_fixtures") { benchmark in
        for _ in benchmark.scaledIterations {
            for body in remoteWrites {
                let request = try RemoteWriteRequest(decoding: try Snappy.decompress(body))
                blackHole(try request.resources())
            }
        }
    }

    let granularity: Int64 = 10_000_000_000
    let split = Workloads.split(granularity: granularity)
    Benchmark("Split_encode,_3600_points") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(SplitCodec.encode(split, splitStart: Workloads.origin, granularity: granularity))
        }
    }

    let encoded = SplitCodec.encode(split, splitStart: Workloads.origin, granularity: granularity)
    Benchmark("Split_decode,_3600_points") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try SplitCodec.decode(encoded, splitStart: Workloads.origin, granularity: granularity))
        }
    }

    let day = Workloads.dayOfPoints()
    let medium = ArchivePolicy.defaultPolicies.first { $0.name == "medium" }!
    Benchmark("Aggregate_a_day_at_1_s_into_medium") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(medium.process(buffer: nil, batch: day))
        }
    }

    Benchmark(
        "Batch_request_end_to_end,_10_x_100",
        configuration: .init(maxIterations: 50)
    ) { benchmark in
        try await BatchRequest.withServer { request in
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                try await request.post()
            }
            benchmark.stopMeasurement()
        }
    }
}
