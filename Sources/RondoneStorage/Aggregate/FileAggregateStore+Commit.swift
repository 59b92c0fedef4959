import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The files one commit writes and removes, worked out from the changes by the layout.
struct CommitPlan {
    struct FileWrite {
        var target: String
        var bytes: [UInt8]
    }

    /// Split files: renamed into place before any buffer.
    var splitFiles: [FileWrite] = []
    /// Split files to unlink (pruned or emptied), in the same phase as `splitFiles`.
    var removals: [String] = []
    /// Buffers: renamed only once every split change is durable.
    var buffers: [FileWrite] = []
    /// Directories whose entries change in the split phase (targets, and the parents
    /// of directories this commit created).
    var splitDirectories: Set<String> = []
    /// Directories whose entries change in the buffer phase.
    var bufferDirectories: Set<String> = []

    var isEmpty: Bool {
        splitFiles.isEmpty && removals.isEmpty && buffers.isEmpty && splitDirectories.isEmpty
    }
}

// Batched durable writes: write everything aside, one barrier for the data, renames,
// one barrier for the split entries, buffer renames, one barrier for those.
extension FileAggregateStore {
    /// Carries out `plan` on the calling (blocking) thread; see `AggregateStore.commit`
    /// for what holds after a throw. Stray temp files are removed on the way out.
    func execute(_ plan: CommitPlan) throws {
        let files = plan.splitFiles + plan.buffers
        let useSyncfs = usesSyncfs(for: files.count)
        var temps: [String] = []
        var descriptors: [Int32] = []
        var renamed = 0
        defer {
            for fd in descriptors where fd >= 0 { posix.closeFile(fd) }
            for temp in temps[renamed...] { unlink(temp) }
        }
        for file in files {
            let temp = directory + "/tmp/\(nextTemp.add(1, ordering: .relaxed).oldValue)"
            let fd = try posix.openFile(temp, O_WRONLY | O_CREAT | O_TRUNC)
            temps.append(temp)
            descriptors.append(fd)
            try file.bytes.withUnsafeBytes { try posix.write(fd, $0, at: 0, path: temp) }
            if useSyncfs {
                posix.closeFile(fd)
                descriptors[descriptors.count - 1] = -1
            }
        }
        // Barrier 1: the new contents are durable before any name points at them, so a
        // renamed file holds its old or its new content after a crash, never a hole.
        if !files.isEmpty {
            if useSyncfs {
                try posix.syncFileSystem(dataDirectoryDescriptor, path: directory)
            } else {
                try syncInParallel(descriptors.indices.map { (descriptors[$0], temps[$0]) })
            }
        }
        for (index, file) in plan.splitFiles.enumerated() {
            try posix.renameFile(temps[index], file.target)
            renamed += 1
        }
        for path in plan.removals { try posix.remove(path) }
        // Barrier 2: every split change is durable before any buffer changes.
        try syncDirectories(plan.splitDirectories)
        for (offset, file) in plan.buffers.enumerated() {
            try posix.renameFile(temps[plan.splitFiles.count + offset], file.target)
            renamed += 1
        }
        // Barrier 3: the buffers.
        try syncDirectories(plan.bufferDirectories)
    }

    /// syncfs is one call whatever the number of files, but it flushes the whole file
    /// system (other programs' writes too); a handful of fsyncs is cheaper.
    private func usesSyncfs(for count: Int) -> Bool {
        POSIX.canSyncFileSystem && dataDirectoryDescriptor >= 0 && count > syncFileSystemAbove
    }

    private func syncDirectories(_ directories: Set<String>) throws {
        guard !directories.isEmpty else { return }
        if usesSyncfs(for: directories.count) {
            try posix.syncFileSystem(dataDirectoryDescriptor, path: directory)
            return
        }
        let list = Array(directories)
        var descriptors: [(Int32, String)] = []
        defer { for (fd, _) in descriptors { posix.closeFile(fd) } }
        for path in list { descriptors.append((try posix.openFile(path, O_RDONLY | O_DIRECTORY), path)) }
        try syncInParallel(descriptors)
    }

    /// fsync of every descriptor, spread over the sync threads: concurrent syncs share
    /// journal commits, so N of them cost far less than N in turn.
    private func syncInParallel(_ descriptors: [(Int32, String)]) throws {
        final class FirstError: Sendable {
            let value = Mutex<(any Error)?>(nil)
        }
        let failure = FirstError()
        let posix = self.posix
        syncers.perform(descriptors.count) { index in
            do {
                try posix.sync(descriptors[index].0, path: descriptors[index].1)
            } catch {
                failure.value.withLock { if $0 == nil { $0 = error } }
            }
        }
        if let error = failure.value.withLock({ $0 }) { throw error }
    }
}
