import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Exclusive ownership of a data directory by one process, through `<directory>/LOCK`.
///
/// The lock is an `flock` on the lock file, so the kernel releases it when the process
/// dies, even by `kill -9`: a crashed owner never blocks a restart. A second owner
/// fails at once with `StorageError.directoryOwned`, naming the directory and the PID
/// written in the file by the holder. The lock is held until `release()` or deinit.
///
/// The lock file is never unlinked, but if something replaces it between our `open`
/// and our `flock`, we would hold a lock on an orphaned inode while another process
/// locks the new file; so after locking we check that the path still names the inode
/// we locked, and start over if not.
///
/// A child process this process starts (`fork` then `exec`) shares our descriptors until
/// its `exec` closes them (they are all `O_CLOEXEC`), so for that instant it shares the
/// `flock` too: reopening a directory this process has just released may find it still
/// locked, with our own PID in the file. Such a lock is waited for (up to two seconds);
/// a lock this process really holds is refused at once.
public final class DataDirectoryLock: Sendable {
    /// The directory this lock owns.
    public let directory: String
    /// The locked file's descriptor, -1 once released.
    private let descriptor: Mutex<Int32>
    /// The locked file's identity, in ``held`` until released.
    private let file: FileIdentity

    /// Device and inode of a lock file.
    private struct FileIdentity: Hashable, Sendable {
        var device: UInt64
        var inode: UInt64
    }

    /// The lock files this process holds.
    private static let held = Mutex<Set<FileIdentity>>([])

    /// Takes ownership of `directory` (created if missing), or throws `.directoryOwned`.
    public init(directory: String) throws {
        let posix = POSIX(faults: nil)
        try posix.makeDirectories(directory)
        let path = directory + "/LOCK"
        var waits = 0
        while true {
            let fd = try posix.openFile(path, O_RDWR | O_CREAT, mode: 0o644)
            var opened = stat()
            guard fstat(fd, &opened) == 0 else {
                close(fd)
                throw StorageError.system("fstat", path, errno)
            }
            let identity = FileIdentity(device: UInt64(opened.st_dev), inode: UInt64(opened.st_ino))
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let code = errno
                let holder = DataDirectoryLock.readPID(fd)
                close(fd)
                if code == EWOULDBLOCK, holder == getpid(), waits < 2000,
                    !Self.held.withLock({ $0.contains(identity) })
                {
                    waits += 1  // a child of ours shares the descriptor until its exec
                    usleep(1000)
                    continue
                }
                if code == EWOULDBLOCK {
                    throw StorageError.directoryOwned(directory: directory, pid: holder)
                }
                throw StorageError.system("flock", path, code)
            }
            var named = stat()
            if stat(path, &named) != 0 || named.st_dev != opened.st_dev || named.st_ino != opened.st_ino {
                close(fd)  // the file we locked is no longer the lock file: lock the new one
                continue
            }
            let pid = Array("\(getpid())\n".utf8)
            _ = ftruncate(fd, 0)
            _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
            Self.held.withLock { _ = $0.insert(identity) }
            self.directory = directory
            self.descriptor = Mutex(fd)
            self.file = identity
            return
        }
    }

    /// Gives up ownership now (closing the descriptor drops the `flock`). Idempotent.
    public func release() {
        descriptor.withLock { fd in
            if fd >= 0 {
                _ = Self.held.withLock { $0.remove(file) }
                close(fd)
            }
            fd = -1
        }
    }

    deinit {
        release()
    }

    /// The PID the holder wrote into the lock file, if readable.
    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self)
        return Int32(text.split(separator: "\n").first ?? "")
    }
}
