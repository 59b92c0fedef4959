extension ArchivePolicy {
    /// Resolves `aggregation_methods` as Gnocchi 4.7 does: `*` starts from every valid
    /// method; a list made only of `+m`/`-m` entries starts from `defaults`; otherwise
    /// the plain names are the start. Then each `-m` removes and each `+m` adds `m`.
    ///
    /// Two deliberate differences, both where Gnocchi's result is unusable or random:
    /// a list mixing plain names with `+m`/`-m` makes Gnocchi keep the literal `+m`
    /// and `-m` strings as "methods" (which its metricd cannot compute), Rondone drops
    /// them; and Gnocchi applies `+m`/`-m` in set-iteration order (hash-seeded per
    /// process), Rondone applies them in the order given.
    ///
    /// - Throws: ``ArchivePolicyError/invalidAggregationMethods(_:)`` naming, sorted,
    ///   every entry that is not a method, `*`, `+method` or `-method`.
    public static func resolveAggregationMethods(
        _ names: [String], defaults: [String] = ArchivePolicy.defaultAggregationMethodNames
    ) throws(ArchivePolicyError) -> Set<Aggregation> {
        var invalid = Set<String>()
        for name in names where !isValidMethodEntry(name) { invalid.insert(name) }
        for name in defaults where Aggregation(name: name) == nil { invalid.insert(name) }
        guard invalid.isEmpty else { throw .invalidAggregationMethods(invalid.sorted()) }

        var result: Set<Aggregation>
        if names.contains("*") {
            result = Set(Aggregation.allValid)
        } else if names.allSatisfy({ $0.hasPrefix("+") || $0.hasPrefix("-") }) {
            result = Set(defaults.compactMap(Aggregation.init(name:)))
        } else {
            result = Set(names.compactMap(Aggregation.init(name:)))
        }
        var applied = Set<String>()
        for name in names where applied.insert(name).inserted {
            guard let sign = name.first, sign == "+" || sign == "-",
                let aggregation = Aggregation(name: String(name.dropFirst()))
            else { continue }
            if sign == "+" { result.insert(aggregation) } else { result.remove(aggregation) }
        }
        return result
    }

    private static func isValidMethodEntry(_ name: String) -> Bool {
        if name == "*" || Aggregation(name: name) != nil { return true }
        guard name.hasPrefix("+") || name.hasPrefix("-") else { return false }
        return Aggregation(name: String(name.dropFirst())) != nil
    }
}
