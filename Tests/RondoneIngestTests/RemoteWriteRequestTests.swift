import RondoneIngest
import RondoneTesting
import RondoneTimeSeries
import Testing

@Suite("Prometheus remote write decoding")
struct RemoteWriteRequestTests {
    static let first = "031b586e-ebe1-4737-812e-cf0ddf26f5ad"
    static let second = "a0c06674-a5ef-4621-883c-e94880a2de02"
    static let third = "1ea8f6f7-eebe-49d5-8276-ceb2d56c5ba4"

    static func request(_ name: String) throws -> RemoteWriteRequest {
        try RemoteWriteRequest(decoding: try Snappy.decompress(PrometheusFixtures.body(name)))
    }

    /// Counts as Gnocchi's `remote_pb2` (python protobuf) decodes the same payloads.
    @Test(arguments: [(first, 13856, 56), (second, 13463, 32), (third, 13655, 18)])
    func decodesRealPrometheusPayloads(_ name: String, _ decompressed: Int, _ distinctNames: Int) throws {
        let bytes = try Snappy.decompress(PrometheusFixtures.body(name))
        #expect(bytes.count == decompressed)
        let request = try RemoteWriteRequest(decoding: bytes)
        #expect(request.series.count == 100)
        #expect(request.timestamps.count == 100 && request.values.count == 100)
        #expect(Set(request.series.compactMap { $0.label("__name__") }).count == distinctNames)
        let resources = try request.resources()
        #expect(resources.map(\.originalResourceID) == ["prometheus@localhost:9090"])
        #expect(resources[0].metrics.count == distinctNames)
    }

