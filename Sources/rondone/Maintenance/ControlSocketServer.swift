import ArgumentParser
import Foundation
import Logging
import RondoneServer

#if canImport(Glibc)
    import Glibc
#endif

/// The server side of the data directory's control socket: `rondone serve` listens on
/// `<dir>/control.sock` once it holds the directory's lock, and runs the maintenance
/// commands clients send on its own open ``DataDirectory``.
///
/// One thread accepts; each connection gets a thread that reads the request, then
/// streams what the command reports while the command runs as a task. A client that
/// goes away cancels its command; a client that stops reading is dropped after the send
/// timeout. Nothing a client sends or does stops the server.
final class ControlSocketServer: @unchecked Sendable {
    // @unchecked: the mutable state is guarded by `lock`.
    /// The socket file.
    let path: String
    private let directory: DataDirectory
    private let listener: Int32
    private let log: @Sendable (String) -> Void
    private let lock = NSLock()
    private var stopping = false
    private var running: [UInt64: Task<Void, Never>] = [:]
    private var nextConnection: UInt64 = 0
    private var acceptThread: Thread?
    private var acceptFinished = false

    /// Seconds a client has to send its request, and a send may block.
    static let timeoutSeconds = 10

    /// Listens on the socket in `directory`. A socket file already there is a stale one
    /// (the caller holds the directory's lock, so no other server uses it): it is replaced.
    init(directory: DataDirectory, log: @escaping @Sendable (String) -> Void) throws {
        let path = ControlSocket.path(in: directory.path)
        let target = try ControlSocket.address(in: directory.path)
        var address = target.address
        let directoryDescriptor = target.directoryDescriptor
        defer { if directoryDescriptor >= 0 { close(directoryDescriptor) } }
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw ControlSocketError("socket: \(String(cString: strerror(errno)))") }
        unlink(path)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        // Only the directory's owner may connect; set before listen, so no one can
        // connect in between.
        guard bound == 0, chmod(path, 0o600) == 0, listen(descriptor, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            unlink(path)
            throw ControlSocketError("cannot listen on \(path): \(reason)")
        }
        self.directory = directory
        self.log = log
        self.path = path
        listener = descriptor
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "rondone-control"
        acceptThread = thread
        thread.start()
    }

    /// Stops accepting, cancels the commands still running and waits for them, then
    /// removes the socket file.
    func stop() async {
        let tasks: [Task<Void, Never>] = lock.withLock {
            stopping = true
            return Array(running.values)
        }
        while !lock.withLock({ acceptFinished }) { try? await Task.sleep(for: .milliseconds(20)) }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        close(listener)
        unlink(path)
    }

    private var isStopping: Bool { lock.withLock { stopping } }

    private func acceptLoop() {
        defer { lock.withLock { acceptFinished = true } }
        while !isStopping {
            var poll = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard Glibc.poll(&poll, 1, 200) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
            var timeout = timeval(tv_sec: Self.timeoutSeconds, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(connection, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let thread = Thread { [self] in serve(connection) }
            thread.name = "rondone-control-client"
            thread.start()
        }
    }

    /// Reads the request, runs it or refuses it, streams the answer, closes.
    private func serve(_ connection: Int32) {
        defer { close(connection) }
        let command: any DirectoryMaintenanceCommand
        switch Self.readRequest(connection).flatMap(Self.command(for:)) {
        case .failure(let refusal):
            _ = ControlSocket.send(
                ControlSocket.encode(ControlMessage(error: refusal.message)), to: connection)
            _ = ControlSocket.send(ControlSocket.encode(ControlMessage(exit: refusal.code)), to: connection)
            return
        case .success(let found): command = found
        }
        let output = QueuedOutput()
        let started: UInt64? = lock.withLock {
            guard !stopping else { return nil }
            let number = nextConnection
            nextConnection += 1
            let box = UncheckedCommand(command: command)
            running[number] = Task { [directory, log] in
                let code: Int32
                do {
                    code = try await box.command.run(on: directory, output: output)
                } catch is CancellationError {
                    output.error("rondone: cancelled")
                    code = 1
                } catch {
                    output.error("rondone: \(error)")
                    code = 1
                }
                log("control socket: `\(box.command.commandLine)` finished with exit code \(code)")
                output.finish(code)
                self.lock.withLock { _ = self.running.removeValue(forKey: number) }
            }
            return number
        }
        guard let number = started else {
            _ = ControlSocket.send(
                ControlSocket.encode(ControlMessage(error: "rondone: the server is stopping")), to: connection
            )
            _ = ControlSocket.send(ControlSocket.encode(ControlMessage(exit: 1)), to: connection)
            return
        }
        log("control socket: running `\(command.commandLine)`")
        while true {
            let (messages, finished) = output.take(waiting: 0.1)
            for message in messages where !ControlSocket.send(ControlSocket.encode(message), to: connection) {
                abandon(number, output, command)
                return
            }
            if finished { return }
            if Self.peerClosed(connection) {
                abandon(number, output, command)
                return
            }
        }
    }

    /// The client of command `number` went away: its output is dropped and it is
    /// cancelled (it stops at its next cancellation check and cleans up).
    private func abandon(_ number: UInt64, _ output: QueuedOutput, _ command: any DirectoryMaintenanceCommand)
    {
        log("control socket: the client of `\(command.commandLine)` went away; cancelling it")
        output.abandon()
        lock.withLock { running[number] }?.cancel()
    }

    /// A refusal: what to tell the client, and the exit code.
    struct Refusal: Error {
        var message: String
        var code: Int32
    }

    /// One request line (at most ``ControlSocket/maximumRequestBytes``).
    static func readRequest(_ connection: Int32) -> Result<ControlRequest, Refusal> {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !bytes.contains(UInt8(ascii: "\n")) {
            guard bytes.count <= ControlSocket.maximumRequestBytes else {
                return .failure(Refusal(message: "rondone: control request too long", code: 2))
            }
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                return .failure(Refusal(message: "rondone: incomplete control request (no newline)", code: 2))
            }
            bytes += chunk[0..<count]
        }
        let line = bytes[..<bytes.firstIndex(of: UInt8(ascii: "\n"))!]
        guard let request = try? JSONDecoder().decode(ControlRequest.self, from: Data(line)) else {
            return .failure(
                Refusal(
                    message:
                        "rondone: not a control request: expected one JSON line {\"arguments\": [...], \"workingDirectory\": \"...\"}",
                    code: 2))
        }
        return .success(request)
    }

    /// The maintenance command the request names, parsed as the command line would;
    /// anything else is refused.
    static func command(for request: ControlRequest) -> Result<any DirectoryMaintenanceCommand, Refusal> {
        let name = request.arguments.first ?? ""
        let parsed: any ParsableCommand
        do {
            parsed = try Rondone.parseAsRoot(request.arguments)
        } catch {
            let code = Rondone.exitCode(for: error).rawValue
            return .failure(Refusal(message: Rondone.fullMessage(for: error), code: code == 0 ? 2 : code))
        }
        guard var command = parsed as? any DirectoryMaintenanceCommand else {
            return .failure(
                Refusal(
                    message:
                        "rondone: `\(name)` does not run through the control socket; only maintenance commands that run while the server serves do",
                    code: 2))
        }
        guard command.runsWhileServing else {
            return .failure(
                Refusal(
                    message:
                        "rondone: `\(request.arguments.joined(separator: " "))` needs the data directory to itself; stop the server first",
                    code: 1))
        }
        if let resolving = command as? any ResolvesForwardedPaths,
            let resolved = resolving.resolvingPaths(against: request.workingDirectory)
                as? any DirectoryMaintenanceCommand
        {
            command = resolved
        }
        return .success(command)
    }

    /// Whether the client closed its end (or reset it).
    private static func peerClosed(_ connection: Int32) -> Bool {
        var poll = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
        guard Glibc.poll(&poll, 1, 0) > 0 else { return false }
        if poll.revents & (Int16(POLLHUP) | Int16(POLLERR)) != 0 { return true }
        var byte: UInt8 = 0
        return recv(connection, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) == 0
    }
}

