import PostgresNIO
import RondoneIndexer
import RondoneTimeSeries

/// A UUID in PostgreSQL's binary `uuid` form: 16 bytes, big-endian halves. Metric and
/// resource ids are bound and read as this type (no text round trip, no Foundation).
struct PostgreSQLUUID: Hashable, Sendable {
    var high: UInt64
    var low: UInt64

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    init(_ id: MetricID) { self.init(high: id.high, low: id.low) }
    init(_ id: ResourceID) { self.init(high: id.high, low: id.low) }

    var metricID: MetricID { MetricID(high: high, low: low) }
    var resourceID: ResourceID { ResourceID(high: high, low: low) }
}

extension PostgreSQLUUID: PostgresNonThrowingEncodable, PostgresArrayEncodable {
    static var psqlType: PostgresDataType { .uuid }
    static var psqlFormat: PostgresFormat { .binary }
    static var psqlArrayType: PostgresDataType { .uuidArray }

    func encode<JSONEncoder: PostgresJSONEncoder>(
        into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        byteBuffer.writeInteger(high)
        byteBuffer.writeInteger(low)
    }
}

extension PostgreSQLUUID: PostgresDecodable, PostgresArrayDecodable {
    init<JSONDecoder: PostgresJSONDecoder>(
        from byteBuffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat,
        context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        guard type == .uuid, format == .binary, byteBuffer.readableBytes == 16,
            let high = byteBuffer.readInteger(as: UInt64.self),
            let low = byteBuffer.readInteger(as: UInt64.self)
        else { throw PostgresDecodingError.Code.typeMismatch }
        self.init(high: high, low: low)
    }
}

/// One value bound to, or read back from, a statement whose columns are only known at
/// run time (list markers, custom attributes): typed as the column is, so that
/// PostgreSQL compares it with the column's own operators.
enum PostgreSQLValue: Hashable, Sendable {
    case null
    case text(String)
    case int8(Int64)
    case float8(Double)
    case bool(Bool)
    case uuid(PostgreSQLUUID)

    var isNull: Bool { self == .null }

    /// The value of a result cell, by the cell's type; nil for a type no Rondone
    /// column has.
    init(_ cell: PostgresCell) throws {
        guard cell.bytes != nil else {
            self = .null
            return
        }
        switch cell.dataType {
        case .text, .varchar, .name, .bpchar: self = .text(try cell.decode(String.self))
        case .int8, .int4, .int2: self = .int8(try cell.decode(Int64.self))
        case .float8, .float4: self = .float8(try cell.decode(Double.self))
        case .bool: self = .bool(try cell.decode(Bool.self))
        case .uuid: self = .uuid(try cell.decode(PostgreSQLUUID.self))
        default: throw IndexerError.corruptIndex("column \(cell.columnName) has type \(cell.dataType)")
        }
    }

    /// An attribute value as its column stores it: strings and UUIDs as text (UUIDs in
    /// their canonical lower-case form, which sorts as the `uuid` type), numbers as
    /// `double precision`, times as `bigint` nanoseconds at Gnocchi's precision.
    init(_ value: AttributeValue) {
        switch value {
        case .null: self = .null
        case .string(let text): self = .text(text)
        case .uuid(let text): self = .text(text.lowercased())
        case .number(let number): self = .float8(number)
        case .bool(let flag): self = .bool(flag)
        case .datetime(let time): self = .int8(time.roundedToDatetimePrecision.nanoseconds)
        }
    }

    /// The attribute value of a column of `kind` holding this.
    func attributeValue(_ kind: AttributeKind) throws(IndexerError) -> AttributeValue {
        switch (self, kind) {
        case (.null, _): return .null
        case (.text(let text), .string): return .string(text)
        case (.text(let text), .uuid): return .uuid(text)
        case (.float8(let number), .number): return .number(number)
        case (.int8(let number), .number): return .number(Double(number))
        case (.bool(let flag), .bool): return .bool(flag)
        case (.int8(let number), .datetime): return .datetime(Timestamp(nanoseconds: number))
        default: throw .corruptIndex("a \(kind.typeName) attribute holds \(self)")
        }
    }
}

/// SQL text and its bound values, built together so that every `$n` is the value
/// appended with it. Only identifiers from the schema and fixed keywords are ever
/// written into ``sql``; request values go through ``bind(_:)``.
struct PostgreSQLStatement {
    var sql = ""
    var bindings = PostgresBindings()

    init(_ sql: String = "") { self.sql = sql }

    /// Appends `value` to the bindings and returns its placeholder.
    mutating func bind(_ value: PostgreSQLValue) -> String {
        switch value {
        case .null: bindings.appendNull()
        case .text(let text): bindings.append(text)
        case .int8(let number): bindings.append(number)
        case .float8(let number): bindings.append(number)
        case .bool(let flag): bindings.append(flag)
        case .uuid(let id): bindings.append(id)
        }
        return "$\(bindings.count)"
    }

    mutating func bind(_ value: some PostgresNonThrowingEncodable) -> String {
        bindings.append(value)
        return "$\(bindings.count)"
    }

    mutating func bind(_ value: String?) -> String {
        value.map { bind(.text($0)) } ?? bind(.null)
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: bindings) }
}
