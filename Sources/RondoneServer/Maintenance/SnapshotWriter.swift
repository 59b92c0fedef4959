import Foundation
import RondoneStorage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a backup or a restore stopped: one sentence for the user.
public struct BackupError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Puts snapshot files into a destination directory: a sealed file is hard-linked when
/// the destination is on the same file system (checked to name the very file that was
/// opened), copied otherwise; an active one is copied up to its committed length.
/// Every file written is synced, and every directory touched at the end.
final class SnapshotWriter: @unchecked Sendable {
    // @unchecked: used by one task at a time.
    let destination: String
    private(set) var linkedFiles = 0
    private(set) var linkedBytes: Int64 = 0
    private(set) var copiedFiles = 0
    private(set) var copiedBytes: Int64 = 0
    private var directories: Set<String> = []

    init(destination: String) {
        self.destination = destination
    }

    /// Puts `file` at `destination/prefix/file.relativePath`.
    func put(_ file: SnapshotFile, under prefix: String) throws {
        let target = destination + "/" + prefix + "/" + file.relativePath
        let parent = String(target[..<(target.lastIndex(of: "/") ?? target.endIndex)])
        try makeDirectories(parent)
        if file.sealed, link(file.sourcePath, target) == 0 {
            var status = stat()
            if stat(target, &status) == 0, UInt64(status.st_dev) == file.device,
                UInt64(status.st_ino) == file.inode
            {
                linkedFiles += 1
                linkedBytes += file.length
                return
            }
            unlink(target)  // another file took the name since the snapshot: copy ours
        }
        try copy(from: file.descriptor, length: file.length, source: file.sourcePath, to: target)
        copiedFiles += 1
        copiedBytes += file.length
    }

    /// Copies `length` bytes of `descriptor` into a new file at `target`, then syncs it.
    func copy(from descriptor: Int32, length: Int64, source: String, to target: String) throws {
        let out = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard out >= 0 else { throw BackupError("cannot create \(target): \(Self.reason(errno))") }
        defer { close(out) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset: Int64 = 0
        while offset < length {
            let want = Int(min(Int64(buffer.count), length - offset))
            let got = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, want, off_t(offset)) }
            if got < 0 {
                if errno == EINTR { continue }
                throw BackupError("cannot read \(source): \(Self.reason(errno))")
            }
            if got == 0 { throw BackupError("\(source) is shorter than its committed \(length) bytes") }
            var written = 0
            while written < got {
                let count = buffer.withUnsafeBytes {
                    pwrite(out, $0.baseAddress! + written, got - written, off_t(offset) + off_t(written))
                }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw BackupError("cannot write \(target): \(Self.reason(errno))")
                }
                written += count
            }
            offset += Int64(got)
        }
        guard fsync(out) == 0 else { throw BackupError("cannot sync \(target): \(Self.reason(errno))") }
    }

    /// Creates `path` and its missing parents, remembering them for ``syncDirectories()``.
    func makeDirectories(_ path: String) throws {
        if directories.contains(path) { return }
        if path == destination {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw BackupError("cannot create \(path): \(error.localizedDescription)")
            }
        } else if let slash = path.lastIndex(of: "/") {
            try makeDirectories(String(path[..<slash]))
        }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw BackupError("cannot create \(path): \(Self.reason(errno))")
        }
        directories.insert(path)
    }

    /// Syncs every directory created or written into, deepest first, so every name is
    /// durable.
    func syncDirectories() throws {
        for path in directories.sorted(by: { $0.count > $1.count }) {
            let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard descriptor >= 0 else { throw BackupError("cannot open \(path): \(Self.reason(errno))") }
            defer { close(descriptor) }
            guard fsync(descriptor) == 0 else {
                throw BackupError("cannot sync \(path): \(Self.reason(errno))")
            }
        }
    }

    static func reason(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// What was written, for the report.
    var summary: String {
        "linked \(linkedFiles) files (\(Self.bytes(linkedBytes))), copied \(copiedFiles) files (\(Self.bytes(copiedBytes)))"
    }

    /// `n bytes` with a readable unit.
    static func bytes(_ count: Int64) -> String {
        if count < 10_000 { return "\(count) B" }
        if count < 10_000_000 { return String(format: "%.1f kB", Double(count) / 1e3) }
        if count < 10_000_000_000 { return String(format: "%.1f MB", Double(count) / 1e6) }
        return String(format: "%.1f GB", Double(count) / 1e9)
    }
}

/// Checks that `path` can receive a backup or a restore: absent, or an empty directory.
/// Returns whether it existed.
func checkEmptyTarget(_ path: String, what: String) throws -> Bool {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return false }
    guard isDirectory.boolValue else { throw BackupError("\(path) exists and is not a directory; \(what)") }
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? ["?"]
    guard entries.isEmpty else { throw BackupError("\(path) is not empty; \(what)") }
    return true
}

/// Removes what a failed backup or restore left in `path` (the directory too unless it
/// existed before).
func removePartial(_ path: String, keepDirectory: Bool) {
    let manager = FileManager.default
    if keepDirectory {
        for entry in (try? manager.contentsOfDirectory(atPath: path)) ?? [] {
            try? manager.removeItem(atPath: path + "/" + entry)
        }
    } else {
        try? manager.removeItem(atPath: path)
    }
}
