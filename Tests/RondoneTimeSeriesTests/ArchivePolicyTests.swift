import Testing

@testable import RondoneTimeSeries

/// Policy-level validation; expected values from Gnocchi 4.7 (venv and real server).
@Suite struct ArchivePolicyTests {
    static func item(_ points: Int, _ seconds: Double) throws -> ArchivePolicyItem {
        try ArchivePolicyItem(granularitySeconds: seconds, points: points)
    }

    static func names(_ set: Set<Aggregation>) -> [String] { set.map(\.name).sorted() }

    @Test func duplicateGranularityMessagesFormatSecondsLikePython() throws {
        let cases: [([(Int, Double)], String)] = [
            ([(10, 1.0), (20, 1.0)], "More than one archive policy uses granularity `1.0'"),
            (
                [(10, 60.0), (10, 0.5), (3, 0.5), (5, 60.0)],
                "More than one archive policy uses granularity `60.0'"
            ),
            ([(1, 1e-9), (2, 1e-9)], "More than one archive policy uses granularity `1e-09'"),
        ]
        for (definition, message) in cases {
            let items = try definition.map { try Self.item($0.0, $0.1) }
            #expect(throws: ArchivePolicyError.self) { try ArchivePolicy(name: "x", definition: items) }
            do {
                _ = try ArchivePolicy(name: "x", definition: items)
            } catch {
                #expect(error.message == message)
            }
        }
    }

    @Test func aggregationMethodsResolveLikeGnocchi() throws {
        func resolve(_ names: [String]) throws -> [String] {
            Self.names(try ArchivePolicy.resolveAggregationMethods(names))
        }
        // Gnocchi gives ['-max', 'mean']: Rondone drops the literal '-max' (see doc).
        #expect(try resolve(["mean", "-max"]) == ["mean"])
        #expect(
            try resolve(["-mean", "+rate:last", "+95pct"]) == [
                "95pct", "count", "max", "min", "rate:last", "std", "sum",
            ])
        #expect(try ArchivePolicy.resolveAggregationMethods(["*", "-mean", "-rate:mean"]).count == 214)
        #expect(try resolve([]) == ["count", "max", "mean", "min", "std", "sum"])
        #expect(try resolve(["last"]) == ["last"])
        // As the real server answered for ["-mean", "+rate:last"].
        #expect(try resolve(["-mean", "+rate:last"]) == ["count", "max", "min", "rate:last", "std", "sum"])
    }

    @Test func invalidAggregationMethodsAreNamed() {
        do {
            _ = try ArchivePolicy.resolveAggregationMethods(["foo", "bar's", "-x", "mean"])
            Issue.record("accepted invalid methods")
        } catch {
            // Gnocchi prints a Python set (hash order); Rondone sorts it.
            #expect(error.message == "Invalid value for aggregation_methods: {'-x', \"bar's\", 'foo'}")
        }
    }

    @Test func schemaRulesOfTheRestLayer() throws {
        let items = [try Self.item(10, 1)]
        #expect(
            throws: ArchivePolicyError.invalidInput(
                reason: "value must be at least 0 for dictionary value @ data['back_window']",
                detail: ["back_window"])
        ) {
            try ArchivePolicy(name: "x", backWindow: -1, definition: items)
        }
        #expect(
            throws: ArchivePolicyError.invalidInput(
                reason: "length of value must be at least 1 for dictionary value @ data['definition']",
                detail: ["definition"])
        ) {
            try ArchivePolicy(name: "x", definition: [])
        }
        // No rule on names (the real server accepted "" and "a/b").
        #expect(try ArchivePolicy(name: "", definition: items).name == "")
    }

    @Test func defaultsEqualGnocchisDefaultArchivePolicies() throws {
        let standard = ["count", "max", "mean", "min", "std", "sum"]
        let expected: [(String, Int, [String], [(Int64, Int, Int64)])] = [
            ("bool", 3600, ["last"], [(1_000_000_000, 31_536_000, 31_536_000_000_000_000)]),
            ("low", 0, standard, [(300_000_000_000, 8640, 2_592_000_000_000_000)]),
            (
                "medium", 0, standard,
                [
                    (60_000_000_000, 10080, 604_800_000_000_000),
                    (3_600_000_000_000, 8760, 31_536_000_000_000_000),
                ]
            ),
            (
                "high", 0, standard,
                [
                    (1_000_000_000, 3600, 3_600_000_000_000), (60_000_000_000, 10080, 604_800_000_000_000),
                    (3_600_000_000_000, 8760, 31_536_000_000_000_000),
                ]
            ),
        ]
        let policies = ArchivePolicy.defaultPolicies
        #expect(policies.count == expected.count)
        for (policy, (name, backWindow, methods, items)) in zip(policies, expected) {
            #expect(policy.name == name)
            #expect(policy.backWindow == backWindow)
            #expect(Self.names(policy.aggregationMethods) == methods)
            #expect(policy.definition.map(\.granularity.nanoseconds) == items.map(\.0))
            #expect(policy.definition.map(\.points) == items.map(\.1))
            #expect(policy.definition.map(\.timespan?.nanoseconds) == items.map(\.2))
        }
        #expect(policies[3].maxBlockSize == .hours(1))
        #expect(policies[0].bufferBackWindow == 3600)
    }

    @Test func rateMethodsWidenTheBufferBackWindow() throws {
        let policy = try ArchivePolicy(
            name: "x", backWindow: 2, definition: [try Self.item(5, 60), try Self.item(5, 1)],
            aggregationMethods: ["rate:mean"])
        #expect(policy.bufferBackWindow == 3)
        #expect(policy.maxBlockSize == .minutes(1))
        #expect(policy.aggregations.map(\.granularity) == [.seconds(1), .minutes(1)])
    }

    @Test func definitionChangesFollowGnocchisRules() throws {
        let policy = try ArchivePolicy(name: "p", definition: [try Self.item(10, 60), try Self.item(10, 1)])
        // Messages as returned by the real server for the same PATCH bodies.
        #expect(
            throws: ArchivePolicyError.unsupportedChange(
                policy: "p", reason: "Cannot add or drop granularities")
        ) {
            try policy.updating(definition: [try Self.item(10, 1)])
        }
        do {
            _ = try policy.updating(definition: [try Self.item(10, 2), try Self.item(10, 60)])
            Issue.record("accepted a changed granularity")
        } catch {
            #expect(
                (error as? ArchivePolicyError)?.message
                    == "Archive policy p does not support change: 1.0 granularity interval was changed")
        }
        do {
            _ = try policy.updating(definition: [try Self.item(10, 1), try Self.item(10, 1)])
            Issue.record("accepted a duplicate granularity")
        } catch {
            #expect(
                (error as? ArchivePolicyError)?.message
                    == "Archive policy p does not support change: 60.0 granularity interval was changed")
        }
        let updated = try policy.updating(
            definition: [try Self.item(99, 60), try Self.item(7, 1)], backWindow: 4)
        #expect(updated.definition.map(\.points) == [99, 7])
        #expect(updated.backWindow == 4)
        #expect(updated.aggregationMethods == policy.aggregationMethods)
        #expect(!policy.backWindowShrinks(to: nil))
        #expect(updated.backWindowShrinks(to: 2))
        #expect(!updated.backWindowShrinks(to: 0))
    }
}
