import ArgumentParser
import Logging
import RondoneProcessing
import RondoneServer

/// `rondone metricd`: the processing workers and the janitor alone — on a data
/// directory no other process holds, or, given the URLs of a scaled-out deployment, as
/// one member among any number on other machines (docs/SCALEOUT.md).
struct MetricdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metricd",
        abstract: "Run only the processing workers that aggregate waiting measures."
    )

    @OptionGroup var storage: StorageOptions

    func run() async throws {
        let logger = Logger(label: "rondone.metricd")
        let backends = try await storage.open(logger: logger)
        let metricd = backends.metricd(log: { print("metricd: \($0)") })
        let janitor = backends.janitor(log: { print("janitor: \($0)") })
        let workers = storage.workers ?? Metricd.defaultWorkerCount
        try await metricd.start(workers: workers)
        await janitor.start()
        print("rondone metricd: \(workers) workers on \(backends.location)")
        let signal = await ShutdownSignal.wait()
        print("rondone metricd: \(signal), stopping")
        await janitor.stop()
        print("rondone metricd: janitor stopped")
        await metricd.stop()
        print("rondone metricd: workers stopped")
        await backends.close()
    }
}
