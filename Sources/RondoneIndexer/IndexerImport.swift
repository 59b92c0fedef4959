import RondoneTimeSeries

/// The rows of another index written as they are, for `rondone migrate` (an embedded
/// data directory moved into a PostgreSQL deployment): resources keep their times,
/// revision numbers and history, metrics their creator and flags — what the API's
/// create methods would have drawn anew.
///
/// Every method is idempotent (a row that exists is left alone), so an import that
/// stopped half-way runs again from the start or from a checkpoint it saved.
public protocol IndexerImport: Indexer {
    /// Inserts resources, each given as all its revisions (the current row, revision
    /// ``Resource/currentRevision``, and its history rows with their numbers), with the
    /// attributes of its type; metrics are not attached here (``importMetrics(_:)``
    /// does). A resource whose id exists is left alone. Returns the ids inserted.
    ///
    /// Throws `noSuchResourceType` for a type not created yet, and `corruptIndex` when
    /// a history revision number is taken by another resource (the target held
    /// resources of its own).
    func importResources(_ resources: [[Resource]]) async throws -> Set<ResourceID>
    /// Inserts active metrics as given (attached to their resource, which must exist);
    /// `truncating` are those whose raw buffer metricd must still trim. A metric whose
    /// id exists is left alone. Returns how many were inserted.
    func importMetrics(_ metrics: [Metric], truncating: Set<MetricID>) async throws -> Int
    /// Makes the index's own numbering continue after the imported rows (the next
    /// history revision comes after the largest imported one).
    func finishImport() async throws
    /// The value last saved under `name` by ``saveImportCheckpoint(_:value:)``.
    func importCheckpoint(_ name: String) async throws -> String?
    /// Saves (or with nil, forgets) where a long import has got to.
    func saveImportCheckpoint(_ name: String, value: String?) async throws
}

/// One imported resource's rows, checked as every index's import takes them.
public struct ImportedResource: Sendable {
    /// The current row (revision ``Resource/currentRevision``).
    public var current: Resource
    /// Its history rows, each of the same resource and type.
    public var history: [Resource]

    /// Splits `revisions` (all the rows of one resource) into its current row and its
    /// history.
    ///
    /// - Throws: `invalidInput` without a current row, or when a history row belongs to
    ///   another resource or type.
    public init(_ revisions: [Resource]) throws {
        guard let current = revisions.first(where: { $0.revision == Resource.currentRevision }) else {
            throw IndexerError.invalidInput(
                reason: "an imported resource needs its current revision", detail: ["revision"])
        }
        let history = revisions.filter { $0.revision != Resource.currentRevision }
        for old in history where old.id != current.id || old.type != current.type {
            throw IndexerError.invalidInput(
                reason: "revision \(old.revision) belongs to another resource", detail: ["revision"])
        }
        self.current = current
        self.history = history
    }
}
