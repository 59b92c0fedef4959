#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One file of a store as it was at a snapshot's consistent point: open, so it can be
/// read even if the store deletes it afterwards, with the number of bytes that belong
/// to the snapshot.
///
/// A **sealed** file is never written again by the store (only deleted), so a backup
/// may hard-link it; the active segment of a log is still appended to, so it must be
/// copied up to `length`, the bytes committed at the consistent point.
public final class SnapshotFile: Sendable {
    /// Where the file goes, relative to the store's directory (`incoming32-3/….log`,
    /// `log/….agl`, `sacks`).
    public let relativePath: String
    /// The file's path in the store when the snapshot was taken.
    public let sourcePath: String
    /// Open for reading until this object goes away.
    public let descriptor: Int32
    /// The bytes that belong to the snapshot (the whole file when sealed).
    public let length: Int64
    /// Never written again: may be hard-linked instead of copied.
    public let sealed: Bool
    /// Device and inode of the open file, to check a hard link names the same file.
    public let device: UInt64
    public let inode: UInt64

    /// Opens `sourcePath`; nil when it no longer exists (the store deleted it).
    ///
    /// - Parameter length: the committed length for an active segment, nil for a sealed
    ///   file (its size now).
    public init?(relativePath: String, sourcePath: String, length: Int64?) throws {
        let descriptor = open(sourcePath, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw StorageError.system("open", sourcePath, errno)
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let code = errno
            close(descriptor)
            throw StorageError.system("fstat", sourcePath, code)
        }
        self.relativePath = relativePath
        self.sourcePath = sourcePath
        self.descriptor = descriptor
        self.length = length.map { min($0, Int64(status.st_size)) } ?? Int64(status.st_size)
        self.sealed = length == nil
        self.device = UInt64(status.st_dev)
        self.inode = UInt64(status.st_ino)
    }

    deinit { close(descriptor) }
}
