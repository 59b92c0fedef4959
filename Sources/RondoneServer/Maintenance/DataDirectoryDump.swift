import RondoneStorage
import RondoneTimeSeries

/// `rondone dump`: everything a data directory stores, read through the real stores
/// and codecs, as one JSON line per metric, sorted by UUID (the format of
/// `tools/read_data_directory.py --json`, the independent reader, so the two can be
/// compared byte for byte):
///
/// ```
/// {"buffer":POINTS|null,"incoming":{"batches":N,"timestamps":[…],"values":[…]}|null,
///  "metric":"<uuid>","splits":[{"granularity":NS,"key":NS,"method":"mean",…POINTS}…]}
/// ```
///
/// POINTS is `"timestamps":[ns…],"values":["0x<16 hex digits>"…]` (IEEE 754 bit
/// patterns) or `"damaged":true`; splits are sorted by granularity, key and method; a
/// pack whose header is damaged is one `{"damaged":true,"granularity":…,"key":…}`.
public enum DataDirectoryDump {
    /// What a dump printed, counted.
    public struct Counts: Sendable, Equatable {
        public var metrics = 0
        public var incomingMeasures = 0
        public var bufferPoints = 0
        public var splits = 0
        public var splitPoints = 0
        public var damaged = 0
    }

    /// Prints every metric's line on `output`; returns what it printed, counted.
    public static func run(
        incoming: FileIncomingStore, aggregates: FileAggregateStore, output: any MaintenanceOutput
    ) async throws -> Counts {
        var waiting: [MetricID: WaitingMeasures] = [:]
        for sack in 0..<incoming.sackCount {
            output.progress(step: "incoming", done: sack, total: incoming.sackCount)
            waiting.merge(try await incoming.waitingMeasures(sack: sack)) { first, _ in first }
        }
        let stored = aggregates.storedMetrics()
        let metrics = Set(waiting.keys).union(stored).sorted()
        var counts = Counts()
        for (done, metric) in metrics.enumerated() {
            output.progress(step: "metrics", done: done, total: metrics.count)
            var line = "{\"buffer\":"
            if let bytes = try await aggregates.buffer(of: metric) {
                let series = try? RawSeriesCodec.decode(bytes)
                line += "{" + points(series, counting: &counts.bufferPoints, damaged: &counts.damaged) + "}"
            } else {
                line += "null"
            }
            line += ",\"incoming\":"
            if let measures = waiting[metric] {
                line += "{\"batches\":\(measures.batches),"
                line += points(
                    Series(timestamps: measures.measures.timestamps, values: measures.measures.values),
                    counting: &counts.incomingMeasures, damaged: &counts.damaged)
                line += "}"
            } else {
                line += "null"
            }
            line += ",\"metric\":\"\(metric)\",\"splits\":["
            var first = true
            for pack in try await aggregates.storedPacks(of: metric) {
                let place = "\"granularity\":\(pack.granularity.nanoseconds),\"key\":\(pack.key.nanoseconds)"
                guard let methods = pack.methods else {
                    line += (first ? "" : ",") + "{\"damaged\":true,\(place)}"
                    first = false
                    counts.splits += 1
                    counts.damaged += 1
                    continue
                }
                let addresses = methods.map {
                    SplitAddress(aggregation: $0, granularity: pack.granularity, key: pack.key)
                }
                let blobs = try await aggregates.splits(addresses, of: metric)
                for (address, blob) in zip(addresses, blobs) {
                    let series = blob.flatMap { try? address.decode($0, of: metric) }
                    line += (first ? "" : ",") + "{"
                    line += series == nil ? "\"damaged\":true," : ""
                    line += "\(place),\"method\":\(quoted(address.aggregation))"
                    if series != nil {
                        line += "," + points(series, counting: &counts.splitPoints, damaged: &counts.damaged)
                    } else {
                        counts.damaged += 1
                    }
                    line += "}"
                    first = false
                    counts.splits += 1
                }
            }
            line += "]}"
            counts.metrics += 1
            output.line(line)
        }
        return counts
    }

    /// `"timestamps":[…],"values":[…]`, or `"damaged":true` for nil.
    private static func points(_ series: Series?, counting: inout Int, damaged: inout Int) -> String {
        guard let series else {
            damaged += 1
            return "\"damaged\":true"
        }
        counting += series.count
        var text = "\"timestamps\":["
        text += series.timestamps.map(String.init).joined(separator: ",")
        text += "],\"values\":["
        text += series.values.map { "\"0x" + hex($0.bitPattern) + "\"" }.joined(separator: ",")
        return text + "]"
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// A JSON string as Python's `json.dumps(…, ensure_ascii=False)` spells it.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20:
                let digits = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
