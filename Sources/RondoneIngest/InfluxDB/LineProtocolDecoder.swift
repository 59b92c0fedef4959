/// Decodes an InfluxDB line-protocol body into Gnocchi's resources and metrics.
///
/// Gnocchi 4.7's mapping: the resource is the value of the resource tag (`host` unless
/// the request names another), removed from the tags; each numeric field becomes the
/// metric `<measurement>.<field>@<tag>=<value>,…` with the remaining tags sorted by key
/// (code point order) and every `/` replaced by `_`. String fields are skipped; a line
/// without time stamp takes `now`. Beyond Gnocchi: booleans (stored as 1 and 0),
/// negative integers, `u` integers, lines starting with `#` (comments) and
/// whitespace-only lines are accepted, and garbage after a value or the time stamp
/// fails the line instead of being ignored.
///
/// Speed: one pass over the bytes, identifiers decoded into reused scratch buffers,
/// points appended to per-metric columns found by a byte-key lookup; a line allocates
/// nothing unless it names a metric not seen before in the body.
public struct LineProtocolDecoder: Sendable {
    /// The tag whose value names the resource.
    public var resourceTag: String
    public var precision: LineProtocolPrecision

    public init(resourceTag: String = "host", precision: LineProtocolPrecision = .nanoseconds) {
        self.resourceTag = resourceTag
        self.precision = precision
    }

    /// Decodes every line of `body`; `now` (ns since the epoch) stamps lines without a
    /// time stamp. All or nothing: the first bad line fails the whole body.
    public func decode(_ body: some Collection<UInt8>, now: Int64) throws(LineProtocolError)
        -> LineProtocolBatch
    {
        let result: Result<LineProtocolBatch, LineProtocolError>? = body.withContiguousStorageIfAvailable {
            decode(buffer: $0, now: now)
        }
        switch result ?? Array(body).withUnsafeBufferPointer({ decode(buffer: $0, now: now) }) {
        case .success(let batch): return batch
        case .failure(let error): throw error
        }
    }

    private func decode(buffer: UnsafeBufferPointer<UInt8>, now: Int64) -> Result<
        LineProtocolBatch, LineProtocolError
    > {
        var state = DecodingState(resourceTag: Array(resourceTag.utf8), unit: precision.nanoseconds, now: now)
        var lineStart = 0
        var lineNumber = 0
        while lineStart <= buffer.count {
            lineNumber += 1
            var lineEnd = lineStart
            while lineEnd < buffer.count, buffer[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            if let error = state.line(buffer, from: lineStart, to: lineEnd, number: lineNumber) {
                return .failure(error)
            }
            lineStart = lineEnd + 1
        }
        return .success(state.batch)
    }
}

/// The scratch buffers and the batch being filled while decoding one body.
private struct DecodingState {
    let resourceTag: [UInt8]
    let unit: Int64
    let now: Int64
    var batch = LineProtocolBatch()
    /// Decoded identifiers of the current line.
    var scratch: [UInt8] = []
    var tags: [(key: Range<Int>, value: Range<Int>)] = []
    var fields: [(key: Range<Int>, value: Double?)] = []
    /// `resource 0xFF metric-name` of the point being stored (0xFF is never UTF-8).
    var key = ByteKey(bytes: [])
    var seriesByKey: [ByteKey: Int] = [:]
    var resourcesByName: [ByteKey: Int] = [:]

    init(resourceTag: [UInt8], unit: Int64, now: Int64) {
        self.resourceTag = resourceTag
        self.unit = unit
        self.now = now
    }

