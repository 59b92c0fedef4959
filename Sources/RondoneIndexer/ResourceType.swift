import RondoneTimeSeries

/// A resource type: its name, state and attribute schema (Gnocchi's `resource_type`
/// row). `generic` has no attributes of its own and always exists; custom types add
/// typed attributes that every resource of the type carries (and its history too).
public struct ResourceType: Hashable, Sendable {
    /// Longest type name the index stores (Gnocchi's column is `String(255)`).
    public static let maxNameLength = 255
    /// The type every resource also is; it cannot be created, changed or deleted.
    public static let generic = "generic"

    public var name: String
    /// `active`, or one of Gnocchi's transitional states (`creating`, `deleting`, …),
    /// which only a crash in the middle of a schema change could leave behind.
    public var state: String
    /// The type's own attributes, in the order they were added.
    public var attributes: [ResourceTypeAttribute]

    public init(name: String, state: String = "active", attributes: [ResourceTypeAttribute] = []) {
        self.name = name
        self.state = state
        self.attributes = attributes
    }

    /// The attribute named `name`, if the type has one.
    public func attribute(named name: String) -> ResourceTypeAttribute? {
        attributes.first { $0.name == name }
    }
}

/// One attribute of a custom resource type: its name, its value type with the type's
/// limits, and whether every resource must give it (Gnocchi's `CommonAttributeSchema`).
public struct ResourceTypeAttribute: Hashable, Sendable {
    /// Gnocchi's limit on attribute names (they become column names).
    public static let maxNameLength = 63
    /// Names a custom attribute cannot take: the common fields of every resource, and
    /// the names Gnocchi's resource classes use for themselves.
    public static let reservedNames: Set<String> = [
        "id", "type", "metrics", "revision", "revision_start", "revision_end", "started_at", "ended_at",
        "user_id", "project_id", "created_by_user_id", "created_by_project_id", "get_metric", "creator",
    ]

    public var name: String
    public var kind: AttributeKind
    public var required: Bool

    public init(name: String, kind: AttributeKind, required: Bool) {
        self.name = name
        self.kind = kind
        self.required = required
    }

    /// Whether `name` may name a custom attribute (Gnocchi: at most 63 characters, not
    /// reserved, starting with an ASCII letter or digit).
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.count <= maxNameLength,
            !reservedNames.contains(name)
        else { return false }
        return first.isASCII && (first.properties.isAlphabetic || ("0"..."9").contains(first))
    }
}

/// The value type of a custom attribute, with the limits Gnocchi 4.7's types have.
public enum AttributeKind: Hashable, Sendable {
    /// A string of `minLength`…`maxLength` characters (0…256, default 0 and 256).
    case string(minLength: Int, maxLength: Int)
    case uuid
    /// A real number within the optional bounds.
    case number(min: Double?, max: Double?)
    case bool
    /// A time (stored at microsecond precision, as Gnocchi's `datetime`).
    case datetime

    /// The name the API uses (`string`, `uuid`, `number`, `bool`, `datetime`).
    public var typeName: String {
        switch self {
        case .string: "string"
        case .uuid: "uuid"
        case .number: "number"
        case .bool: "bool"
        case .datetime: "datetime"
        }
    }

    /// Whether `value` is of this kind and within its limits (null is not; whether
    /// null is allowed is the attribute's `required`).
    public func accepts(_ value: AttributeValue) -> Bool {
        switch (self, value) {
        case (.string(let minLength, let maxLength), .string(let text)):
            return (minLength...maxLength).contains(text.count)
        case (.uuid, .uuid), (.bool, .bool), (.datetime, .datetime): return true
        case (.number(let min, let max), .number(let number)):
            return !number.isNaN && (min.map { number >= $0 } ?? true) && (max.map { number <= $0 } ?? true)
        default: return false
        }
    }
}

/// A change to a resource type's schema (`PATCH /v1/resource_type/{name}`), already
/// checked by the API: attributes to add, to replace (same kind, other limits or
/// `required`), and to remove.
public struct ResourceTypeChange: Hashable, Sendable {
    /// A new attribute, and the value existing resources (and their history) get; nil
    /// leaves them null, which only an optional attribute allows.
    public struct Addition: Hashable, Sendable {
        public var attribute: ResourceTypeAttribute
        public var fill: AttributeValue?

        public init(_ attribute: ResourceTypeAttribute, fill: AttributeValue? = nil) {
            self.attribute = attribute
            self.fill = fill
        }
    }

    public var additions: [Addition]
    /// Existing attributes given a new definition of the same kind; `fill` replaces
    /// the nulls of existing rows (needed when an optional attribute becomes required).
    public var updates: [Addition]
    public var removals: [String]

    public init(additions: [Addition] = [], updates: [Addition] = [], removals: [String] = []) {
        self.additions = additions
        self.updates = updates
        self.removals = removals
    }

    public var isEmpty: Bool { additions.isEmpty && updates.isEmpty && removals.isEmpty }
}
