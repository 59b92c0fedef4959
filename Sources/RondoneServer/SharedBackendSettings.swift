public import RondoneIndexerPostgreSQL
public import RondoneS3

/// Where a scaled-out deployment keeps everything: the index, the waiting measures and
/// the coordination in PostgreSQL (one database unless told otherwise, as in Gnocchi),
/// the aggregates in an S3 bucket whose pointers live beside the leases that fence
/// them (the coordination database).
public struct SharedBackendSettings: Sendable {
    public var indexer: PostgreSQLURL
    public var incoming: PostgreSQLURL
    public var coordination: PostgreSQLURL
    public var storage: S3URL
    /// Sacks the waiting measures are spread over (fixed when the deployment is made).
    public var sacks: Int

    /// Settings from the URLs' texts; `incoming` and `coordination` default to
    /// `indexer`; S3 credentials come from `environment` (`AWS_ACCESS_KEY_ID`, …).
    ///
    /// - Throws: a ``SharedBackendSettingsError`` naming the option that is wrong.
    public init(
        indexer: String, storage: String, incoming: String? = nil, coordination: String? = nil, sacks: Int,
        environment: [String: String]
    ) throws(SharedBackendSettingsError) {
        func postgreSQL(_ text: String, _ option: String) throws(SharedBackendSettingsError) -> PostgreSQLURL
        {
            do {
                return try PostgreSQLURL(parsing: text)
            } catch {
                throw SharedBackendSettingsError(option: option, message: "\(error)")
            }
        }
        self.indexer = try postgreSQL(indexer, "--indexer-url")
        self.incoming =
            try incoming.map { text throws(SharedBackendSettingsError) in
                try postgreSQL(text, "--incoming-url")
            } ?? self.indexer
        self.coordination =
            try coordination.map { text throws(SharedBackendSettingsError) in
                try postgreSQL(text, "--coordination-url")
            } ?? self.indexer
        do {
            self.storage = try S3URL(parsing: storage, environment: environment)
        } catch {
            throw SharedBackendSettingsError(option: "--storage-url", message: "\(error)")
        }
        guard (1...65535).contains(sacks) else {
            throw SharedBackendSettingsError(option: "--sacks", message: "must be 1…65535, not \(sacks)")
        }
        self.sacks = sacks
    }

    /// Where the data lives, for the start-up line (no password, no secret).
    public var location: String {
        var parts = ["index \(indexer)"]
        if incoming != indexer { parts.append("incoming \(incoming)") }
        if coordination != indexer { parts.append("coordination \(coordination)") }
        parts.append("aggregates \(storage)")
        return parts.joined(separator: ", ")
    }
}

/// A scale-out option that does not parse: which one, and why.
public struct SharedBackendSettingsError: Error, Sendable, CustomStringConvertible {
    public var option: String
    public var message: String

    public var description: String { "\(option): \(message)" }
}
