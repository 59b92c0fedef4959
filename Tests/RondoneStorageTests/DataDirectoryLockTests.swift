import Foundation
import RondoneStorage
import Testing

@Suite struct DataDirectoryLockTests {
    @Test func secondOwnerIsRefusedAtOnce() throws {
        let directory = TestDirectory("lock")
        defer { directory.remove() }
        let first = try DataDirectoryLock(directory: directory.path)
        let expected = StorageError.directoryOwned(directory: directory.path, pid: getpid())
        #expect(throws: expected) { try DataDirectoryLock(directory: directory.path) }
        #expect(expected.description.contains(directory.path) && expected.description.contains("\(getpid())"))
        first.release()
        let second = try DataDirectoryLock(directory: directory.path)
        second.release()
    }

    @Test func storesOwnTheirDirectory() async throws {
        let directory = TestDirectory("lock-stores")
        defer { directory.remove() }
        let incoming = try FileIncomingStore(
            directory: directory.path + "/incoming", options: .init(sacks: 2))
        #expect(throws: StorageError.directoryOwned(directory: directory.path + "/incoming", pid: getpid())) {
            try FileIncomingStore(directory: directory.path + "/incoming", options: .init(sacks: 2))
        }
        incoming.close()
        try FileIncomingStore(directory: directory.path + "/incoming", options: .init(sacks: 2)).close()
        let aggregate = try FileAggregateStore(directory: directory.path + "/aggregate")
        #expect(throws: StorageError.self) {
            try FileAggregateStore(directory: directory.path + "/aggregate")
        }
        aggregate.close()
    }

    /// A lock file replaced while we hold the lock: a newcomer locks the new file, so
    /// the holder must not be fooled either. Here we check the newcomer's side: it
    /// ends up holding the inode the path names.
    @Test func lockFollowsTheFileThePathNames() throws {
        let directory = TestDirectory("lock-replaced")
        defer { directory.remove() }
        let first = try DataDirectoryLock(directory: directory.path)
        defer { first.release() }
        try FileManager.default.removeItem(atPath: directory.path + "/LOCK")
        let second = try DataDirectoryLock(directory: directory.path)
        defer { second.release() }
        let pid = try String(contentsOfFile: directory.path + "/LOCK", encoding: .utf8)
        #expect(pid == "\(getpid())\n")
    }
}
