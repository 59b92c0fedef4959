import RondoneIngest
import Testing

@Suite("InfluxDB line protocol decoder")
struct LineProtocolDecoderTests {
    let now: Int64 = 1_000_000_000

    func decode(
        _ body: String, tag: String = "host", precision: LineProtocolPrecision = .nanoseconds
    ) throws(LineProtocolError) -> [String: [(Int64, Double)]] {
        let batch = try LineProtocolDecoder(resourceTag: tag, precision: precision).decode(
            Array(body.utf8), now: now)
        var result: [String: [(Int64, Double)]] = [:]
        for series in batch.series {
            result[batch.resources[series.resource] + "/" + series.metricName] = Array(
                zip(series.measures.timestamps, series.measures.values))
        }
        return result
    }

    func points(_ body: String, tag: String = "host", precision: LineProtocolPrecision = .nanoseconds) throws
        -> [String: [Double]]
    {
        try decode(body, tag: tag, precision: precision).mapValues { $0.map(\.1) }
    }

    @Test func gnocchiNamingWithSortedTagsAndSlashesReplaced() throws {
        let result = try decode("mymetric,host=foobar,zz=1,mytag=myvalue field=123 1510581804179554816")
        #expect(result.keys.sorted() == ["foobar/mymetric.field@mytag=myvalue,zz=1"])
        #expect(result["foobar/mymetric.field@mytag=myvalue,zz=1"]!.map(\.0) == [1_510_581_804_179_554_816])
        let other = try points("cpu,path=/foobar,mytag=my/value f/x=43i", tag: "mytag")
        #expect(other == ["my/value/cpu.f_x@path=_foobar": [43]])
        #expect(try points("m,host=h v=1") == ["h/m.v": [1]])
    }

    @Test func everyFieldType() throws {
        let result = try points(
            #"m,host=h i=-42i,u=7u,f=1.5,e=-2.5e3,g=.5,b=true,c=F,d=FALSE,s="a \"quoted\", str=ing",n=3"#)
        #expect(
            result == [
                "h/m.i": [-42], "h/m.u": [7], "h/m.f": [1.5], "h/m.e": [-2500], "h/m.g": [0.5], "h/m.b": [1],
                "h/m.c": [0], "h/m.d": [0], "h/m.n": [3],
            ])
        #expect(
            try points("m,host=h x=0.1,y=123456789012345678901234,z=1e-30") == [
                "h/m.x": [0.1], "h/m.y": [123_456_789_012_345_678_901_234.0], "h/m.z": [1e-30],
            ])
    }

    @Test func escapes() throws {
        let result = try points(#"my\ meas\,ure,host=a\ b\,c\=d,t\ k=v\=1\\x f\ k\=y=1"#)
        #expect(result == [#"a b,c=d/my meas,ure.f k=y@t k=v=1\\x"#: [1]])
        #expect(try points(#""quoted m",host="h 1",k="v,w" f=2"#) == ["h 1/quoted m.f@k=v,w": [2]])
    }

    @Test func precisionAndDefaultTime() throws {
        #expect(try decode("m,host=h v=1 5", precision: .seconds)["h/m.v"]!.map(\.0) == [5_000_000_000])
        #expect(try decode("m,host=h v=1 5", precision: .milliseconds)["h/m.v"]!.map(\.0) == [5_000_000])
        #expect(try decode("m,host=h v=1 5", precision: .microseconds)["h/m.v"]!.map(\.0) == [5_000])
        #expect(try decode("m,host=h v=1 2", precision: .minutes)["h/m.v"]!.map(\.0) == [120_000_000_000])
        #expect(try decode("m,host=h v=1 1", precision: .hours)["h/m.v"]!.map(\.0) == [3_600_000_000_000])
        #expect(try decode("m,host=h v=1")["h/m.v"]!.map(\.0) == [now])
        #expect(LineProtocolPrecision(parameter: "ms") == .milliseconds)
        #expect(LineProtocolPrecision(parameter: "x") == nil)
    }

    @Test func manyLinesCommentsBlankLinesAndRepeatedKeys() throws {
        let body =
            "# comment\n\nm,host=a v=1 1\r\n  \nm,host=a v=2 2\nm,host=b v=3,v=4 3\nm,host=a,host=b w=5 4\n"
        let result = try decode(body)
        #expect(result["a/m.v"]!.map(\.1) == [1, 2])
        #expect(result["b/m.v"]!.map(\.1) == [4])
        #expect(result["b/m.w"]!.map(\.1) == [5])
        let batch = try LineProtocolDecoder().decode(Array(body.utf8), now: now)
        #expect(batch.resources == ["a", "b"])
        #expect(batch.pointCount == 4)
    }

    @Test func stringOnlyLinesStoreNothing() throws {
        #expect(try points(#"m,host=h s="x""#).isEmpty)
    }

    @Test func malformedLinesGetGnocchisMessages() {
        let bad = [
            "m", "m,host=h", "m,host=h ", "m,host= v=1", "m,host=h v=", "m,host=h v=1x", "m,host=h v=1 12a",
            "m,host=h v=tru", #"m,host=h v="open"#, "m,host=h v=1.5i", "m,host=h  v=1",
            "m,host=h v=1 99999999999999999999",
            "m,host=h v=-1u", "m,host=h =1",
        ]
        for line in bad {
            #expect(throws: LineProtocolError.unparsableLine(2), "\(line)") {
                try decode("m,host=h v=1\n" + line)
            }
        }
        #expect(throws: LineProtocolError.unparsableLine(1)) {
            try decode("m,host=h v=1 9223372036854775807", precision: .seconds)
        }
        let error = LineProtocolError.unparsableLine(3)
        #expect(error.reason == "Unable to parse line 3")
        #expect(error.detail == "line")
        #expect(error.cause == "Value error")
    }

    @Test func missingResourceTag() {
        #expect(throws: LineProtocolError.missingResourceTag("host")) { try decode("m,other=h v=1") }
        #expect(LineProtocolError.missingResourceTag("host").reason == "Unable to find key `host' in tags")
        #expect(LineProtocolError.missingResourceTag("host").detail == "key")
        #expect(throws: LineProtocolError.missingResourceTag("mytag")) {
            try decode("m,host=h v=1", tag: "mytag")
        }
    }
}
