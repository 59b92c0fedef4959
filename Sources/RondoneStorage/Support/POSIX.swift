#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Thin, throwing wrappers over the POSIX calls the file drivers use.
///
/// Every call retries on EINTR, turns errno into `StorageError`, and consults the
/// optional `FaultInjector` first, so fault tests exercise the same code paths.
struct POSIX {
    let faults: FaultInjector?

    func openFile(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws -> Int32 {
        if flags & O_CREAT != 0, let code = faults?.take(.create) {
            throw StorageError.system("open", path, code)
        }
        while true {
            let fd = open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno != EINTR { throw StorageError.system("open", path, errno) }
        }
    }

    /// Writes all of `bytes` at `offset`.
    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64, path: String) throws {
        if let code = faults?.take(.write) { throw StorageError.system("write", path, code) }
        var done = 0
        while done < bytes.count {
            let base = bytes.baseAddress! + done
            let result = pwrite(fd, base, bytes.count - done, off_t(offset) + off_t(done))
            if result < 0 {
                if errno == EINTR { continue }
                throw StorageError.system("write", path, errno)
            }
            done += result
        }
    }

    func closeFile(_ fd: Int32) {
        _ = close(fd)
    }

    /// Reads exactly `count` bytes at `offset`; fewer only at end of file.
    func read(_ fd: Int32, count: Int, at offset: Int64, path: String) throws -> [UInt8] {
        if let code = faults?.take(.read) { throw StorageError.system("read", path, code) }
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        try bytes.withUnsafeMutableBytes { buffer in
            while done < count {
                let result = pread(fd, buffer.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                if result < 0 {
                    if errno == EINTR { continue }
                    throw StorageError.system("read", path, errno)
                }
                if result == 0 { break }
                done += result
            }
        }
        if done < count { bytes.removeLast(count - done) }
        return bytes
    }

    /// The whole content of a file.
    func readAll(_ path: String) throws -> [UInt8] {
        let fd = try openFile(path, O_RDONLY)
        defer { close(fd) }
        let size = try fileSize(fd, path: path)
        return try read(fd, count: Int(size), at: 0, path: path)
    }

    func fileSize(_ fd: Int32, path: String) throws -> Int64 {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw StorageError.system("fstat", path, errno) }
        return Int64(info.st_size)
    }

    /// `fdatasync` for data appended to a file whose name is already durable.
    func syncData(_ fd: Int32, path: String) throws {
        if let code = faults?.take(.sync) { throw StorageError.system("fdatasync", path, code) }
        while fdatasync(fd) != 0 {
            if errno != EINTR { throw StorageError.system("fdatasync", path, errno) }
        }
    }

    /// `fsync` of a file or directory (directory entries and metadata included).
    func sync(_ fd: Int32, path: String) throws {
        if let code = faults?.take(.sync) { throw StorageError.system("fsync", path, code) }
        while fsync(fd) != 0 {
            if errno != EINTR { throw StorageError.system("fsync", path, errno) }
        }
    }

    /// Makes the entries of `directory` (files created, renamed or removed in it) durable.
    func syncDirectory(_ directory: String) throws {
        let fd = try openFile(directory, O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try sync(fd, path: directory)
    }

    func renameFile(_ from: String, _ to: String) throws {
        if let code = faults?.take(.rename) { throw StorageError.system("rename", to, code) }
        guard rename(from, to) == 0 else { throw StorageError.system("rename", to, errno) }
    }

    /// Creates `path` if missing; returns true when it created it (its parent then needs a sync).
    @discardableResult
    func makeDirectory(_ path: String) throws -> Bool {
        if mkdir(path, 0o755) == 0 { return true }
        if errno == EEXIST { return false }
        throw StorageError.system("mkdir", path, errno)
    }

    /// Creates `path` and any missing parents, syncing each parent that gained an entry.
    func makeDirectories(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            let parent = prefix.isEmpty ? "/" : prefix
            prefix += "/" + component
            if try makeDirectory(prefix) { try syncDirectory(parent) }
        }
    }

    /// Names in a directory (without `.` and `..`); empty if it does not exist.
    func list(_ directory: String) throws -> [String] {
        guard let handle = opendir(directory) else {
            if errno == ENOENT { return [] }
            throw StorageError.system("opendir", directory, errno)
        }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Removes a file; a missing file is not an error.
    func remove(_ path: String) throws {
        if unlink(path) != 0 && errno != ENOENT { throw StorageError.system("unlink", path, errno) }
    }

    /// Removes a directory tree (no symlinks followed).
    func removeTree(_ path: String) throws {
        if isDirectory(path) {
            for name in try list(path) { try removeTree(path + "/" + name) }
            if rmdir(path) != 0 && errno != ENOENT { throw StorageError.system("rmdir", path, errno) }
        } else {
            try remove(path)
        }
    }

    /// Replaces `path` with `bytes` atomically and durably: write aside in the same
    /// directory, fsync the file, rename over `path`, fsync the directory.
    func writeAtomically(
        _ bytes: UnsafeRawBufferPointer, to path: String, directory: String, tempName: String
    )
        throws
    {
        let temp = directory + "/" + tempName
        let fd = try openFile(temp, O_WRONLY | O_CREAT | O_TRUNC)
        do {
            try write(fd, bytes, at: 0, path: temp)
            try sync(fd, path: temp)
            close(fd)
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        do {
            try renameFile(temp, path)
        } catch {
            unlink(temp)
            throw error
        }
        try syncDirectory(directory)
    }
}
