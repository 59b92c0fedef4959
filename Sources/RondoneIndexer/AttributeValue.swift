import RondoneTimeSeries

/// A typed value of a resource attribute, as the index stores and compares it: the
/// value of a custom type's attribute on a resource, an `options.fill` of a schema
/// change, or the operand of a search filter once bound to the attribute's type.
///
/// Filters arrive untyped (``string``, ``number``, ``bool`` or ``null``, as JSON or the
/// string syntax give them); `ResourceFilter.bound(to:history:now:)` converts each operand to the
/// type of the attribute it is compared with, so a driver only ever sees values of the
/// column's own type.
public enum AttributeValue: Hashable, Sendable {
    case null
    case string(String)
    /// A UUID, held in its canonical text form (lower-case, hyphenated).
    case uuid(String)
    case number(Double)
    case bool(Bool)
    /// A time at Gnocchi's `datetime` precision (whole microseconds).
    case datetime(Timestamp)

    public var isNull: Bool { self == .null }
}
