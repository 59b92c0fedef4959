import RondoneIndexer
import RondoneJSON

/// `PATCH /v1/resource_type/{name}` as Gnocchi 4.7 does it: the body is a JSON-Patch of
/// `add`/`remove` operations on paths under `/attributes`, applied to the type's JSON;
/// the result must be a valid type definition (with `options.fill` allowed), and its
/// difference with the current type is the change: new attributes, redefined ones
/// (same kind only) and removed ones.
enum ResourceTypePatch {
    typealias Check = ArchivePolicySchemaCheck
    typealias Failure = ArchivePolicySchemaFailure

    /// The change `document` asks of `type` (empty when it changes nothing).
    static func change(of type: ResourceType, document: JSONValue) throws(APIError) -> ResourceTypeChange {
        let operations = try parse(document)
        let next: JSONValue
        do throws(JSONPatch.Failure) {
            next = try JSONPatch.apply(operations, to: ResourceTypeController.render(type))
        } catch {
            throw APIError.badRequest(error.message)
        }
        // Gnocchi drops `state` before checking the result as a definition.
        guard case .object(let members) = next else {
            throw APIError.badRequest("Invalid input: expected a dictionary")
        }
        let schema: ResourceTypeSchema
        do throws(Failure) {
            schema = try ResourceTypeSchema(.object(members.filter { $0.0 != "state" }), forUpdate: true)
        } catch {
            throw APIError.badRequest("Invalid input: \(error.reason)")
        }
        let nextNames = Set(schema.attributes.map(\.name))
        var change = ResourceTypeChange()
        var updated: [String] = []
        for attribute in type.attributes where nextNames.contains(attribute.name) {
            let old = ResourceTypeController.render(attribute)
            let new = schema.rendered(attribute.name)
            let newType = member(new, "type")
            if member(old, "type") != newType, case .string(let newName)? = newType {
                throw APIError.badRequest(
                    "Type update is not available yet. Changing \(attribute.kind.typeName) to \(newName) for "
                        + "attribute \(attribute.name) of resource \(type.name)")
            }
            guard case .object(let oldMembers) = old else { continue }
            if oldMembers.contains(where: { key, value in !pythonEqual(value, member(new, key) ?? .null) }) {
                updated.append(attribute.name)
            }
        }
        for (name, _) in schema.attributes where type.attribute(named: name) == nil {
            let definition = try schema.build(name)
            change.additions.append(.init(definition.attribute, fill: definition.fill))
        }
        for name in updated.sorted() {
            let definition = try schema.build(name)
            change.updates.append(.init(definition.attribute, fill: definition.fill))
        }
        change.removals = type.attributes.map(\.name).filter { !nextNames.contains($0) }
        return change
    }

    /// `[{"op": Any("add", "remove"), "path": AttributesPath, Optional("value"): dict}]`;
    /// a missing `op` or `path` is reported by the patch library, in its words.
    private static func parse(_ document: JSONValue) throws(APIError) -> [JSONPatch.Operation] {
        do throws(Failure) {
            return try Check.list(document, at: []) { element, path throws(Failure) in
                var op: String?
                var target: String?
                var value: JSONValue?
                try Check.mapping(
                    element, at: path, keys: ["op", "path", "value"], required: []
                ) {
                    key, member, keyPath throws(Failure) in
                    switch key {
                    case "op":
                        guard case .string(let text) = member, text == "add" || text == "remove" else {
                            throw Failure("not a valid value", keyPath)
                        }
                        op = text
                    case "path":
                        guard case .string(let text) = member, text.hasPrefix("/attributes") else {
                            throw Failure("not a valid value", keyPath)
                        }
                        target = text
                    default:
                        guard case .object = member else { throw Failure("expected dict", keyPath) }
                        value = member
                    }
                }
                guard let op else { throw Failure(Self.noOp, path) }
                guard let target else { throw Failure(Self.noPath, path) }
                if op == "remove" { return .remove(path: target) }
                guard let value else { throw Failure(Self.noValue, path) }
                return .add(path: target, value: value)
            }
        } catch {
            if [Self.noOp, Self.noPath, Self.noValue].contains(error.message) {
                throw APIError.badRequest(error.message)
            }
            throw error.apiError
        }
    }

    private static let noOp = "Operation does not contain 'op' member"
    private static let noPath = "Operation must have a 'path' member"
    private static let noValue = "The operation does not contain a 'value' member"

    private static func member(_ value: JSONValue, _ key: String) -> JSONValue? {
        guard case .object(let members) = value else { return nil }
        return members.last { $0.0 == key }?.1
    }

    /// Python's `==` on decoded JSON: numbers compare by value, booleans are 0 and 1.
    private static func pythonEqual(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        if let left = ResourceTypeSchema.number(lhs), let right = ResourceTypeSchema.number(rhs) {
            return left == right
        }
        return lhs == rhs
    }
}
