import PostgresNIO
import RondoneIndexer
import RondoneTimeSeries

extension PostgreSQLIndexer {
    public func resourceTypes() async throws -> [ResourceType] {
        try await single { session in try await PostgreSQLResourceTypes.all(session).map(\.type) }
    }

    public func resourceType(named name: String) async throws -> ResourceType? {
        try await single { session in try await PostgreSQLResourceTypes.load(name, session)?.type }
    }

    @discardableResult
    public func createResourceType(_ type: ResourceType) async throws -> ResourceType {
        try await write { session in
            var columns: [PostgreSQLTypeTables.Column] = []
            for attribute in type.attributes {
                columns.append(
                    .init(
                        attribute: attribute,
                        name: PostgreSQLTypeTables.newColumnName(attribute.name, existing: columns)))
            }
            let tables = PostgreSQLTypeTables(table: PostgreSQLTypeTables.newTableName(), columns: columns)
            // The primary key decides between concurrent creations.
            let created = try await session.exists(
                """
                INSERT INTO resource_type (name, state, updated_at, tablename)
                VALUES (\(type.name), 'active', \(Timestamp.now().nanoseconds), \(tables.table))
                ON CONFLICT (name) DO NOTHING RETURNING 1
                """)
            guard created else { throw IndexerError.resourceTypeAlreadyExists(type.name) }
            try await PostgreSQLResourceTypes.writeSchema(type.name, columns, session)
            try await tables.create(session)
            return ResourceType(name: type.name, state: "active", attributes: type.attributes)
        }
    }

    public func updateResourceType(named name: String, _ change: ResourceTypeChange) async throws
        -> ResourceType
    {
        try await write { session in
            guard let (type, tables) = try await PostgreSQLResourceTypes.load(name, session, lock: .update)
            else {
                throw IndexerError.noSuchResourceType(name)
            }
            guard !change.isEmpty else { return type }
            guard var tables else {
                throw IndexerError.invalidInput(reason: "Resource type \(name) cannot be changed", detail: [])
            }
            // Gnocchi's order: fill the nulls of updated attributes, drop, add; the schema
            // then lists additions after the kept attributes and the updated ones last.
            for update in change.updates {
                guard type.attribute(named: update.attribute.name) != nil else {
                    throw IndexerError.queryAttributeError(type: name, attribute: update.attribute.name)
                }
                if let fill = update.fill, !fill.isNull {
                    try await tables.fillNulls(update.attribute.name, with: fill, session)
                }
            }
            let removed = Set(change.removals)
            for removal in change.removals where type.attribute(named: removal) != nil {
                try await tables.dropColumn(removal, session)
            }
            tables.columns.removeAll { removed.contains($0.attribute.name) }
            var added: [PostgreSQLTypeTables.Column] = []
            for addition in change.additions {
                if type.attribute(named: addition.attribute.name) != nil
                    && !removed.contains(addition.attribute.name)
                {
                    throw IndexerError.invalidInput(
                        reason: "Attribute \(addition.attribute.name) already exists",
                        detail: [addition.attribute.name])
                }
                let column = PostgreSQLTypeTables.Column(
                    attribute: addition.attribute,
                    name: PostgreSQLTypeTables.newColumnName(
                        addition.attribute.name, existing: tables.columns + added))
                try await tables.addColumn(column, fill: addition.fill, session)
                added.append(column)
            }
            let updatedNames = Set(change.updates.map(\.attribute.name))
            var kept = (tables.columns + added).filter {
                !updatedNames.contains($0.attribute.name) && !removed.contains($0.attribute.name)
            }
            // A name both removed and added again stays (as the new definition).
            kept += added.filter { removed.contains($0.attribute.name) }
            let updated = change.updates.compactMap { update in
                tables.column(of: update.attribute.name).map {
                    PostgreSQLTypeTables.Column(attribute: update.attribute, name: $0)
                }
            }
            let columns = kept + updated
            try await PostgreSQLResourceTypes.writeSchema(name, columns, session)
            try await session.execute(
                "UPDATE resource_type SET updated_at = \(Timestamp.now().nanoseconds) WHERE name = \(name)")
            return ResourceType(name: name, state: type.state, attributes: columns.map(\.attribute))
        }
    }

    public func deleteResourceType(named name: String) async throws {
        try await write { session in
            // The lock makes concurrent creations of resources of this type wait, then
            // fail on the foreign key once the type is gone.
            guard let (_, tables) = try await PostgreSQLResourceTypes.load(name, session, lock: .update)
            else {
                throw IndexerError.noSuchResourceType(name)
            }
            let inUse = try await session.exists("SELECT 1 FROM resource WHERE type = \(name) LIMIT 1")
            guard let tables, !inUse else { throw IndexerError.resourceTypeInUse(name) }
            try await tables.drop(session)
            do {
                try await session.execute("DELETE FROM resource_type WHERE name = \(name)")
            } catch let error where PostgreSQLErrors.isViolation(error, PostgreSQLErrors.foreignKeyViolation)
            {
                throw IndexerError.resourceTypeInUse(name)
            }
        }
    }
}
