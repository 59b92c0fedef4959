import RondoneIndexer

/// The series catalogs, one per caller scope, kept up to date with the index.
///
/// When the API's indexer records its changes (``ObservedIndexer``) and only this
/// process writes the index (the embedded data directory), a catalog is read from the
/// index once and then follows the recorded changes: a call finds it current, or applies
/// the changes since (reading only the metrics and resources they name). A change also
/// brings the catalogs used in the last 10 minutes up to date in the background, so the
/// next call finds them ready (and drops the others). Catalogs of a restricted scope are
/// read again after a change, at most once a second.
///
/// When other processes may write the index too (PostgreSQL), a catalog is also read
/// again once it is `lifetime` old: a metric another node created is seen at most that
/// much later. One update runs per scope at a time; the calls that need it wait for it.
actor PrometheusCatalogCache {
    private struct Kept: Sendable {
        let catalog: PrometheusSeriesCatalog
        /// The feed's generation the catalog includes.
        let generation: UInt64
        /// When the index was last read whole for it.
        let loadedAt: ContinuousClock.Instant
    }

    private let context: ControllerContext
    private let changes: IndexChangeFeed?
    /// How long a catalog is trusted; nil: until a change is recorded.
    private let lifetime: Duration?
    private var kept: [PrometheusSeriesCatalog.Scope: Kept] = [:]
    private var lastUsed: [PrometheusSeriesCatalog.Scope: ContinuousClock.Instant] = [:]
    private var updates: [PrometheusSeriesCatalog.Scope: Task<Kept, any Error>] = [:]
    private var observing = false
    private var refreshScheduled = false
    /// Most scopes kept (each caller project is one).
    private let capacity = 64
    /// A restricted catalog, read whole after a change, is read at most this often.
    private let restrictedLifetime = Duration.seconds(1)
    /// Catalogs used this recently are brought up to date after a change; older ones
    /// are dropped then (their memory freed), and read again when next asked for.
    private let keptWhenUsedWithin = Duration.seconds(600)

    init(context: ControllerContext, lifetime: Duration) {
        self.context = context
        let changes = (context.indexer as? ObservedIndexer)?.changes
        self.changes = changes
        self.lifetime = changes != nil && context.indexIsExclusive ? nil : lifetime
    }

    /// The catalog of `scope`, including every change recorded before the call.
    func catalog(_ scope: PrometheusSeriesCatalog.Scope) async throws -> PrometheusSeriesCatalog {
        startObserving()
        lastUsed[scope] = .now
        return try await current(scope)
    }

    private func current(_ scope: PrometheusSeriesCatalog.Scope) async throws -> PrometheusSeriesCatalog {
        let called = ContinuousClock.now
        let wanted = changes?.generation ?? 0
        while true {
            if let current = kept[scope], isFresh(current, at: .now),
                current.generation >= wanted
                    || (!scope.isWhole && .now - current.loadedAt < restrictedLifetime)
            {
                return current.catalog
            }
            let task = updates[scope] ?? startUpdate(scope)
            let result: Kept
            do {
                result = try await task.value
            } catch {
                // A failed update is not kept: the next call tries again.
                if updates[scope] == task { updates[scope] = nil }
                throw error
            }
            if updates[scope] == task {
                updates[scope] = nil
                if kept.count >= capacity, kept[scope] == nil { evict() }
                kept[scope] = result
            }
            // An update that began after this call is current enough, however long it took.
            if result.generation >= wanted, result.loadedAt >= called || isFresh(result, at: .now) {
                return result.catalog
            }
        }
    }

    private func isFresh(_ kept: Kept, at now: ContinuousClock.Instant) -> Bool {
        guard let lifetime else { return true }
        return now - kept.loadedAt < lifetime
    }

    /// Applies the recorded changes to the kept catalog when it can, else reads the index.
    private func startUpdate(_ scope: PrometheusSeriesCatalog.Scope) -> Task<Kept, any Error> {
        let now = ContinuousClock.now
        let context = self.context
        var base: Kept?
        var delta: (changes: [IndexChange], generation: UInt64)?
        if let current = kept[scope], scope.isWhole, isFresh(current, at: now),
            let since = changes?.changes(since: current.generation)
        {
            base = current
            delta = since
        }
        // Taken before the index is read: a change recorded meanwhile is applied again later.
        let generation = changes?.generation ?? 0
        let task = Task { [base, delta] in
            if let base, let delta,
                let updated = try await base.catalog.applying(delta.changes, in: context)
            {
                return Kept(catalog: updated, generation: delta.generation, loadedAt: base.loadedAt)
            }
            let catalog = try await PrometheusSeriesCatalog.load(scope, in: context)
            return Kept(catalog: catalog, generation: generation, loadedAt: now)
        }
        updates[scope] = task
        return task
    }

    private func evict() {
        guard let oldest = lastUsed.filter({ kept[$0.key] != nil }).min(by: { $0.value < $1.value })?.key
        else { return kept.removeAll() }
        kept[oldest] = nil
        lastUsed = lastUsed.filter { kept[$0.key] != nil }
    }

    private func startObserving() {
        guard !observing, let changes else { return }
        observing = true
        changes.observe { [weak self] in
            Task { await self?.changed() }
        }
    }

    /// After a change: updates, a little later, the whole catalogs used lately (the
    /// others are read again only when asked for).
    private func changed() {
        guard !refreshScheduled else { return }
        refreshScheduled = true
        Task {
            // Changes that come together are applied together.
            try? await Task.sleep(for: .milliseconds(200))
            await refresh()
        }
    }

    private func refresh() async {
        refreshScheduled = false
        let now = ContinuousClock.now
        for scope in Array(kept.keys) {
            guard let used = lastUsed[scope], now - used < keptWhenUsedWithin else {
                kept[scope] = nil
                lastUsed[scope] = nil
                continue
            }
            // The lookups are built off the actor: calls meanwhile wait on the catalog's lock.
            if scope.isWhole, let catalog = try? await current(scope) {
                Task.detached(priority: .utility) { catalog.prepareLookups() }
            }
        }
    }
}

/// One call of the Prometheus API: the caller, the API's services, the catalogs.
struct PrometheusCall: Sendable {
    let requestContext: RondoneRequestContext
    let context: ControllerContext
    let catalogs: PrometheusCatalogCache

    /// What this caller may read, as of this call.
    func catalog() async throws -> PrometheusSeriesCatalog {
        try await catalogs.catalog(PrometheusSeriesCatalog.Scope(requestContext, in: context))
    }
}
