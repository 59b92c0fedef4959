import RondoneIngest

/// InfluxDB line-protocol decoding speed: `LineProtocolDecoder` on a body like the
/// ingest benchmark's (tags to sort, a float and an integer field, explicit times),
/// from bytes to per-metric columns, no I/O.
enum LineProtocolBench {
    static func run(scale: Int) {
        let lines = max(1_000, scale * 10_000)
        var body = ""
        for index in 0..<lines {
            body += "cpu\(index % 50),host=host\(index % 10),core=\(index % 4),region=eu-west "
            body +=
                "usage_user=\(index).5,usage_idle=\(index)i \(1_420_070_400_000_000_000 + Int64(index) * 1_000_000_000)\n"
        }
        let bytes = Array(body.utf8)
        let decoder = LineProtocolDecoder()
        print("line-protocol: \(lines) lines x 2 fields, body \(bytes.count) bytes")
        bench("decode into per-metric columns", items: lines * 2, unit: "points") {
            blackHole(try? decoder.decode(bytes, now: 0))
        }
    }
}
