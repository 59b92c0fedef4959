import RondoneIndexer
import RondoneStorage
import RondoneTimeSeries

extension DataMigration {
    /// Policies, rules and custom resource types: created when missing, compared when
    /// present (a different definition under the same name stops the migration).
    func copyCatalog(_ counts: inout MigrationCounts) async throws {
        let indexer = target.indexer
        for policy in try await source.indexer.archivePolicies() {
            if let existing = try await indexer.archivePolicy(named: policy.name) {
                guard existing == policy else {
                    throw MigrationError(
                        "archive policy \(policy.name) exists in the target with another definition")
                }
            } else {
                try await indexer.createArchivePolicy(policy)
                counts.archivePolicies += 1
            }
        }
        for rule in try await source.indexer.archivePolicyRules() {
            if let existing = try await indexer.archivePolicyRule(named: rule.name) {
                guard existing == rule else {
                    throw MigrationError(
                        "archive policy rule \(rule.name) exists in the target with another definition")
                }
            } else {
                try await indexer.createArchivePolicyRule(rule)
                counts.archivePolicyRules += 1
            }
        }
        for type in try await source.indexer.resourceTypes() where type.name != ResourceType.generic {
            if let existing = try await indexer.resourceType(named: type.name) {
                guard existing.attributes == type.attributes else {
                    throw MigrationError(
                        "resource type \(type.name) exists in the target with other attributes")
                }
            } else {
                try await indexer.createResourceType(
                    ResourceType(name: type.name, attributes: type.attributes))
                counts.resourceTypes += 1
            }
        }
        progress(MigrationStep(name: "catalog", done: 1, total: 1))
    }

    /// Every resource with its history, in batches of one transaction each.
    func copyResources(_ counts: inout MigrationCounts) async throws {
        var batch: [[Resource]] = []
        var seen = 0
        func flush() async throws {
            let inserted = try await importer.importResources(batch)
            counts.resources += inserted.count
            counts.revisions += batch.filter { inserted.contains($0[0].id) }.reduce(0) { $0 + $1.count }
            seen += batch.count
            batch = []
            progress(MigrationStep(name: "resources", done: seen, total: 0))
        }
        try await source.forEachResource { revisions in
            batch.append(revisions)
            if batch.count >= MigrationSource.pageSize { try await flush() }
        }
        try await flush()
    }

    /// Every active metric (after the resources they are attached to); returns their ids.
    func copyMetrics(_ counts: inout MigrationCounts) async throws -> Set<MetricID> {
        let truncating = Set(try await source.indexer.metricsNeedingRawDataTruncation(limit: Int.max))
        var ids = Set<MetricID>()
        try await source.forEachMetricPage(after: nil) { metrics in
            counts.metrics += try await importer.importMetrics(metrics, truncating: truncating)
            ids.formUnion(metrics.map(\.id))
            progress(MigrationStep(name: "metrics", done: ids.count, total: 0))
        }
        return ids
    }

    /// Every metric's splits and buffer, committed a few megabytes (or a few dozen
    /// metrics) at a time; after each commit the last metric it covers is saved, and a
    /// later run starts after it.
    func copyAggregates(_ counts: inout MigrationCounts, total: Int) async throws {
        let policies = try await source.policiesByName()
        var done = 0
        var pending: [MetricChanges] = []
        var bytes = 0
        func commit(through metric: MetricID) async throws {
            if !pending.isEmpty { try await target.aggregates.commit(pending) }
            try await importer.saveImportCheckpoint(Checkpoint.aggregates, value: metric.description)
            pending = []
            bytes = 0
            progress(MigrationStep(name: "aggregates", done: done, total: total))
        }
        let after = try await importer.importCheckpoint(Checkpoint.aggregates)
        try await source.forEachMetricPage(after: after) { metrics in
            // Read a commit's worth of metrics at once (a deployment reads their
            // objects in parallel).
            for start in stride(from: 0, to: metrics.count, by: Self.commitMetrics) {
                let chunk = Array(metrics[start..<min(start + Self.commitMetrics, metrics.count)])
                for change in try await source.stored.aggregates(of: chunk, policies) {
                    done += 1
                    if !change.isEmpty {
                        counts.add(change)
                        pending.append(change)
                        bytes += change.byteCount
                    }
                    if bytes >= Self.commitBytes || pending.count >= Self.commitMetrics {
                        try await commit(through: change.metric)
                    }
                }
            }
            if let last = metrics.last { try await commit(through: last.id) }
        }
    }

    /// The measures waiting in each sack not done yet, for the metrics moved; the source
    /// keeps them (they are read, never taken from its processing).
    func copyWaitingMeasures(_ counts: inout MigrationCounts, metrics: Set<MetricID>) async throws {
        let sacks = source.waiting.sackCount
        let first = Int(try await importer.importCheckpoint(Checkpoint.measures) ?? "") ?? 0
        for sack in first..<sacks {
            var chunk: [IncomingBatch] = []
            var measures = 0
            for batch in try await source.waiting.batches(inSack: sack) where metrics.contains(batch.metric) {
                chunk.append(batch)
                measures += batch.timestamps.count
                if measures >= Self.measuresPerAdd {
                    try await target.incoming.add(chunk)
                    counts.waitingMeasures += measures
                    chunk = []
                    measures = 0
                }
            }
            if !chunk.isEmpty {
                try await target.incoming.add(chunk)
                counts.waitingMeasures += measures
            }
            try await importer.saveImportCheckpoint(Checkpoint.measures, value: String(sack + 1))
            progress(MigrationStep(name: "waiting measures", done: sack + 1, total: sacks))
        }
    }
}
