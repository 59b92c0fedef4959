/// Turns a configuration file and `RONDONE_*` environment variables into command-line
/// arguments placed before the user's own, so the command line wins over the
/// environment, which wins over the file (ArgumentParser keeps an option's last value).
///
/// The file holds `option = value` lines with long option names (`port = 8041`,
/// `proxy-headers = true`); `#` starts a comment. Only the settings of `serve`,
/// `metricd` and `statsd` are read this way; other `RONDONE_*` variables are left alone.
enum SettingSources {
    /// Settings that take a value, by long option name.
    static let options: Set<String> = [
        "data-dir", "sacks", "workers", "host", "port", "max-limit", "auth-mode", "cors-allowed-origin",
        "max-body-size", "log-level", "web-config", "statsd-host", "statsd-port", "statsd-resource-id",
        "statsd-creator",
        "statsd-archive-policy-name", "statsd-flush-delay", "url", "indexer-url", "storage-url",
        "incoming-url",
        "coordination-url",
    ]
    /// The settings of the backends, which every command but `statsd` takes (and
    /// `metricd` and `upgrade` take alone).
    static let backendSettings: Set<String> = [
        "data-dir", "sacks", "workers", "no-default-archive-policies", "indexer-url", "storage-url",
        "incoming-url", "coordination-url",
    ]
    /// Settings that are flags: `true`/`yes`/`1` sets them.
    static let flags: Set<String> = [
        "no-default-archive-policies", "proxy-headers", "statsd-gauge-deltas", "strict-isolation",
    ]

    /// Whether `command` takes `setting`: one file or environment may hold the settings of
    /// every command, each command reads its own (`statsd` its listener's, `--url` and
    /// `--log-level`; `serve` all but `--url`; `api` none of the listener's; `metricd`
    /// and `upgrade` only the backends'; `migrate` only the deployment's URLs and sacks,
    /// its source being `--from-data-dir`; the maintenance commands `fsck`, `gc`,
    /// `backup` and `restore` the data directory and the deployment's URLs, `dump` only
    /// `--data-dir`).
    static func accepts(_ command: String, _ setting: String) -> Bool {
        let listener = setting.hasPrefix("statsd-")
        switch command {
        case "statsd": return listener || setting == "url" || setting == "log-level"
        case "serve": return setting != "url"
        case "api": return !listener && setting != "url"
        case "migrate": return setting.hasSuffix("-url") || setting == "sacks"
        case "fsck", "gc", "backup", "restore":
            return setting == "data-dir" || (setting.hasSuffix("-url") && setting != "url")
        case "dump": return setting == "data-dir"
        default: return backendSettings.contains(setting)
        }
    }

    /// A problem in the configuration file, reported with its line.
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    /// The full argument list for `arguments` (without the program name).
    static func expand(
        _ arguments: [String], environment: [String: String], readFile: (String) throws -> String
    ) throws -> [String] {
        guard let command = arguments.first,
            [
                "serve", "api", "metricd", "statsd", "upgrade", "migrate", "fsck", "gc", "backup", "restore",
                "dump",
            ]
            .contains(command)
        else {
            return arguments
        }
        var rest = Array(arguments.dropFirst())
        var configPath = environment["RONDONE_CONFIG"]
        if let index = rest.firstIndex(of: "--config") {
            guard index + 1 < rest.count else { throw Problem(description: "--config needs a file name") }
            configPath = rest[index + 1]
            rest.removeSubrange(index...(index + 1))
        } else if let index = rest.firstIndex(where: { $0.hasPrefix("--config=") }) {
            configPath = String(rest[index].dropFirst("--config=".count))
            rest.remove(at: index)
        }
        var settings: [(String, String)] = []
        if let configPath {
            settings += try parseFile(try readFile(configPath), path: configPath)
        }
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix("RONDONE_") {
            let option = name.dropFirst("RONDONE_".count).lowercased().replacingOccurrences(
                of: "_", with: "-")
            if options.contains(option) || flags.contains(option) { settings.append((option, value)) }
        }
        var expanded = [command]
        for (option, value) in settings where accepts(command, option) {
            if flags.contains(option) {
                if ["true", "yes", "1", "on"].contains(value.lowercased()) { expanded.append("--" + option) }
            } else {
                expanded += ["--" + option, value]
            }
        }
        return expanded + rest
    }

    static func parseFile(_ text: String, path: String) throws -> [(String, String)] {
        var settings: [(String, String)] = []
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line =
                rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let parts = trimmed.split(separator: "=", maxSplits: 1).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard parts.count == 2, options.contains(parts[0]) || flags.contains(parts[0]) else {
                throw Problem(
                    description: "\(path):\(number + 1): not a known `option = value` setting: \(trimmed)")
            }
            settings.append((parts[0], parts[1]))
        }
        return settings
    }
}
