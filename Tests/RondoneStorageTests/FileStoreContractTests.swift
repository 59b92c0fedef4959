import RondoneStorage
import Testing

/// The shared driver contracts, run against the file drivers.
@Suite struct FileStoreContractTests {
    static let incoming = IncomingStoreContract(
        makeStore: { sacks in
            try FileIncomingStore(directory: TestDirectory("incoming").path, options: .init(sacks: sacks))
        },
        dispose: { store in
            let store = store as! FileIncomingStore
            store.close()
            TestDirectory.remove(store.directory)
        })

    static let aggregate = AggregateStoreContract(
        makeStore: { try FileAggregateStore(directory: TestDirectory("aggregate").path) },
        dispose: { store in
            let store = store as! FileAggregateStore
            store.close()
            TestDirectory.remove(store.directory)
        })

    @Test(arguments: IncomingStoreContract.Check.allCases)
    func incomingContract(_ check: IncomingStoreContract.Check) async throws {
        try await Self.incoming.run(check)
    }

    @Test(arguments: AggregateStoreContract.Check.allCases)
    func aggregateContract(_ check: AggregateStoreContract.Check) async throws {
        try await Self.aggregate.run(check)
    }
}
