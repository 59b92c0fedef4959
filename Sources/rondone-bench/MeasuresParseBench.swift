import Foundation
import RondoneAPI
import RondoneTesting
import RondoneTimeSeries

/// Measures-body decoding speed: Rondone's byte scanner against Foundation's JSONDecoder
/// on the same `POST /v1/metric/<id>/measures` body (ISO time stamps, float values).
enum MeasuresParseBench {
    private struct Measure: Decodable {
        var timestamp: String
        var value: Double
    }

    static func run(scale: Int) {
        let points = max(1_000, scale * 10_000)
        var random = SplitMix64(seed: 7)
        var body = "["
        let start = Timestamp(nanoseconds: 1_577_836_800_000_000_000)
        for index in 0..<points {
            if index > 0 { body += ", " }
            let time = Timestamp(nanoseconds: start.nanoseconds + Int64(index) * 1_000_000_000)
            let value = Double(random.next() % 1_000_000) / 100
            body += #"{"timestamp": "\#(time.formatted())", "value": \#(value)}"#
        }
        body += "]"
        let bytes = Array(body.utf8)
        let data = Data(bytes)
        let now = Timestamp.now()

        let rounds = 5
        var parsed = 0
        let scanner = ContinuousClock().measure {
            for _ in 0..<rounds { parsed &+= (try? MeasuresParser.measures(bytes, now: now).count) ?? 0 }
        }
        let decoder = JSONDecoder()
        var decoded = 0
        let foundation = ContinuousClock().measure {
            for _ in 0..<rounds { decoded &+= (try? decoder.decode([Measure].self, from: data).count) ?? 0 }
        }
        let total = Double(points * rounds)
        let scannerRate = total / seconds(scanner)
        let foundationRate = total / seconds(foundation)
        print(
            "measures-parse: \(points) points x \(rounds), body \(bytes.count) bytes (checks \(parsed) \(decoded))"
        )
        print("  rondone scanner: \(Int(scannerRate)) points/s")
        print("  JSONDecoder (no time stamp parsing): \(Int(foundationRate)) points/s")
        print("  ratio: \(String(format: "%.1f", scannerRate / foundationRate))x")
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
