import RondoneIndexer
import RondoneTesting
import RondoneTimeSeries
import Testing

extension IndexerChecks {
    /// Four `instance` resources, by letter: `a` (alpha, flavor 1, p1, lived 100 s),
    /// `b` (Beta, flavor 2, p2, not ended), `c` (gamma_1, no flavor, no project, lived
    /// 4500 s), `d` (ga%ma*[x], flavor 4, created by `admin`, without a `:`).
    func searchFixture() async throws -> [String: ResourceID] {
        try await indexer.createResourceType(Self.instanceType)
        var random = random
        var ids: [String: ResourceID] = [:]
        func seconds(_ value: Int64) -> Timestamp { Timestamp(nanoseconds: value * 1_000_000_000) }
        let specs: [(String, String, Double?, String, String?, Int64, Int64?)] = [
            ("a", "alpha", 1, "u1:p1", "p1", 100, 200), ("b", "Beta", 2, "u2:p2", "p2", 300, nil),
            ("c", "gamma_1", nil, "u1:p2", nil, 500, 5000), ("d", "ga%ma*[x]", 4, "admin", nil, 700, nil),
        ]
        for (letter, host, flavor, creator, project, start, end) in specs {
            let id = random.resourceID()
            ids[letter] = id
            try await makeInstance(
                id, host: host, flavor: flavor, creator: creator, projectID: project,
                startedAt: seconds(start),
                endedAt: end.map(seconds))
        }
        return ids
    }

    /// The letters of the resources `filter` finds among ``searchFixture()``'s.
    func found(_ filter: ResourceFilter?, _ ids: [String: ResourceID], type: String = "instance") async throws
        -> Set<String>
    {
        let names = Dictionary(uniqueKeysWithValues: ids.map { ($0.value, $0.key) })
        let resources = try await indexer.resources(ResourceQuery(type: type, filter: filter))
        return Set(resources.map { names[$0.id] ?? "?" })
    }

