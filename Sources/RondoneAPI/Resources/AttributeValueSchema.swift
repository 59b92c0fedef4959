import RondoneIndexer
import RondoneJSON
import RondoneTimeSeries

/// The value of a custom attribute in a resource body (or an `options.fill`), checked
/// against its kind as Gnocchi 4.7's attribute schemas do, with voluptuous' messages;
/// and the value as a resource renders it.
enum AttributeValueSchema {
    /// Why a value was refused (voluptuous' message, without the path).
    struct Failure: Error {
        var message: String
    }

    /// `value` as `kind` stores it. Null is refused: Gnocchi's validators accept no
    /// `None`, even for an optional attribute (leaving the key out leaves it null).
    static func value(_ value: JSONValue, of kind: AttributeKind) throws(Failure) -> AttributeValue {
        switch kind {
        case .string(let minLength, let maxLength):
            guard case .string(let text) = value else { throw Failure(message: "expected str") }
            let length = text.unicodeScalars.count
            if length < minLength { throw Failure(message: "length of value must be at least \(minLength)") }
            if length > maxLength { throw Failure(message: "length of value must be at most \(maxLength)") }
            return .string(text)
        case .uuid:
            guard case .string(let text) = value, let id = MetricLookup.parseUUID(text) else {
                throw Failure(message: "badly formed hexadecimal UUID string")
            }
            return .uuid(id.description)
        case .number(let minimum, let maximum):
            guard let number = ResourceTypeSchema.number(value) else {
                throw Failure(message: "expected Real")
            }
            if let minimum, number < minimum {
                throw Failure(message: "value must be at least \(bound(minimum))")
            }
            if let maximum, number > maximum {
                throw Failure(message: "value must be at most \(bound(maximum))")
            }
            return .number(number)
        case .bool:
            guard case .bool(let flag) = value else { throw Failure(message: "expected bool") }
            return .bool(flag)
        case .datetime:
            do throws(TimestampError) {
                let timestamp: Timestamp
                switch value {
                case .string(let text): timestamp = try Timestamp.parse(text, now: .now())
                case .int(let integer): timestamp = try Timestamp(epochSeconds: Double(integer))
                case .double(let real): timestamp = try Timestamp(epochSeconds: real)
                default: throw TimestampError.unableToConvert
                }
                return .datetime(timestamp.roundedToDatetimePrecision)
            } catch {
                throw Failure(message: error == .beforeEpoch ? error.message : "Unable to convert timestamps")
            }
        }
    }

    /// A bound as Python prints it in voluptuous' range messages (`3`, `-2.3`).
    private static func bound(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : JSONValue.pythonRepr(value)
    }

    /// The value in a resource's JSON: numbers are floats (Gnocchi's column is a
    /// double), times as `isoformat()`.
    static func render(_ value: AttributeValue) -> JSONValue {
        switch value {
        case .null: .null
        case .string(let text), .uuid(let text): .string(text)
        case .number(let number): .double(number)
        case .bool(let flag): .bool(flag)
        case .datetime(let time): .string(time.formatted(.datetime))
        }
    }
}