    /// Stores the points of one line; the error if it is refused.
    mutating func line(_ buffer: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, number: Int)
        -> LineProtocolError?
    {
        var start = start
        var end = end
        while start < end, buffer[start] == UInt8(ascii: " ") || buffer[start] == UInt8(ascii: "\t") {
            start += 1
        }
        while end > start,
            buffer[end - 1] == UInt8(ascii: " ") || buffer[end - 1] == UInt8(ascii: "\t")
                || buffer[end - 1] == UInt8(ascii: "\r")
        {
            end -= 1
        }
        if start == end || buffer[start] == UInt8(ascii: "#") { return nil }
        var scanner = LineScanner(buffer, from: start, to: end)
        guard let (measurement, timestamp) = parse(&scanner) else { return .unparsableLine(number) }
        guard let resourceIndex = tags.lastIndex(where: { scratch[$0.key].elementsEqual(resourceTag) }) else {
            return .missingResourceTag(String(decoding: resourceTag, as: UTF8.self))
        }
        let resource = tags.remove(at: resourceIndex).value
        tags.sort { scratch[$0.key].lexicographicallyPrecedes(scratch[$1.key]) }
        for field in fields {
            guard let value = field.value else { continue }
            key.bytes.removeAll(keepingCapacity: true)
            key.bytes.append(contentsOf: scratch[resource])
            key.bytes.append(0xFF)
            appendReplacingSlashes(scratch[measurement])
            key.bytes.append(UInt8(ascii: "."))
            appendReplacingSlashes(scratch[field.key])
            for (index, tag) in tags.enumerated() {
                key.bytes.append(index == 0 ? UInt8(ascii: "@") : UInt8(ascii: ","))
                appendReplacingSlashes(scratch[tag.key])
                key.bytes.append(UInt8(ascii: "="))
                appendReplacingSlashes(scratch[tag.value])
            }
            guard let series = series(resourceLength: resource.count) else { return .unparsableLine(number) }
            batch.series[series].measures.append(timestamp, value)
        }
        return nil
    }

    private mutating func appendReplacingSlashes(_ bytes: ArraySlice<UInt8>) {
        for byte in bytes { key.bytes.append(byte == UInt8(ascii: "/") ? UInt8(ascii: "_") : byte) }
    }

    /// The index of the series `key` names, made on first sight; nil when the names are
    /// not UTF-8.
    private mutating func series(resourceLength: Int) -> Int? {
        if let index = seriesByKey[key] { return index }
        let resourceBytes = ByteKey(bytes: Array(key.bytes[..<resourceLength]))
        guard let name = String(validating: key.bytes[(resourceLength + 1)...], as: UTF8.self) else {
            return nil
        }
        let resource: Int
        if let known = resourcesByName[resourceBytes] {
            resource = known
        } else {
            guard let resourceName = String(validating: resourceBytes.bytes, as: UTF8.self) else {
                return nil
            }
            resource = batch.resources.count
            batch.resources.append(resourceName)
            resourcesByName[resourceBytes] = resource
        }
        let index = batch.series.count
        batch.series.append(.init(resource: resource, metricName: name, measures: .init()))
        seriesByKey[key] = index
        return index
    }

    /// Measurement, tags, fields and time stamp of the line (tags and fields into the
    /// scratch lists; a repeated key keeps its last value, as Python's dict).
    private mutating func parse(_ scanner: inout LineScanner) -> (Range<Int>, Int64)? {
        scratch.removeAll(keepingCapacity: true)
        tags.removeAll(keepingCapacity: true)
        fields.removeAll(keepingCapacity: true)
        guard let measurement = scanner.identifier(into: &scratch) else { return nil }
        while scanner.take(UInt8(ascii: ",")) {
            guard let key = scanner.identifier(into: &scratch), scanner.take(UInt8(ascii: "=")),
                let value = scanner.identifier(into: &scratch)
            else { return nil }
            if let index = tags.firstIndex(where: { scratch[$0.key].elementsEqual(scratch[key]) }) {
                tags[index].value = value
            } else {
                tags.append((key, value))
            }
        }
        guard scanner.take(UInt8(ascii: " ")) else { return nil }
        repeat {
            guard let key = scanner.identifier(into: &scratch), scanner.take(UInt8(ascii: "=")),
                let value = scanner.fieldValue()
            else { return nil }
            let number: Double? = if case .number(let number) = value { number } else { nil }
            if let index = fields.firstIndex(where: { scratch[$0.key].elementsEqual(scratch[key]) }) {
                fields[index].value = number
            } else {
                fields.append((key, number))
            }
        } while scanner.take(UInt8(ascii: ","))
        guard !scanner.atEnd else { return (measurement, now) }
        guard scanner.take(UInt8(ascii: " ")), let written = scanner.timestamp() else { return nil }
        let (timestamp, overflow) = written.multipliedReportingOverflow(by: unit)
        return overflow ? nil : (measurement, timestamp)
    }
}