    func searchOperators() async throws {
        let ids = try await searchFixture()
        let flavor = "flavor"
        let cases: [(ResourceFilter?, Set<String>)] = [
            (nil, ["a", "b", "c", "d"]),
            (.compare(attribute: "host", .eq, .string("alpha")), ["a"]),
            (.compare(attribute: flavor, .eq, .number(2)), ["b"]),
            (.compare(attribute: flavor, .eq, .string("2")), ["b"]),
            (.compare(attribute: flavor, .lt, .number(2)), ["a"]),
            (.compare(attribute: flavor, .le, .number(2)), ["a", "b"]),
            (.compare(attribute: flavor, .gt, .number(2)), ["d"]),
            (.compare(attribute: flavor, .ge, .number(2)), ["b", "d"]),
            // != also matches nulls (Gnocchi: attr IS NULL OR attr != value).
            (.compare(attribute: flavor, .ne, .number(2)), ["a", "c", "d"]),
            (.compare(attribute: flavor, .eq, .null), ["c"]),
            (.compare(attribute: flavor, .ne, .null), ["a", "b", "d"]),
            (.compare(attribute: flavor, .lt, .null), []),
            (.in(attribute: flavor, [.number(1), .number(4), .null]), ["a", "d"]),
            (.in(attribute: flavor, []), []),
            (.not(.in(attribute: flavor, [])), []),
            (.not(.compare(attribute: flavor, .eq, .number(1))), ["b", "d"]),
            (.and([]), ["a", "b", "c", "d"]),
            (.or([]), ["a", "b", "c", "d"]),
            (
                .and([
                    .compare(attribute: flavor, .ge, .number(1)),
                    .compare(attribute: "project_id", .eq, .string("p2")),
                ]), ["b"]
            ),
            (
                .or([
                    .compare(attribute: "host", .eq, .string("alpha")),
                    .compare(attribute: flavor, .eq, .number(4)),
                ]), ["a", "d"]
            ),
            (.compare(attribute: "id", .eq, .uuid(ids["c"]!.description)), ["c"]),
            (
                .in(attribute: "id", [.uuid(ids["a"]!.description), .uuid(ids["b"]!.description)]),
                ["a", "b"]
            ),
            (.compare(attribute: "started_at", .ge, .string("1970-01-01T00:05:00+00:00")), ["b", "c", "d"]),
            (.compare(attribute: "started_at", .lt, .number(500)), ["a", "b"]),
            (.compare(attribute: "ended_at", .eq, .null), ["b", "d"]),
            (.compare(attribute: "project_id", .eq, .string("p1")), ["a"]),
            (.compare(attribute: "type", .eq, .string("instance")), ["a", "b", "c", "d"]),
            (.compare(attribute: "new-optional-bool", .eq, .null), ["a", "b", "c", "d"]),
            // lifespan: ended_at - started_at; unended resources have none, but match !=.
            (.lifespan(.gt, seconds: 1000), ["c"]),
            (.lifespan(.le, seconds: 100), ["a"]),
            (.lifespan(.ne, seconds: 100), ["b", "c", "d"]),
            (.compare(attribute: "lifespan", .ge, .string("1 hour")), ["c"]),
            // created_by_*: the parts of `creator` around its first `:`.
            (.compare(attribute: "created_by_user_id", .eq, .string("u1")), ["a", "c"]),
            (.compare(attribute: "created_by_project_id", .eq, .string("p2")), ["b", "c"]),
            (.compare(attribute: "created_by_user_id", .ne, .string("u1")), ["b", "d"]),
            (
                .like(attribute: "created_by_project_id", pattern: "p%", caseInsensitive: false),
                ["a", "b", "c"]
            ),
            (.compare(attribute: "created_by_user_id", .eq, .string("admin")), []),
            (.visibleTo(project: "p2"), ["b", "c"]),
            (.visibleTo(project: "p1"), ["a"]),
        ]
        for (filter, expected) in cases {
            #expect(try await found(filter, ids) == expected, "\(String(describing: filter))")
        }
        // Common fields only through `generic`.
        #expect(
            try await found(.compare(attribute: "project_id", .eq, .string("p2")), ids, type: "generic") == [
                "b"
            ])
    }

    /// `like` is PostgreSQL's: case-sensitive, `%` and `_` wildcards, `\` escapes; GLOB's
    /// own metacharacters are plain characters. `ilike` ignores case.
    func searchLike() async throws {
        let ids = try await searchFixture()
        func like(_ pattern: String, insensitive: Bool = false) async throws -> Set<String> {
            try await found(.like(attribute: "host", pattern: pattern, caseInsensitive: insensitive), ids)
        }
        #expect(try await like("%a") == ["a", "b"])
        #expect(try await like("beta") == [])
        #expect(try await like("Beta") == ["b"])
        #expect(try await like("beta", insensitive: true) == ["b"])
        #expect(try await like("%A%", insensitive: true) == ["a", "b", "c", "d"])
        #expect(try await like("gamma__") == ["c"])
        #expect(try await like("gamma\\_1") == ["c"])
        #expect(try await like("gamma\\_%") == ["c"])
        #expect(try await like("ga\\%ma%") == ["d"])
        #expect(try await like("ga\\%ma\\*[x]") == ["d"])
        #expect(try await like("ga_ma*[x]") == ["d"])
        #expect(try await like("%[x]") == ["d"])
        #expect(try await like("%?%") == [])
        #expect(try await like("ga\\%ma%", insensitive: true) == ["d"])
        #expect(try await like("GA_MA\\*[X]", insensitive: true) == ["d"])
        #expect(try await like("%") == ["a", "b", "c", "d"])
        #expect(try await like("\\a\\lpha") == ["a"])
    }

    func searchErrors() async throws {
        _ = try await searchFixture()
        func refused(
            _ expected: IndexerError, _ filter: ResourceFilter, type: String = "instance",
            history: Bool = false
        )
            async
        {
            await expectIndexerError(expected) {
                _ = try await indexer.resources(ResourceQuery(type: type, history: history, filter: filter))
            }
        }
        await refused(
            .queryAttributeError(type: "instance", attribute: "nope"), .compare(attribute: "nope", .eq, .null)
        )
        await refused(
            .queryAttributeError(type: "generic", attribute: "host"),
            .compare(attribute: "host", .eq, .string("x")),
            type: "generic")
        await refused(
            .queryAttributeError(type: "instance", attribute: "revision"),
            .compare(attribute: "revision", .eq, .number(1)))
        await refused(
            .queryAttributeError(type: "instance", attribute: "revision_end"),
            .compare(attribute: "revision_end", .eq, .null))
        await refused(
            .queryAttributeError(type: "instance", attribute: "metrics"),
            .like(attribute: "metrics", pattern: "x", caseInsensitive: false))
        await refused(
            .queryValueError(value: "abc", field: "flavor"),
            .compare(attribute: "flavor", .eq, .string("abc")))
        await refused(
            .queryValueError(value: "not a time", field: "started_at"),
            .compare(attribute: "started_at", .ge, .string("not a time")))
        await refused(
            .queryValueError(value: "['1', 'x']", field: "flavor"),
            .in(attribute: "flavor", [.string("1"), .string("x")]))
        await refused(
            .queryValueError(value: "yes", field: "new-optional-bool"),
            .compare(attribute: "new-optional-bool", .eq, .string("yes")))
        await refused(
            .queryValueError(value: "u1", field: "created_by_user_id"),
            .compare(attribute: "created_by_user_id", .lt, .string("u1")))
        await refused(
            .queryValueError(value: "['p1']", field: "created_by_project_id"),
            .in(attribute: "created_by_project_id", [.string("p1")]))
        await refused(
            .queryValueError(value: "1.5", field: "revision"),
            .compare(attribute: "revision", .eq, .string("1.5")), history: true)
        await refused(.queryValueError(value: "x", field: "id"), .compare(attribute: "id", .eq, .string("x")))
        #expect(
            IndexerError.queryAttributeError(type: "instance", attribute: "nope").message
                == "Resource type instance has no nope attribute")
        #expect(
            IndexerError.queryValueError(value: "abc", field: "flavor").message
                == "Invalid value: `abc' for field `flavor'")
        // A number given for a string attribute compares as Python's str() of it.
        #expect(
            try await indexer.resources(
                ResourceQuery(type: "instance", filter: .compare(attribute: "host", .eq, .number(1)))
            ).isEmpty)
    }

    /// History searches see every revision of each resource, with the attribute values
    /// it had; `revision_start` and `revision_end` select revisions.
    func searchHistory() async throws {
        let ids = try await searchFixture()
        let a = ids["a"]!
        var change = ResourceUpdate()
        change.attributes = ["flavor": .number(10)]
        let updated = try await indexer.updateResource(a, type: "instance", change)
        func revisions(_ filter: ResourceFilter) async throws -> [(Int64, AttributeValue?)] {
            try await indexer.resources(
                ResourceQuery(
                    type: "instance", history: true, filter: filter, sorts: [ResourceSort(.revision)])
            ).map { ($0.revision, $0.attributes["flavor"]) }
        }
        let byFlavor = try await revisions(.compare(attribute: "flavor", .eq, .number(1)))
        #expect(byFlavor.map(\.0) == [1] && byFlavor.first?.1 == .number(1))
        #expect(try await revisions(.compare(attribute: "flavor", .ge, .number(4))).map(\.0) == [-1, -1])
        #expect(try await revisions(.compare(attribute: "revision_end", .eq, .null)).count == 4)
        let old = try await revisions(
            .compare(attribute: "revision_end", .le, .datetime(updated.revisionStart)))
        #expect(old.map(\.0) == [1])
        let recent = try await revisions(
            .and([
                .compare(attribute: "id", .eq, .uuid(a.description)),
                .compare(attribute: "revision_start", .ge, .datetime(updated.revisionStart)),
            ]))
        #expect(recent.map(\.0) == [-1])
        #expect(try await revisions(.compare(attribute: "revision", .gt, .number(0))).map(\.0) == [1])
        // Without history only current rows.
        #expect(try await found(.compare(attribute: "flavor", .eq, .number(1)), ids) == [])
        // Through generic, history rows have no attributes unless details are asked.
        let generic = try await indexer.resources(
            ResourceQuery(
                history: true, filter: .compare(attribute: "id", .eq, .uuid(a.description)), details: true,
                sorts: [ResourceSort(.revision)]))
        #expect(generic.map { $0.attributes["flavor"] } == [.number(10), .number(1)])
    }

    /// Sorting on a custom attribute (nulls last ascending), paging with markers over
    /// it, and the refused keys.
    func searchSortAndPages() async throws {
        let ids = try await searchFixture()
        let names = Dictionary(uniqueKeysWithValues: ids.map { ($0.value, $0.key) })
        let flavor = ResourceAttribute(rawValue: "flavor")
        func letters(_ sorts: [ResourceSort], limit: Int? = nil, marker: String? = nil, history: Bool = false)
            async throws -> [String]
        {
            try await indexer.resources(
                ResourceQuery(type: "instance", history: history, sorts: sorts, limit: limit, marker: marker)
            ).map { names[$0.id]! }
        }
        #expect(try await letters([ResourceSort(flavor)]) == ["a", "b", "d", "c"])
        #expect(try await letters([ResourceSort(flavor, .descending)]) == ["c", "d", "b", "a"])
        #expect(try await letters([ResourceSort(.init(rawValue: "host"))]) == ["b", "a", "d", "c"])
        var pages: [String] = []
        var marker: String?
        while true {
            let page = try await letters(
                [ResourceSort(.init(rawValue: "host"), .descending)], limit: 1, marker: marker)
            pages += page
            guard let last = page.last else { break }
            marker = ids[last]!.description
        }
        #expect(pages == ["c", "d", "a", "b"])
        #expect(
            try await letters([ResourceSort(flavor)], limit: 2, marker: ids["a"]!.description) == ["b", "d"])
        #expect(
            try await letters([ResourceSort(flavor)], limit: 2, marker: "\(ids["a"]!)@-1", history: true) == [
                "b", "d",
            ])
        await expectIndexerError(.invalidPagination("Sort key supplied is invalid: nope")) {
            _ = try await letters([ResourceSort(.init(rawValue: "nope"))])
        }
        await expectIndexerError(.invalidPagination("Sort key supplied is invalid: flavor")) {
            _ = try await indexer.resources(ResourceQuery(sorts: [ResourceSort(flavor)]))
        }
        await expectIndexerError(.invalidPagination("Sort key supplied is invalid: created_by_project_id")) {
            _ = try await letters([ResourceSort(.init(rawValue: "created_by_project_id"))])
        }
    }

    func batchDelete() async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        let ids = try await searchFixture()
        var random = random
        for _ in 0..<16 { _ = random.next() }  // past the fixture's ids
        let metric = random.metricID()
        var attach = ResourceUpdate()
        attach.metrics = [("cpu", .new(id: metric, archivePolicyName: "low", unit: nil))]
        _ = try await indexer.updateResource(ids["b"]!, type: "instance", attach)
        var change = ResourceUpdate()
        change.attributes = ["flavor": .number(3)]
        _ = try await indexer.updateResource(ids["b"]!, type: "instance", change)
        let generic = random.resourceID()
        try await makeResource(generic)
        await expectIndexerError(.queryAttributeError(type: "instance", attribute: "nope")) {
            _ = try await indexer.deleteResources(
                type: "instance", matching: .compare(attribute: "nope", .eq, .null))
        }
        #expect(
            try await indexer.deleteResources(
                type: "instance", matching: .compare(attribute: "flavor", .ge, .number(3))) == 2)
        #expect(try await found(nil, ids) == ["a", "c"])
        #expect(try await indexer.metric(metric) == nil)
        #expect(try await indexer.metricsPendingDeletion(limit: 10) == [metric])
        #expect(try await indexer.resources(ResourceQuery(type: "instance", history: true)).count == 2)
        #expect(
            try await indexer.deleteResources(
                type: "generic", matching: .compare(attribute: "project_id", .eq, .string("p1"))) == 1)
        #expect(try await indexer.deleteResources(type: "instance", matching: nil) == 1)
        #expect(try await indexer.resources(ResourceQuery()).map(\.id) == [generic])
        await expectIndexerError(.noSuchResourceType("nope")) {
            _ = try await indexer.deleteResources(type: "nope", matching: nil)
        }
    }
}
