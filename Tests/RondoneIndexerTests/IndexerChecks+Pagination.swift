import RondoneIndexer
import RondoneTesting
import RondoneTimeSeries
import Testing

extension IndexerChecks {
    /// Random metrics, every name and unit present: listing whole equals the reference
    /// order, and paging through with every limit gives the same sequence.
    func metricListSortAndPages() async throws {
        try await indexer.createArchivePolicy(try policy("a"))
        try await indexer.createArchivePolicy(try policy("b"))
        var random = random
        var metrics: [Metric] = []
        let words = ["cpu", "mem", "Disk", "é", "cpu.util", "_x", "Z"]
        for _ in 0..<25 {
            let creation = MetricCreation(
                id: random.metricID(), creator: words[Int(random.next() % 3)],
                archivePolicyName: random.next() % 2 == 0 ? "a" : "b", name: words[Int(random.next() % 7)],
                unit: words[Int(random.next() % 4)])
            metrics.append(try await indexer.createMetric(creation))
        }
        let specs: [[String]] = [
            [], ["id:desc"], ["name:asc"], ["name:desc", "unit"], ["unit:asc", "name:desc", "id:desc"],
            ["archive_policy_name:desc", "creator:asc"], [" name :asc-nullsfirst"],
        ]
        for spec in specs {
            let sorts = try MetricSort.parseList(spec)
            let expected = metrics.sorted { reference($0, $1, sorts) }.map(\.id)
            #expect(try await indexer.metrics(MetricQuery(sorts: sorts)).map(\.id) == expected, "\(spec)")
            for limit in [1, 4, 7] {
                var pages: [MetricID] = []
                var marker: String? = nil
                while true {
                    let page = try await indexer.metrics(
                        MetricQuery(sorts: sorts, limit: limit, marker: marker))
                    pages += page.map(\.id)
                    guard page.count == limit, let last = page.last else { break }
                    marker = last.id.description
                }
                #expect(pages == expected, "\(spec) limit \(limit)")
            }
        }
    }

    /// Null placement: PostgreSQL's defaults, `-nullsfirst`/`-nullslast`, and oslo.db's
    /// marker quirk that skips null-valued rows after a non-null marker.
    func metricListNulls() async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        var random = random
        var ids: [String?: MetricID] = [:]
        for unit in ["b", nil, "a"] as [String?] {
            let id = random.metricID()
            ids[unit] = id
            try await indexer.createMetric(
                MetricCreation(id: id, creator: "x", archivePolicyName: "low", unit: unit))
        }
        func units(_ spec: String, limit: Int? = nil, after marker: String?? = nil) async throws -> [String?]
        {
            let query = MetricQuery(
                sorts: try MetricSort.parseList([spec]), limit: limit,
                marker: (marker ?? nil).map { ids[$0]!.description })
            return try await indexer.metrics(query).map(\.unit)
        }
        #expect(try await units("unit:asc") == ["a", "b", nil])
        #expect(try await units("unit:desc") == [nil, "b", "a"])
        #expect(try await units("unit:asc-nullsfirst") == [nil, "a", "b"])
        #expect(try await units("unit:desc-nullslast") == ["b", "a", nil])
        #expect(try await units("unit:asc", after: "a") == ["b"])  // oslo.db skips the null row
        #expect(try await units("unit:asc-nullslast", after: "b") == [nil])
        // A null marker value adds no condition on that key: only `id > marker` remains.
        let afterNull = ids.filter { $0.value > ids[nil]! }.count
        #expect(try await units("unit:desc", after: .some(nil)).count == afterNull)
    }

    func metricListErrors() async throws {
        try await indexer.createArchivePolicy(try policy("low"))
        var random = random
        let deleted = random.metricID()
        try await indexer.createMetric(MetricCreation(id: deleted, creator: "x", archivePolicyName: "low"))
        try await indexer.deleteMetric(deleted)
        for marker in ["abc", "00000000-0000-0000-0000-000000000000", deleted.description] {
            await expectIndexerError(.invalidPagination("Invalid marker: `\(marker)'")) {
                _ = try await indexer.metrics(MetricQuery(marker: marker))
            }
        }
        #expect(
            IndexerError.invalidPagination("Invalid marker: `x'").message
                == "Invalid pagination: `Invalid marker: `x''")
        #expect(throws: IndexerError.invalidPagination("Sort key supplied is invalid: foo")) {
            try MetricSort.parseList(["foo:asc"])
        }
        #expect(throws: IndexerError.invalidPagination("Sort key supplied is invalid: archive_policy")) {
            try MetricSort.parseList(["archive_policy"])
        }
        let direction = IndexerError.invalidPagination(
            "Unknown sort direction, must be one of: asc-nullsfirst, asc-nullslast, desc-nullsfirst, desc-nullslast"
        )
        for bad in ["name:up", "name:asc-nulls", "name:ASC", "name:-nullsfirst"] {
            #expect(throws: direction) { try MetricSort.parseList([bad]) }
        }
        #expect(try MetricSort.parseList(["name:"]) == [MetricSort(.name), MetricSort(.id)])
        #expect(try MetricSort.parseList(["id:desc"]) == [MetricSort(.id, .descending)])
        #expect(try MetricSort.parseList([]) == [MetricSort(.id)])
    }

    /// The order the indexer must produce: byte-wise text, nulls as PostgreSQL places them.
    func reference(_ lhs: Metric, _ rhs: Metric, _ sorts: [MetricSort]) -> Bool {
        for sort in sorts {
            let left = value(lhs, sort.attribute)
            let right = value(rhs, sort.attribute)
            if left == right { continue }
            let nullsFirst = sort.nulls.map { $0 == .first } ?? (sort.direction == .descending)
            guard let left else { return nullsFirst }
            guard let right else { return !nullsFirst }
            let less = left.lexicographicallyPrecedes(right)
            return sort.direction == .ascending ? less : !less
        }
        return false
    }

    private func value(_ metric: Metric, _ attribute: MetricAttribute) -> [UInt8]? {
        switch attribute {
        case .id: Array(metric.id.description.utf8)
        case .name: metric.name.map { Array($0.utf8) }
        case .unit: metric.unit.map { Array($0.utf8) }
        case .creator: metric.creator.map { Array($0.utf8) }
        case .archivePolicyName: Array(metric.archivePolicyName.utf8)
        case .resourceID: metric.resourceID.map { Array($0.description.utf8) }
        case .status: Array(metric.status.rawValue.utf8)
        case .needsRawDataTruncation, .lastMeasureTimestamp: nil
        }
    }
}
