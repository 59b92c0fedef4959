/// Operations on aggregated series that the write path needs: merging new aggregates
/// into a stored split, dropping what falls out of the timespan, cutting into splits.
extension Series {
    /// This series with `newer`'s points added; on a shared time stamp `newer`'s value
    /// wins (Gnocchi's `combine_timeseries(newer, self)`, used both for the raw buffer
    /// and when new aggregates are merged into a stored split).
    public func merging(newer: Series) -> Series {
        if newer.isEmpty { return self }
        if isEmpty { return newer }
        // Appending after our last point is the common case: no interleaving needed.
        if let last = timestamps.last, newer.timestamps[0] > last {
            var result = self
            result.timestamps += newer.timestamps
            result.values += newer.values
            return result
        }
        var result = Series()
        result.reserveCapacity(count + newer.count)
        var i = 0
        var j = 0
        while i < count && j < newer.count {
            let a = timestamps[i]
            let b = newer.timestamps[j]
            if a < b {
                result.append(a, values[i])
                i += 1
            } else {
                result.append(b, newer.values[j])
                j += 1
                if a == b { i += 1 }
            }
        }
        result.timestamps += timestamps[i...]
        result.values += values[i...]
        result.timestamps += newer.timestamps[j...]
        result.values += newer.values[j...]
        return result
    }

    /// Keeps only points strictly after `last − timespan` (numpy's
    /// `searchsorted(side='right')`, as Gnocchi's `AggregatedTimeSerie.truncate`), and
    /// returns that oldest point, or nil when the series is empty.
    @discardableResult
    public mutating func truncate(timespan: TimeDelta) -> Timestamp? {
        guard let last = timestamps.last else { return nil }
        let oldest = last.subtractingReportingOverflow(timespan.nanoseconds)
        let bound = oldest.overflow ? Int64.min : oldest.partialValue
        let cut = upperBound(bound)
        if cut > 0 { self = slice(cut..<count) }
        return Timestamp(nanoseconds: bound)
    }

    /// The series cut into splits of `granularity`, in time order, each non-empty.
    public func splits(granularity: TimeDelta) -> [(key: SplitKey, points: Series)] {
        var result: [(key: SplitKey, points: Series)] = []
        var start = 0
        while start < count {
            let key = SplitKey(
                containing: Timestamp(nanoseconds: timestamps[start]), granularity: granularity)
            let end = lowerBound(key.next.timestamp.nanoseconds)
            // A saturated span can make `next` wrap; never loop without progress.
            let stop = end > start ? end : count
            result.append((key, slice(start..<stop)))
            start = stop
        }
        return result
    }
}
