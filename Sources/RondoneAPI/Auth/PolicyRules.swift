import RondoneJSON

/// Gnocchi 4.7's default policy (`gnocchi/rest/policies.py`), as data: rule name → oslo.policy
/// check string. Operators may replace or extend it when building a ``PolicyEnforcer``.
public enum PolicyRules {
    public static let gnocchiDefaults: [String: String] = [
        "context_is_admin": "role:admin",
        "admin_or_creator": "role:admin or user:%(creator)s or project_id:%(created_by_project_id)s",
        "admin_or_service": "role:admin or role:service",
        "creator": "user:%(creator)s or project_id:%(created_by_project_id)s",
        "resource_owner": "project_id:%(project_id)s",
        "metric_owner": "project_id:%(resource.project_id)s",
        "get status": "role:admin",
        "create resource": "",
        "get resource": "rule:admin_or_creator or rule:resource_owner",
        "update resource": "rule:admin_or_service or rule:creator",
        "delete resource": "rule:admin_or_creator",
        "delete resources": "rule:admin_or_creator",
        "list resource": "rule:admin_or_creator or rule:resource_owner",
        "search resource": "rule:admin_or_service or rule:creator or rule:resource_owner",
        "create resource type": "rule:admin_or_service",
        "get resource type": "",
        "update resource type": "rule:admin_or_service",
        "delete resource type": "role:admin",
        "list resource type": "",
        "create archive policy": "rule:admin_or_service",
        "get archive policy": "",
        "update archive policy": "role:admin",
        "delete archive policy": "role:admin",
        "list archive policy": "",
        "create archive policy rule": "role:admin",
        "get archive policy rule": "",
        "update archive policy rule": "role:admin",
        "delete archive policy rule": "role:admin",
        "list archive policy rule": "",
        "create metric": "",
        "get metric": "rule:admin_or_service or rule:creator or rule:metric_owner",
        "delete metric": "rule:admin_or_creator",
        "list metric": "rule:admin_or_creator or rule:metric_owner",
        "search metric": "rule:admin_or_creator or rule:metric_owner",
        "post measures": "rule:admin_or_service or rule:creator",
        "get measures": "rule:admin_or_service or rule:creator or rule:metric_owner",
    ]
}

/// What a policy rule is checked against: the object's attributes flattened with `.`
/// (`resource.project_id`), each held as Python's `str()` of the value (`None` for null),
/// as Gnocchi's `enforce` builds it.
public struct PolicyTarget: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    public var values: [String: String]

    public init(_ values: [String: String] = [:]) { self.values = values }

    public init(dictionaryLiteral elements: (String, String?)...) {
        values = [:]
        for (key, value) in elements { values[key] = value ?? "None" }
    }

    /// Flattens a JSON object as Gnocchi's `flatten_dict_to_keypairs(separator=".")`.
    public init(flattening document: JSONValue) {
        values = [:]
        Self.flatten(document, prefix: nil, into: &values)
    }

    private static func flatten(_ value: JSONValue, prefix: String?, into values: inout [String: String]) {
        switch value {
        case .object(let members):
            for (key, member) in members {
                flatten(member, prefix: prefix.map { "\($0).\(key)" } ?? key, into: &values)
            }
        default:
            guard let prefix else { return }
            values[prefix] = Self.pythonString(value)
        }
    }

    static func pythonString(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): text
        case .null: "None"
        default: PythonRepr.repr(value)
        }
    }
}