    @Test func labelsAndSamplesAsSent() throws {
        let request = try Self.request(Self.first)
        let series = request.series[0]
        #expect(
            series.labels == [
                .init(name: "job", value: "prometheus"), .init(name: "instance", value: "localhost:9090"),
                .init(name: "queue", value: "0:http://bob:8041/v1/prometheus"),
                .init(name: "__name__", value: "prometheus_remote_storage_sent_batch_duration_seconds_count"),
            ])
        #expect(request.timestamps[series.samples] == [1_506_146_578_352_000_000])
        #expect(request.values[series.samples] == [5749])
        let scraped = try request.resources()[0].metrics.first { $0.name == "scrape_samples_scraped" }
        #expect(
            scraped
                == PrometheusMetricMeasures(
                    name: "scrape_samples_scraped",
                    measures: Measures(timestamps: [1_506_146_578_352_000_000], values: [558])))
        // The third payload's summaries carry NaN quantiles; kept bit for bit.
        let third = try Self.request(Self.third)
        #expect(third.values[third.series[0].samples.lowerBound].isNaN)
    }

    @Test func keptLabelsNameEverySeries() throws {
        let resources = try Self.request(Self.first).resources(naming: .keepLabels)
        let names = resources[0].metrics.map(\.name)
        #expect(names.count == 100)
        #expect(
            names[0]
                == "prometheus_remote_storage_sent_batch_duration_seconds_count@queue=0:http:__bob:8041_v1_prometheus"
        )
        #expect(names.contains("scrape_samples_scraped"))
    }

    // Hand-built messages: key bytes are (field << 3) | wire type.
    static func message(_ field: UInt8, _ body: [UInt8]) -> [UInt8] {
        [field << 3 | 2, UInt8(body.count)] + body
    }
    static func label(_ name: String, _ value: String) -> [UInt8] {
        message(1, message(1, Array(name.utf8)) + message(2, Array(value.utf8)))
    }
    static func sample(_ value: Double, milliseconds: [UInt8]) -> [UInt8] {
        var bits = value.bitPattern.littleEndian
        let double = withUnsafeBytes(of: &bits) { Array($0) }
        return message(2, [0x09] + double + [0x10] + milliseconds)
    }

    @Test func groupsByTargetAndOverwritesByName() throws {
        // Two series of one name that differ by a label, one of another target, one
        // without samples, and fields a newer Prometheus adds (skipped).
        let bytes =
            Self.message(
                1,
                Self.label("__name__", "up") + Self.label("job", "a") + Self.label("path", "/x")
                    + Self.sample(1, milliseconds: [0x01]))
            + Self.message(
                1,
                Self.label("__name__", "up") + Self.label("job", "a") + Self.label("path", "/y")
                    + Self.sample(2, milliseconds: [0x02]) + [0x1a, 0x00])
            + Self.message(
                1,
                Self.label("__name__", "up") + Self.label("instance", "h:1")
                    + Self.sample(3, milliseconds: [0x7f]))
            + Self.message(1, Self.label("__name__", "idle"))
            + [0x1a, 0x02, 0x08, 0x01]  // WriteRequest.metadata
        let request = try RemoteWriteRequest(decoding: bytes)
        let gnocchi = try request.resources()
        #expect(gnocchi.map(\.originalResourceID) == ["a@none", "none@h:1"])
        #expect(
            gnocchi[0].metrics == [
                PrometheusMetricMeasures(name: "up", measures: Measures(timestamps: [2_000_000], values: [2]))
            ]
        )
        let kept = try request.resources(naming: .keepLabels)
        #expect(kept[0].metrics.map(\.name) == ["up@path=_x", "up@path=_y"])
        #expect(kept[1].metrics.map(\.name) == ["up"])
    }

    @Test func negativeTimestampsAndDefaults() throws {
        // -1000 ms as a ten-byte varint; a sample with no fields is 0 at the epoch.
        let minus: [UInt8] = [0x98, 0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
        let bytes = Self.message(
            1, Self.label("__name__", "x") + Self.sample(-0.5, milliseconds: minus) + [0x12, 0x00])
        let request = try RemoteWriteRequest(decoding: bytes)
        #expect(request.timestamps == [-1_000_000_000, 0])
        #expect(request.values == [-0.5, 0])
    }

    @Test func malformedRequestsAreErrors() {
        let malformed: [[UInt8]] = [
            [0x0a],  // length missing
            [0x0a, 0x05, 0x0a],  // length past the end
            [0x08, 0x01],  // timeseries as a varint
            [0x0b],  // group wire type
            [0x02, 0x00],  // field number 0
            [0x0a, 0x02, 0x12, 0x01],  // sample cut
            [0x0a, 0x04, 0x12, 0x02, 0x09, 0x00],  // double cut
            [0x0a, 0x04, 0x12, 0x02, 0x10, 0x80],  // varint cut
            [0x0a, 0x06, 0x0a, 0x04, 0x0a, 0x02, 0xff, 0xfe],  // label name not UTF-8
            [0x0a, 0x04, 0x12, 0x02, 0x11, 0x00],  // Sample.timestamp as fixed64
            [0x1d, 0x00, 0x00],  // fixed32 cut
            [0x10] + [UInt8](repeating: 0xff, count: 10) + [0x01],  // varint over 64 bits
        ]
        for bytes in malformed {
            #expect(throws: IngestError.self, "\(bytes)") { try RemoteWriteRequest(decoding: bytes) }
        }
        // Timestamps that do not fit in nanoseconds.
        let huge: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]
        #expect(throws: IngestError.self) {
            try RemoteWriteRequest(decoding: Self.message(1, Self.sample(1, milliseconds: huge)))
        }
        // A series without __name__ refuses the whole request.
        #expect(throws: IngestError.self) {
            try RemoteWriteRequest(
                decoding: Self.message(1, Self.label("job", "a") + Self.sample(1, milliseconds: [1]))
            )
            .resources()
        }
    }

    @Test func limits() throws {
        let bytes = try Snappy.decompress(PrometheusFixtures.body(Self.first))
        #expect(throws: IngestError.self) {
            try RemoteWriteRequest(decoding: bytes, limits: .init(maxSeries: 99))
        }
        #expect(throws: IngestError.self) {
            try RemoteWriteRequest(decoding: bytes, limits: .init(maxLabels: 300))
        }
        #expect(throws: IngestError.self) {
            try RemoteWriteRequest(decoding: bytes, limits: .init(maxSamples: 99))
        }
        #expect(
            try RemoteWriteRequest(decoding: bytes, limits: .init(maxSeries: 100, maxSamples: 100)).series
                .count == 100)
    }

    @Test func truncatedAndMutatedPayloadsNeverTrap() throws {
        let bytes = try Snappy.decompress(PrometheusFixtures.body(Self.second))
        for length in 0..<bytes.count {
            // A cut between two series is a valid shorter request; anywhere else, an error.
            if let request = try? RemoteWriteRequest(decoding: Array(bytes[..<length])) {
                #expect(request.series.count < 100)
            }
        }
        for _ in 0..<3000 {
            var mutated = bytes
            for _ in 0..<Int.random(in: 1...3) {
                mutated[Int.random(in: 0..<mutated.count)] = .random(in: 0...255)
            }
            _ = try? RemoteWriteRequest(decoding: mutated).resources()
        }
    }
}
