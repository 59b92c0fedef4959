import Testing

@testable import rondone

/// `--config FILE` and `RONDONE_*` become arguments ahead of the user's own, so the
/// command line wins over the environment, which wins over the file.
@Suite struct SettingSourcesTests {
    static let file = """
        # a comment
        port = 9000
        max-limit = 7   # trailing comment
        proxy-headers = true
        no-default-archive-policies = false
        """

    @Test func fileThenEnvironmentThenCommandLine() throws {
        let arguments = try SettingSources.expand(
            ["serve", "--config", "/etc/rondone.conf", "--port", "8041"],
            environment: ["RONDONE_MAX_LIMIT": "9", "RONDONE_BIN": "/ignored", "HOME": "/root"],
            readFile: { path in
                #expect(path == "/etc/rondone.conf")
                return Self.file
            })
        #expect(
            arguments == [
                "serve", "--port", "9000", "--max-limit", "7", "--proxy-headers", "--max-limit", "9",
                "--port",
                "8041",
            ])
    }

    @Test func environmentNamesTheConfigFileToo() throws {
        let arguments = try SettingSources.expand(
            ["metricd"], environment: ["RONDONE_CONFIG": "/c", "RONDONE_WORKERS": "3"],
            readFile: { _ in "data-dir = /var/lib/rondone" })
        #expect(arguments == ["metricd", "--data-dir", "/var/lib/rondone", "--workers", "3"])
    }

    @Test func maintenanceTakesTheDeploymentURLsButNotTheListener() throws {
        let environment = [
            "RONDONE_INDEXER_URL": "postgresql://u@h/db", "RONDONE_STORAGE_URL": "s3://b",
            "RONDONE_PORT": "1", "RONDONE_SACKS": "64",
        ]
        let fsck = try SettingSources.expand(["fsck"], environment: environment, readFile: { _ in "" })
        #expect(fsck == ["fsck", "--indexer-url", "postgresql://u@h/db", "--storage-url", "s3://b"])
        let dump = try SettingSources.expand(["dump"], environment: environment, readFile: { _ in "" })
        #expect(dump == ["dump"])
    }

    @Test func otherCommandsAreLeftAlone() throws {
        let arguments = try SettingSources.expand(
            ["--version"], environment: ["RONDONE_PORT": "1"], readFile: { _ in "" })
        #expect(arguments == ["--version"])
    }

    @Test(arguments: ["colour = blue", "port 8041", "= 3"])
    func unknownOrMalformedLinesAreRefusedWithTheirLine(line: String) {
        let problem = #expect(throws: SettingSources.Problem.self) {
            try SettingSources.expand(
                ["serve", "--config=/f"], environment: [:], readFile: { _ in "port = 1\n" + line })
        }
        #expect(problem?.description.hasPrefix("/f:2: ") == true)
    }

    /// One file for every command: each reads the settings it takes.
    @Test func statsdSettingsGoToTheCommandsThatTakeThem() throws {
        let file = "port = 9000\nstatsd-port = 8125\nstatsd-gauge-deltas = yes\nurl = http://h:8041\n"
        let environment = ["RONDONE_STATSD_RESOURCE_ID": "0a7a15ff-aa13-4ac2-897c-9bdf30ce175b"]
        let statsd = try SettingSources.expand(
            ["statsd", "--config", "/f"], environment: environment, readFile: { _ in file })
        #expect(
            statsd == [
                "statsd", "--statsd-port", "8125", "--statsd-gauge-deltas", "--url", "http://h:8041",
                "--statsd-resource-id", "0a7a15ff-aa13-4ac2-897c-9bdf30ce175b",
            ])
        let serve = try SettingSources.expand(
            ["serve", "--config", "/f"], environment: environment, readFile: { _ in file })
        #expect(
            serve == [
                "serve", "--port", "9000", "--statsd-port", "8125", "--statsd-gauge-deltas",
                "--statsd-resource-id", "0a7a15ff-aa13-4ac2-897c-9bdf30ce175b",
            ])
        let metricd = try SettingSources.expand(
            ["metricd", "--config", "/f"], environment: environment, readFile: { _ in file })
        // metricd has no API options: a file shared with `serve` must not break it.
        #expect(metricd == ["metricd"])
        let api = try SettingSources.expand(
            ["api", "--config", "/f"], environment: environment, readFile: { _ in file })
        #expect(api == ["api", "--port", "9000"])
    }

    @Test func scaleOutURLsGoToEveryCommandButStatsd() throws {
        let environment = [
            "RONDONE_INDEXER_URL": "postgresql://r@db/rondone", "RONDONE_STORAGE_URL": "s3://b",
            "RONDONE_PORT": "9000",
        ]
        for command in ["serve", "api", "metricd", "upgrade", "migrate"] {
            let expanded = try SettingSources.expand(
                [command], environment: environment, readFile: { _ in "" })
            #expect(expanded.contains("--indexer-url") && expanded.contains("s3://b"), "\(command)")
            #expect(expanded.contains("--port") == ["serve", "api"].contains(command), "\(command)")
        }
        let statsd = try SettingSources.expand(["statsd"], environment: environment, readFile: { _ in "" })
        #expect(statsd == ["statsd"])
    }

    @Test func migrateTakesTheTargetButNotADataDirectory() throws {
        // Its source is --from-data-dir: a RONDONE_DATA_DIR meant for `serve` must not
        // reach it (it has no --data-dir), nor the settings of the processes.
        let environment = [
            "RONDONE_DATA_DIR": "/var/lib/rondone", "RONDONE_INDEXER_URL": "postgresql://r@db/rondone",
            "RONDONE_STORAGE_URL": "s3://b", "RONDONE_WORKERS": "4", "RONDONE_SACKS": "64",
        ]
        let expanded = try SettingSources.expand(
            ["migrate", "--from-data-dir", "/d"], environment: environment, readFile: { _ in "" })
        #expect(
            expanded == [
                "migrate", "--indexer-url", "postgresql://r@db/rondone", "--sacks", "64", "--storage-url",
                "s3://b",
                "--from-data-dir", "/d",
            ])
    }

    @Test func backupAndRestoreTakeTheDeploymentsURLs() throws {
        // `backup` and `restore` of a deployment read its URLs as every command does;
        // the processes' settings (workers, sacks, port) are not theirs.
        let environment = [
            "RONDONE_DATA_DIR": "/var/lib/rondone", "RONDONE_INDEXER_URL": "postgresql://r@db/rondone",
            "RONDONE_STORAGE_URL": "s3://b", "RONDONE_WORKERS": "4", "RONDONE_SACKS": "64",
        ]
        for command in ["backup", "restore"] {
            let expanded = try SettingSources.expand(
                [command, "/backups/b"], environment: environment, readFile: { _ in "" })
            #expect(
                expanded == [
                    command, "--data-dir", "/var/lib/rondone", "--indexer-url", "postgresql://r@db/rondone",
                    "--storage-url", "s3://b", "/backups/b",
                ])
        }
    }
}
