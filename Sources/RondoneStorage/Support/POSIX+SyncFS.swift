#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `syncfs(2)` looked up at run time: Glibc declares it only under `_GNU_SOURCE`,
/// which Swift's Glibc module does not define. Nil where the system has none.
private let syncfsFunction: (@convention(c) (Int32) -> Int32)? = {
    #if os(Linux)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "syncfs") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
    #else
        return nil
    #endif
}()

extension POSIX {
    /// Whether `syncFileSystem` can be used here.
    static var canSyncFileSystem: Bool { syncfsFunction != nil }

    /// `syncfs` on the file system holding `fd`: every dirty file and directory entry
    /// of that file system is durable when it returns, in one call whatever their
    /// number. Linux reports write-back errors from it since 5.8; older kernels
    /// always return 0, so it must not be relied on there (docs/STORAGE.md).
    func syncFileSystem(_ fd: Int32, path: String) throws {
        if let code = faults?.take(.sync) { throw StorageError.system("syncfs", path, code) }
        guard let syncfs = syncfsFunction else { throw StorageError.system("syncfs", path, ENOSYS) }
        while syncfs(fd) != 0 {
            if errno != EINTR { throw StorageError.system("syncfs", path, errno) }
        }
    }
}
