import ArgumentParser
import RondoneProcessing
import RondoneServer

/// `rondone metricd`: only the processing workers, on a data directory no other
/// process holds (with the file drivers; shared drivers come with scale-out).
struct MetricdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metricd",
        abstract: "Run only the processing workers that aggregate waiting measures."
    )

    @OptionGroup var storage: StorageOptions

    func run() async throws {
        let backends = try await storage.open()
        let metricd = backends.metricd(log: { print("metricd: \($0)") })
        let workers = storage.workers ?? Metricd.defaultWorkerCount
        try await metricd.start(workers: workers)
        print("rondone metricd: \(workers) workers on \(backends.location)")
        let signal = await ShutdownSignal.wait()
        print("rondone metricd: \(signal), stopping")
        await metricd.stop()
        backends.close()
    }
}
