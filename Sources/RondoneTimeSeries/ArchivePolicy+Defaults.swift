extension ArchivePolicy {
    /// Gnocchi 4.7's `DEFAULT_ARCHIVE_POLICIES` (`bool`, `low`, `medium`, `high`) with
    /// the standard default methods, as `upgrade` creates them on a new deployment.
    public static let defaultPolicies: [ArchivePolicy] = {
        do { return try defaults() } catch { preconditionFailure("BUG: default archive policies: \(error)") }
    }()

    /// Gnocchi 4.7's `DEFAULT_ARCHIVE_POLICIES` for a deployment whose
    /// `default_aggregation_methods` is `defaultAggregationMethods`: `bool` keeps the
    /// last value per second for a year with a one-hour back window; `low`, `medium`
    /// and `high` use the default methods.
    ///
    /// - Throws: only when `defaultAggregationMethods` holds an invalid name.
    public static func defaults(
        defaultAggregationMethods: [String] = ArchivePolicy.defaultAggregationMethodNames
    ) throws(ArchivePolicyError) -> [ArchivePolicy] {
        func policy(
            _ name: String, _ backWindow: Int, _ spans: [(TimeDelta, TimeDelta)], _ methods: [String]?
        )
            throws(ArchivePolicyError) -> ArchivePolicy
        {
            var items: [ArchivePolicyItem] = []
            for (granularity, timespan) in spans {
                items.append(try ArchivePolicyItem(granularity: granularity, timespan: timespan))
            }
            return try ArchivePolicy(
                name: name, backWindow: backWindow, definition: items, aggregationMethods: methods,
                defaultAggregationMethods: defaultAggregationMethods)
        }
        return [
            try policy("bool", 3600, [(.seconds(1), .days(365))], ["last"]),
            try policy("low", 0, [(.minutes(5), .days(30))], nil),
            try policy("medium", 0, [(.minutes(1), .days(7)), (.hours(1), .days(365))], nil),
            try policy(
                "high", 0, [(.seconds(1), .hours(1)), (.minutes(1), .days(7)), (.hours(1), .days(365))], nil),
        ]
    }
}
