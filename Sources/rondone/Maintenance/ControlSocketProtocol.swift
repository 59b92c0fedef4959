import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The data directory's control socket (docs/OPERATIONS.md, "Running maintenance while
/// serving"): `<data dir>/control.sock`, a Unix stream socket of mode 0600 on which
/// `rondone serve` runs maintenance commands for clients.
///
/// Every message is one line of JSON. The client sends one ``ControlRequest``; the
/// server answers with ``ControlMessage``s: progress and report lines as the command
/// runs, error lines, then one `exit` with the command's exit code, and closes.
enum ControlSocket {
    /// The socket's file name in the data directory.
    static let fileName = "control.sock"
    /// The longest request line the server reads.
    static let maximumRequestBytes = 64 << 10

    /// The socket's path in `directory`.
    static func path(in directory: String) -> String {
        directory + "/" + fileName
    }

    /// A `sockaddr_un` for the socket in `directory`. A path longer than `sun_path`
    /// holds (108 bytes) is reached through `/proc/self/fd/<dir>/control.sock`, with
    /// the directory opened for the call (`directoryDescriptor`, to close after).
    static func address(in directory: String) throws -> (address: sockaddr_un, directoryDescriptor: Int32) {
        var path = Self.path(in: directory)
        var directoryDescriptor: Int32 = -1
        var address = sockaddr_un()
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        if path.utf8.count >= capacity {
            directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard directoryDescriptor >= 0 else {
                throw ControlSocketError("cannot open \(directory): \(String(cString: strerror(errno)))")
            }
            path = "/proc/self/fd/\(directoryDescriptor)/" + fileName
        }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8)
            raw.copyBytes(from: bytes.prefix(capacity - 1))
        }
        return (address, directoryDescriptor)
    }

    /// Writes all of `bytes` (MSG_NOSIGNAL: a peer that went away is an error, not
    /// SIGPIPE); false when the peer is gone or stopped reading for the send timeout.
    static func send(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
            }
            if count < 0 {
                if errno == EINTR { continue }
                return false
            }
            sent += count
        }
        return true
    }

    /// One JSON line of `value`.
    static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes = (try? encoder.encode(value)).map(Array.init) ?? Array("{}".utf8)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }
}

/// What a client asks: the command line to run (as after `rondone`) and the
/// directory relative paths in it are read against.
struct ControlRequest: Codable, Equatable {
    var arguments: [String]
    var workingDirectory: String
}

/// One line the server sends: exactly one of the fields is set.
struct ControlMessage: Codable, Equatable {
    struct Progress: Codable, Equatable {
        var step: String
        var done: Int
        var total: Int
    }

    /// `done` of `total` units of `step` (for a progress bar).
    var progress: Progress?
    /// A line of the command's report (standard output).
    var line: String?
    /// A message for standard error (a refusal, or why the command failed).
    var error: String?
    /// The command's exit code; the last message.
    var exit: Int32?

    static func progress(_ step: String, _ done: Int, _ total: Int) -> ControlMessage {
        ControlMessage(progress: Progress(step: step, done: done, total: total))
    }
}

/// A control socket that cannot be set up or reached.
struct ControlSocketError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
