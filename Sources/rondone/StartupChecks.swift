extension APIOptions {
    /// Stops the command with one sentence when the --web-config file is missing or
    /// unreadable (its TLS certificate and key are checked when it is loaded).
    func checkFiles() throws {
        if let webConfig, let failure = StartupFailure.unreadableFile(webConfig, option: "web-config") {
            throw failure
        }
    }
}

extension StorageOptions {
    /// Stops the command with one sentence when the data directory cannot be used (a
    /// file in its place, no permission); nothing to check for a deployment's URLs.
    func checkDataDirectory() throws {
        guard deployment.indexerURL == nil, let failure = StartupFailure.unusableDataDirectory(dataDir) else {
            return
        }
        throw failure
    }
}
