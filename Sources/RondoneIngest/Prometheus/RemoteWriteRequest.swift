/// A decoded Prometheus remote write `WriteRequest` (prometheus/prompb `remote.proto`):
/// its series' labels, and every sample of every series in two flat arrays that each
/// series addresses by a range, so decoding allocates per series, not per sample.
///
/// Only the fields Gnocchi reads are kept: `TimeSeries.labels` (1) and `samples` (2),
/// `Label.name` (1) and `value` (2), `Sample.value` (1, double) and `timestamp` (2,
/// milliseconds). Later fields of newer senders (metadata, exemplars, native histograms)
/// are skipped as protobuf skips unknown fields.
public struct RemoteWriteRequest: Sendable, Equatable {
    /// One label of a series.
    public struct Label: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// One time series: its labels as sent and where its samples are.
    public struct Series: Sendable, Equatable {
        public var labels: [Label]
        /// Indexes of the series' samples in `timestamps` and `values`.
        public var samples: Range<Int>

        /// The value of the last label named `name` (protobuf order; a repeated name
        /// keeps its last value, as Gnocchi's `dict` of the labels does).
        public func label(_ name: String) -> String? {
            labels.last { $0.name == name }?.value
        }
    }

    /// Ceilings on one request, checked while decoding. With the 64 MiB cap on the
    /// decompressed body they bound what a request can make the server allocate;
    /// Prometheus sends 2,000 samples per request by default (`max_samples_per_send`).
    public struct Limits: Sendable {
        public var maxSeries: Int
        public var maxLabels: Int
        public var maxSamples: Int

        public init(maxSeries: Int = 1_000_000, maxLabels: Int = 10_000_000, maxSamples: Int = 10_000_000) {
            self.maxSeries = maxSeries
            self.maxLabels = maxLabels
            self.maxSamples = maxSamples
        }
    }

    public var series: [Series] = []
    /// Nanoseconds since the epoch (the wire's milliseconds × 10⁶).
    public var timestamps: [Int64] = []
    public var values: [Double] = []

    public init(series: [Series] = [], timestamps: [Int64] = [], values: [Double] = []) {
        self.series = series
        self.timestamps = timestamps
        self.values = values
    }

    /// Decodes an uncompressed `WriteRequest`; malformed bytes or a request over the
    /// limits throw `IngestError`.
    public init(decoding bytes: UnsafeRawBufferPointer, limits: Limits = Limits()) throws(IngestError) {
        var reader = ProtobufReader(bytes)
        var labelCount = 0
        while !reader.isAtEnd {
            let (field, wireType) = try reader.key()
            guard field == 1 else {
                try reader.skip(wireType)
                continue
            }
            try ProtobufReader.expect(wireType, .lengthDelimited, "WriteRequest.timeseries")
            guard series.count < limits.maxSeries else {
                throw IngestError("more than \(limits.maxSeries) series in one request")
            }
            let range = try reader.lengthDelimited()
            try decodeSeries(
                ProtobufReader(bytes, from: range.lowerBound, to: range.upperBound), limits, &labelCount)
        }
    }

    /// Decodes an uncompressed `WriteRequest`.
    public init(decoding bytes: [UInt8], limits: Limits = Limits()) throws(IngestError) {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(IngestError) in try RemoteWriteRequest(decoding: buffer, limits: limits) }
        }
        self = try result.get()
    }

    private mutating func decodeSeries(_ reader: ProtobufReader, _ limits: Limits, _ labelCount: inout Int)
        throws(IngestError)
    {
        var reader = reader
        var labels: [Label] = []
        let first = timestamps.count
        while !reader.isAtEnd {
            let (field, wireType) = try reader.key()
            switch field {
            case 1:
                try ProtobufReader.expect(wireType, .lengthDelimited, "TimeSeries.labels")
                labelCount += 1
                guard labelCount <= limits.maxLabels else {
                    throw IngestError("more than \(limits.maxLabels) labels in one request")
                }
                let range = try reader.lengthDelimited()
                labels.append(
                    try Self.label(ProtobufReader(reader.bytes, from: range.lowerBound, to: range.upperBound))
                )
            case 2:
                try ProtobufReader.expect(wireType, .lengthDelimited, "TimeSeries.samples")
                guard timestamps.count < limits.maxSamples else {
                    throw IngestError("more than \(limits.maxSamples) samples in one request")
                }
                let range = try reader.lengthDelimited()
                try appendSample(ProtobufReader(reader.bytes, from: range.lowerBound, to: range.upperBound))
            default:
                try reader.skip(wireType)
            }
        }
        series.append(Series(labels: labels, samples: first..<timestamps.count))
    }

    private static func label(_ reader: ProtobufReader) throws(IngestError) -> Label {
        var reader = reader
        var label = Label(name: "", value: "")
        while !reader.isAtEnd {
            let (field, wireType) = try reader.key()
            switch field {
            case 1:
                try ProtobufReader.expect(wireType, .lengthDelimited, "Label.name")
                label.name = try reader.string()
            case 2:
                try ProtobufReader.expect(wireType, .lengthDelimited, "Label.value")
                label.value = try reader.string()
            default:
                try reader.skip(wireType)
            }
        }
        return label
    }

    private mutating func appendSample(_ reader: ProtobufReader) throws(IngestError) {
        var reader = reader
        var value = 0.0
        var milliseconds: Int64 = 0
        while !reader.isAtEnd {
            let (field, wireType) = try reader.key()
            switch field {
            case 1:
                try ProtobufReader.expect(wireType, .fixed64, "Sample.value")
                value = Double(bitPattern: try reader.fixed64())
            case 2:
                try ProtobufReader.expect(wireType, .varint, "Sample.timestamp")
                milliseconds = Int64(bitPattern: try reader.varint())
            default:
                try reader.skip(wireType)
            }
        }
        let (nanoseconds, overflow) = milliseconds.multipliedReportingOverflow(by: 1_000_000)
        guard !overflow else { throw IngestError("sample timestamp \(milliseconds) ms is out of range") }
        timestamps.append(nanoseconds)
        values.append(value)
    }
}
