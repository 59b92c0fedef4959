public import RondoneJSON

extension OperationNode {
    /// A JSON request's `operations` list as an input tree: what `POST /v1/aggregates`
    /// validates (objects and null become values of Python's `dict` and `NoneType`, which
    /// the schema then refuses by their type name, as Gnocchi words it).
    public init(json value: JSONValue) {
        switch value {
        case .array(let items): self = .list(items.map(OperationNode.init(json:)))
        case .string(let text): self = .string(text)
        case .int(let number): self = .number(Double(number), isInteger: true)
        case .double(let number): self = .number(number, isInteger: false)
        case .bool(let flag): self = .boolean(flag)
        case .null: self = .other(typeName: "NoneType")
        case .object: self = .other(typeName: "dict")
        }
    }
}
