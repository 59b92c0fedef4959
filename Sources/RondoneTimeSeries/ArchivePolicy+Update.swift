extension ArchivePolicy {
    /// This policy after a `PATCH /v1/archive_policy/<name>`, or Gnocchi's refusal.
    ///
    /// Gnocchi only lets the points/timespan of existing granularities and the back
    /// window change: after sorting both definitions by granularity, they must have
    /// as many items and the same granularities pairwise. Aggregation methods and
    /// name never change. Duplicate granularities in the new definition are not
    /// checked separately by Gnocchi; they surface as a changed granularity.
    ///
    /// - Parameter backWindow: the new back window, nil to keep the current one.
    public func updating(definition newDefinition: [ArchivePolicyItem], backWindow newBackWindow: Int? = nil)
        throws(ArchivePolicyError) -> ArchivePolicy
    {
        try Self.validateSchema(backWindow: newBackWindow ?? 0, definition: newDefinition)
        try Self.validateUpdate(from: self, to: newDefinition)
        var updated = self
        updated.definition = newDefinition
        if let newBackWindow { updated.backWindow = newBackWindow }
        return updated
    }

    /// Gnocchi's check that `newDefinition` may replace `policy`'s definition.
    public static func validateUpdate(from policy: ArchivePolicy, to newDefinition: [ArchivePolicyItem])
        throws(ArchivePolicyError)
    {
        let current = policy.definition.map(\.granularity).sorted()
        let new = newDefinition.map(\.granularity).sorted()
        guard current.count == new.count else {
            throw .unsupportedChange(policy: policy.name, reason: "Cannot add or drop granularities")
        }
        for (old, replacement) in zip(current, new) where old != replacement {
            throw .unsupportedChange(
                policy: policy.name, reason: "\(old.seconds) granularity interval was changed")
        }
    }

    /// Whether a PATCH with `newBackWindow` makes Gnocchi mark the policy's metrics
    /// for raw-data truncation by the janitor (only a non-zero, smaller back window).
    public func backWindowShrinks(to newBackWindow: Int?) -> Bool {
        guard let newBackWindow, newBackWindow != 0 else { return false }
        return newBackWindow < backWindow
    }
}
