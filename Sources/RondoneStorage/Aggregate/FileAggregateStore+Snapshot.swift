/// The aggregate log's segments at one consistent point (`withCommitsPaused`).
public struct AggregateSnapshot: Sendable {
    /// Every segment, relative to the store's directory (`log/….agl`): sealed ones
    /// whole, the active one up to its last commit.
    public var files: [SnapshotFile]
}

// Backups: a consistent point of the aggregate log.
extension FileAggregateStore {
    /// Calls `body` with the log's segments while no commit, deletion or compaction can
    /// run (it holds the writer lock): every commit that returned before is in them,
    /// none that starts after.
    ///
    /// Keep `body` short, metricd's commits wait for it. The segments are opened inside,
    /// not copied: reading them can happen afterwards, even if compaction deletes them.
    public func withCommitsPaused<T: Sendable>(_ body: @escaping @Sendable (AggregateSnapshot) throws -> T)
        async throws -> T
    {
        try await io.run {
            try self.writer.withLock { writer in
                let segments = self.state.withLock { $0.segments.values.sorted { $0.sequence < $1.sequence } }
                var files: [SnapshotFile] = []
                for segment in segments {
                    let active = writer.active?.sequence == segment.sequence
                    if let file = try SnapshotFile(
                        relativePath: "log/" + LogSegment.name(segment.sequence), sourcePath: segment.path,
                        length: active ? writer.size : nil)
                    {
                        files.append(file)
                    }
                }
                return try body(AggregateSnapshot(files: files))
            }
        }
    }
}
