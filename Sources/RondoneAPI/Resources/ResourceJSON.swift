import Crypto
import RondoneIndexer
import RondoneJSON
import RondoneTimeSeries

/// Resources as Gnocchi 4.7 renders them (`ResourceJsonifier.jsonify`): every column,
/// times as `datetime.isoformat()`, the metrics as name → id, and the creator split
/// into `created_by_user_id` / `created_by_project_id`, then the attributes of the
/// resource's own type.
enum ResourceJSON {
    /// The whole resource, or only the keys in `attributes` when that is not empty
    /// (`?attrs=` of a list; unknown names are ignored, as there).
    static func render(_ resource: Resource, attributes: [String] = []) -> JSONValue {
        // The type's own attributes come after `type`, as Gnocchi's columns do (by name
        // here: the index hands them over in a dictionary).
        let own = resource.attributes.sorted { $0.key < $1.key }.map {
            ($0.key, AttributeValueSchema.render($0.value))
        }
        let members: [(String, JSONValue)] =
            [
                ("id", .string(resource.id.description)),
                ("creator", string(resource.creator)),
                ("started_at", time(resource.startedAt)),
                ("revision_start", time(resource.revisionStart)),
                ("ended_at", resource.endedAt.map(time) ?? .null),
                ("user_id", string(resource.userID)),
                ("project_id", string(resource.projectID)),
                ("original_resource_id", .string(resource.originalResourceID)),
                ("type", .string(resource.type)),
            ] + own + [
                ("revision_end", resource.revisionEnd.map(time) ?? .null),
                ("metrics", metrics(resource)),
                ("created_by_user_id", string(resource.createdByUserID)),
                ("created_by_project_id", string(resource.createdByProjectID)),
            ]
        guard !attributes.isEmpty else { return .object(members) }
        return .object(members.filter { attributes.contains($0.0) })
    }

    /// `{name: id}` of the resource's metrics, by name.
    static func metrics(_ resource: Resource) -> JSONValue {
        .object(resource.metrics.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value.description)) })
    }

    /// What Gnocchi's `enforce` checks a resource rule against (its JSON, flattened).
    static func target(_ resource: Resource) -> PolicyTarget {
        PolicyTarget(flattening: render(resource))
    }

    /// `ETag`: SHA-1 of the id's text and `revision_start.isoformat()`, as Gnocchi.
    static func etag(_ resource: Resource) -> String {
        sha1Hex(Array((resource.id.description + resource.revisionStart.formatted(.datetime)).utf8))
    }

    /// SHA-1 of `message` as lower-case hex (Python's `hashlib.sha1(…).hexdigest()`).
    /// Not a security boundary: an identifier Gnocchi derives the same way.
    static func sha1Hex(_ message: [UInt8]) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(40)
        for byte in Insecure.SHA1.hash(data: message) {
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static func time(_ timestamp: Timestamp) -> JSONValue { .string(timestamp.formatted(.datetime)) }

    private static func string(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
}
