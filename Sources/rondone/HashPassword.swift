import ArgumentParser
import RondoneWebConfig

#if canImport(Glibc)
    import Glibc
#endif

/// `rondone hash-password`: prints the bcrypt hash of a password for the
/// `basic_auth_users:` of a web configuration file.
struct HashPassword: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash-password",
        abstract: "Print a bcrypt hash of a password, for basic_auth_users in --web-config.",
        discussion: """
            Reads the password from standard input: asked twice, without echo, on a terminal; \
            the first line otherwise (e.g. `echo -n secret | rondone hash-password`).
            """
    )

    @Option(help: "bcrypt cost (log2 of the rounds), 4…31; each step doubles the time of a check.")
    var cost: Int = 10

    func validate() throws {
        guard (4...31).contains(cost) else { throw ValidationError("--cost must be 4…31") }
    }

    func run() throws {
        let password: String
        if isatty(STDIN_FILENO) == 1 {
            let first = try Self.readHidden(prompt: "Password: ")
            let second = try Self.readHidden(prompt: "Again: ")
            guard first == second else { throw ValidationError("the two passwords differ") }
            password = first
        } else {
            password = readLine(strippingNewline: true) ?? ""
        }
        guard !password.isEmpty else { throw ValidationError("the password is empty") }
        print(WebConfig.hashPassword(password, cost: UInt8(cost)))
    }

    /// One line from the terminal with echo turned off.
    private static func readHidden(prompt: String) throws -> String {
        var standardError = StandardError()
        print(prompt, terminator: "", to: &standardError)
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet)
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved)
            print("", to: &standardError)
        }
        guard let line = readLine(strippingNewline: true) else { throw ExitCode.failure }
        return line
    }
}
