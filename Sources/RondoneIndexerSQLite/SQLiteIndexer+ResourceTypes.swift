import Foundation
import GRDB
import RondoneIndexer
import RondoneTimeSeries

extension SQLiteIndexer {
    public func resourceTypes() async throws -> [ResourceType] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM resource_type ORDER BY name").map {
                row throws(IndexerError) in try SQLiteResourceTypes.type(row).type
            }
        }
    }

    public func resourceType(named name: String) async throws -> ResourceType? {
        try await pool.read { db in try SQLiteResourceTypes.load(name, db)?.type }
    }

    public func createResourceType(_ type: ResourceType) async throws -> ResourceType {
        try await writeTransaction { db in
            if try SQLiteResourceTypes.load(type.name, db) != nil {
                throw IndexerError.resourceTypeAlreadyExists(type.name)
            }
            let tables = SQLiteTypeTables(table: SQLiteTypeTables.newTableName(), attributes: type.attributes)
            try db.execute(
                sql: """
                    INSERT INTO resource_type (name, state, updated_at, attributes, tablename)
                    VALUES (?, 'active', ?, ?, ?)
                    """,
                arguments: [
                    type.name, Timestamp.now().nanoseconds, SQLiteResourceTypes.json(type.attributes),
                    tables.table,
                ])
            try tables.create(db)
            return ResourceType(name: type.name, state: "active", attributes: type.attributes)
        }
    }

    public func updateResourceType(named name: String, _ change: ResourceTypeChange) async throws
        -> ResourceType
    {
        try await writeTransaction { db in
            guard let (type, tables) = try SQLiteResourceTypes.load(name, db) else {
                throw IndexerError.noSuchResourceType(name)
            }
            guard !change.isEmpty else { return type }
            guard let tables else {
                throw IndexerError.invalidInput(reason: "Resource type \(name) cannot be changed", detail: [])
            }
            // Gnocchi's order: fill the nulls of updated attributes, drop, add; the schema
            // then lists additions after the kept attributes and the updated ones last.
            for update in change.updates {
                guard type.attribute(named: update.attribute.name) != nil else {
                    throw IndexerError.queryAttributeError(type: name, attribute: update.attribute.name)
                }
                if let fill = update.fill, !fill.isNull {
                    try tables.fillNulls(update.attribute.name, with: fill, db)
                }
            }
            let removed = Set(change.removals)
            for removal in change.removals where type.attribute(named: removal) != nil {
                try tables.dropColumn(removal, db)
            }
            for addition in change.additions {
                if type.attribute(named: addition.attribute.name) != nil
                    && !removed.contains(addition.attribute.name)
                {
                    throw IndexerError.invalidInput(
                        reason: "Attribute \(addition.attribute.name) already exists",
                        detail: [addition.attribute.name])
                }
                try tables.addColumn(addition.attribute, fill: addition.fill, db)
            }
            let updatedNames = Set(change.updates.map(\.attribute.name))
            var attributes = type.attributes + change.additions.map(\.attribute)
            attributes.removeAll { removed.contains($0.name) || updatedNames.contains($0.name) }
            // A name both removed and added again stays (as the new definition).
            attributes += change.additions.map(\.attribute).filter { removed.contains($0.name) }
            attributes += change.updates.map(\.attribute)
            try db.execute(
                sql: "UPDATE resource_type SET attributes = ?, updated_at = ? WHERE name = ?",
                arguments: [SQLiteResourceTypes.json(attributes), Timestamp.now().nanoseconds, name])
            return ResourceType(name: name, state: type.state, attributes: attributes)
        }
    }

    public func deleteResourceType(named name: String) async throws {
        try await writeTransaction { db in
            guard let (_, tables) = try SQLiteResourceTypes.load(name, db) else {
                throw IndexerError.noSuchResourceType(name)
            }
            let inUse =
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM resource WHERE type = ?)", arguments: [name])
                ?? false
            guard let tables, !inUse else { throw IndexerError.resourceTypeInUse(name) }
            try tables.drop(db)
            try db.execute(sql: "DELETE FROM resource_type WHERE name = ?", arguments: [name])
        }
    }
}

/// Reading and writing `resource_type` rows: the attribute schema as JSON (a list, so
/// the order attributes were added in is kept) and the name of the type's tables.
enum SQLiteResourceTypes {
    /// One stored attribute; the limits are present for the kinds that have them.
    private struct StoredAttribute: Codable {
        var name: String
        var type: String
        var required: Bool
        var minLength: Int?
        var maxLength: Int?
        var min: Double?
        var max: Double?

        enum CodingKeys: String, CodingKey {
            case name, type, required, min, max
            case minLength = "min_length"
            case maxLength = "max_length"
        }
    }

    static func json(_ attributes: [ResourceTypeAttribute]) -> String {
        let stored = attributes.map { attribute in
            var item = StoredAttribute(
                name: attribute.name, type: attribute.kind.typeName, required: attribute.required)
            switch attribute.kind {
            case .string(let minLength, let maxLength):
                (item.minLength, item.maxLength) = (minLength, maxLength)
            case .number(let min, let max): (item.min, item.max) = (min, max)
            case .uuid, .bool, .datetime: break
            }
            return item
        }
        do {
            return String(decoding: try JSONEncoder().encode(stored), as: UTF8.self)
        } catch {
            preconditionFailure("BUG: encoding plain attribute descriptions failed: \(error)")
        }
    }

    /// The type in `row` and its tables (nil for `generic`).
    static func type(_ row: Row) throws(IndexerError) -> (type: ResourceType, tables: SQLiteTypeTables?) {
        let name: String = row["name"]
        let text: String = row["attributes"]
        let stored: [StoredAttribute]
        do {
            // `generic`'s row predates the list format and holds `{}`.
            stored =
                text == "{}" ? [] : try JSONDecoder().decode([StoredAttribute].self, from: Data(text.utf8))
        } catch {
            throw .corruptIndex("resource type \(name) attributes: \(error)")
        }
        var attributes: [ResourceTypeAttribute] = []
        for item in stored {
            let kind: AttributeKind
            switch item.type {
            case "string": kind = .string(minLength: item.minLength ?? 0, maxLength: item.maxLength ?? 255)
            case "uuid": kind = .uuid
            case "number": kind = .number(min: item.min, max: item.max)
            case "bool": kind = .bool
            case "datetime": kind = .datetime
            default: throw .corruptIndex("resource type \(name): attribute type \(item.type)")
            }
            attributes.append(ResourceTypeAttribute(name: item.name, kind: kind, required: item.required))
        }
        let type = ResourceType(name: name, state: row["state"], attributes: attributes)
        let table: String? = row["tablename"]
        return (type, table.map { SQLiteTypeTables(table: $0, attributes: attributes) })
    }

    static func load(_ name: String, _ db: Database) throws -> (
        type: ResourceType, tables: SQLiteTypeTables?
    )? {
        try Row.fetchOne(db, sql: "SELECT * FROM resource_type WHERE name = ?", arguments: [name]).map {
            row throws(IndexerError) in try type(row)
        }
    }

    /// The tables of every custom type, by type name.
    static func allTables(_ db: Database) throws -> [String: SQLiteTypeTables] {
        var result: [String: SQLiteTypeTables] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT * FROM resource_type WHERE tablename IS NOT NULL") {
            let (type, tables) = try type(row)
            result[type.name] = tables
        }
        return result
    }
}
