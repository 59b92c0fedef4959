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
