import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a maintenance command inside the server that owns a data directory, over its
/// control socket (see ``ControlSocket``): sends the command line, draws the progress
/// it reports with a ``ProgressBar``, prints its report lines on standard output and
/// its errors on standard error, and returns its exit code.
enum ControlSocketClient {
    static func forward(dataDir: String, arguments: [String]) async throws -> Int32 {
        let bar = ProgressBar()
        let request = ControlRequest(
            arguments: arguments, workingDirectory: FileManager.default.currentDirectoryPath)
        return try run(request, dataDir: dataDir) { message in
            if let progress = message.progress {
                bar.update(step: progress.step, done: progress.done, total: progress.total)
            } else if let line = message.line {
                bar.finish()
                print(line)
            } else if let error = message.error {
                bar.finish()
                var standardError = StandardError()
                print(error, to: &standardError)
            }
        } failed: { reason in
            bar.finish()
            var standardError = StandardError()
            print("rondone: \(reason)", to: &standardError)
        }
    }

    /// Sends `request` to the server of `dataDir` and hands each message but the exit
    /// code to `handle`; returns the exit code, or 1 after calling `failed` with why the
    /// server could not be asked or did not answer to the end.
    static func run(
        _ request: ControlRequest, dataDir: String, handle: (ControlMessage) -> Void,
        failed: (String) -> Void
    ) throws -> Int32 {
        let connection: Int32
        do {
            connection = try connect(dataDir)
        } catch {
            failed("\(error)")
            return 1
        }
        defer { close(connection) }
        guard ControlSocket.send(ControlSocket.encode(request), to: connection) else {
            failed("the server of \(dataDir) closed its control socket")
            return 1
        }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        let decoder = JSONDecoder()
        while true {
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Data(buffer[..<newline])
                buffer.removeSubrange(...newline)
                guard let message = try? decoder.decode(ControlMessage.self, from: line) else {
                    failed("the server sent something that is not a control message")
                    return 1
                }
                if let code = message.exit { return code }
                handle(message)
            }
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                failed("the server of \(dataDir) closed the connection before the command finished")
                return 1
            }
            buffer += chunk[0..<count]
        }
    }

    /// A connection to the control socket of `dataDir`.
    static func connect(_ dataDir: String) throws -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw ControlSocketError("socket: \(String(cString: strerror(errno)))") }
        let target = try ControlSocket.address(in: dataDir)
        var address = target.address
        let directoryDescriptor = target.directoryDescriptor
        defer { if directoryDescriptor >= 0 { close(directoryDescriptor) } }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            close(descriptor)
            if code == ENOENT || code == ECONNREFUSED {
                throw ControlSocketError(
                    "\(dataDir) is in use by a process that takes no maintenance commands (no control socket: not `rondone serve`, or it is starting or stopping); stop it first"
                )
            }
            throw ControlSocketError(
                "cannot reach the server of \(dataDir) on \(ControlSocket.path(in: dataDir)): \(String(cString: strerror(code)))"
            )
        }
        return descriptor
    }
}