/// A parsed command handed to the task that runs it (commands are plain values).
private struct UncheckedCommand: @unchecked Sendable {
    let command: any DirectoryMaintenanceCommand
}

extension DirectoryMaintenanceCommand {
    /// The command's name, for the server's log.
    var commandLine: String { Self.configuration.commandName ?? "\(Self.self)" }
}

/// A ``MaintenanceOutput`` that queues messages for a connection's thread to send:
/// successive progress updates are folded into the latest, so a slow client never
/// holds the command back; once the client is gone what it reports is dropped.
final class QueuedOutput: MaintenanceOutput, @unchecked Sendable {
    // @unchecked: guarded by `condition`.
    private let condition = NSCondition()
    private var queue: [ControlMessage] = []
    private var finished = false
    private var abandoned = false

    func progress(step: String, done: Int, total: Int) {
        enqueue(.progress(step, done, total), replacingProgress: true)
    }

    func line(_ text: String) {
        enqueue(ControlMessage(line: text))
    }

    func error(_ text: String) {
        enqueue(ControlMessage(error: text))
    }

    /// The last message: the exit code.
    func finish(_ code: Int32) {
        enqueue(ControlMessage(exit: code), finishing: true)
    }

    /// The client is gone: drop what comes and cancel the command.
    func abandon() {
        condition.withLock {
            abandoned = true
            queue.removeAll()
        }
    }

    /// What is queued (waiting up to `seconds` for something), and whether the exit
    /// code is among it.
    func take(waiting seconds: Double) -> ([ControlMessage], Bool) {
        condition.withLock {
            if queue.isEmpty && !finished { _ = condition.wait(until: Date(timeIntervalSinceNow: seconds)) }
            defer { queue.removeAll() }
            return (queue, finished)
        }
    }

    private func enqueue(_ message: ControlMessage, replacingProgress: Bool = false, finishing: Bool = false)
    {
        condition.withLock {
            guard !abandoned else { return }
            if finishing { finished = true }
            if replacingProgress, let last = queue.last, last.progress != nil {
                queue[queue.count - 1] = message
            } else {
                queue.append(message)
            }
            condition.broadcast()
        }
    }
}

extension ControlSocketServer {
    /// The control socket of the embedded default's data directory, or nil (a
    /// scaled-out deployment, or a socket that cannot be set up: then maintenance
    /// needs the server stopped, which the log says).
    static func start(for backends: Backends, logger: Logger) -> ControlSocketServer? {
        guard let directory = backends.dataDirectory else { return nil }
        do {
            let server = try ControlSocketServer(directory: directory) { message in
                logger.info("\(message)", metadata: ["component": "control"])
            }
            logger.info("maintenance commands on \(server.path)", metadata: ["component": "control"])
            return server
        } catch {
            logger.warning(
                "no control socket, maintenance commands need the server stopped: \(error)",
                metadata: ["component": "control"])
            return nil
        }
    }
}
