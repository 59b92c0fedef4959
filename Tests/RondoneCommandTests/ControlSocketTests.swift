import Foundation
import RondoneServer
import Testing

@testable import rondone

#if canImport(Glibc)
    import Glibc
#endif

/// The data directory's control socket: only the owner may connect, requests that are
/// not maintenance commands run while serving are refused, a backup streams its report
/// and exit code, and a client that goes away leaves the server working.
@Suite(.serialized) struct ControlSocketTests {
    final class Fixture {
        let root: String
        let directory: DataDirectory
        let server: ControlSocketServer

        init() async throws {
            root =
                FileManager.default.temporaryDirectory.path
                + "/rondone-control-\(getpid())-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            // A stale socket file from a server that died: replaced.
            try FileManager.default.createDirectory(atPath: root + "/data", withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: root + "/data/control.sock", contents: nil)
            directory = try DataDirectory(path: root + "/data", sacks: 4)
            try await Backends.embedded(directory).upgrade(createDefaultPolicies: true)
            server = try ControlSocketServer(directory: directory) { _ in }
        }

        func close(keepingFiles: Bool = false) async {
            await server.stop()
            directory.close()
            if !keepingFiles { try? FileManager.default.removeItem(atPath: root) }
        }
    }

    /// Sends a raw request line, returns every message until the server closes.
    func exchange(_ fixture: Fixture, raw: [UInt8]) throws -> [ControlMessage] {
        let connection = try ControlSocketClient.connect(fixture.root + "/data")
        defer { close(connection) }
        #expect(ControlSocket.send(raw, to: connection))
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        return try bytes.split(separator: UInt8(ascii: "\n")).map {
            try JSONDecoder().decode(ControlMessage.self, from: Data($0))
        }
    }

    func run(_ fixture: Fixture, _ arguments: [String]) throws -> [ControlMessage] {
        try exchange(
            fixture,
            raw: ControlSocket.encode(ControlRequest(arguments: arguments, workingDirectory: fixture.root)))
    }

    @Test func socketIsTheOwnersOnly() async throws {
        let fixture = try await Fixture()
        var status = stat()
        #expect(stat(fixture.server.path, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)
        #expect(status.st_mode & mode_t(S_IFMT) == mode_t(S_IFSOCK))
        await fixture.close()
        #expect(!FileManager.default.fileExists(atPath: fixture.server.path))
    }

    @Test func badRequestsAreRefused() async throws {
        let fixture = try await Fixture()
        let garbage = try exchange(fixture, raw: Array("not json\n".utf8))
        #expect(garbage.first?.error?.contains("not a control request") == true)
        #expect(garbage.last?.exit == 2)
        let serve = try run(fixture, ["serve"])
        #expect(serve.first?.error?.contains("does not run through the control socket") == true)
        #expect(serve.last?.exit == 2)
        let unknown = try run(fixture, ["no-such-command"])
        #expect(unknown.last?.exit != 0)
        #expect(unknown.first?.error != nil)
        let missing = try run(fixture, ["backup"])
        #expect(missing.first?.error?.contains("destination") == true)
        #expect(missing.last?.exit != 0)
        // Half a request, then the client closes: refused, and the server goes on.
        let connection = try ControlSocketClient.connect(fixture.root + "/data")
        #expect(ControlSocket.send(Array("{\"argu".utf8), to: connection))
        close(connection)
        let backup = try run(fixture, ["backup", "copy"])
        #expect(backup.last?.exit == 0)
        await fixture.close()
    }

    @Test func backupStreamsItsReport() async throws {
        let fixture = try await Fixture()
        // A relative destination is read against the client's working directory.
        let messages = try run(fixture, ["backup", "--data-dir", fixture.root + "/data", "copy"])
        #expect(messages.last?.exit == 0)
        #expect(messages.contains { $0.line?.hasPrefix("writes paused") == true })
        #expect(messages.contains { $0.progress != nil })
        #expect(FileManager.default.fileExists(atPath: fixture.root + "/copy/index.sqlite"))
        let again = try run(fixture, ["backup", "copy"])
        #expect(again.contains { $0.error?.contains("is not empty") == true })
        #expect(again.last?.exit == 1)
        await fixture.close(keepingFiles: true)
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        // The backup opens as a data directory.
        let restored = try DataDirectory.existing(path: fixture.root + "/copy")
        restored.close()
    }

    @Test func aClientThatGoesAwayLeavesTheServerWorking() async throws {
        let fixture = try await Fixture()
        for number in 0..<5 {
            let connection = try ControlSocketClient.connect(fixture.root + "/data")
            #expect(
                ControlSocket.send(
                    ControlSocket.encode(
                        ControlRequest(
                            arguments: ["backup", "gone\(number)"], workingDirectory: fixture.root)),
                    to: connection))
            close(connection)
        }
        try await Task.sleep(for: .milliseconds(300))
        let messages = try run(fixture, ["backup", "kept"])
        #expect(messages.last?.exit == 0)
        await fixture.close()
    }
}
