/// One line of an archive policy's definition: keep `points` aggregates, one per
/// `granularity`, covering `timespan`.
///
/// Built from any two of the three (or all three when they agree); the third is
/// derived exactly as Gnocchi 4.7's `ArchivePolicyItem` does, so the stored values,
/// and every error message, are Gnocchi's. An item with only a granularity keeps its
/// aggregates forever (`points` and `timespan` are nil), as in Gnocchi.
public struct ArchivePolicyItem: Hashable, Sendable {
    /// The period each aggregate covers; always > 0.
    public let granularity: TimeDelta
    /// How many aggregates are kept; nil when unbounded.
    public let points: Int?
    /// `granularity × points`; nil when unbounded.
    public let timespan: TimeDelta?

    /// An item from durations already converted to nanoseconds (what the REST layer's
    /// `Timespan` parsing yields).
    ///
    /// Deviation from Gnocchi: a granularity derived as 0 ns (`timespan / points` below
    /// one nanosecond) is refused with "Granularity should be > 0", and durations that
    /// overflow 64-bit nanoseconds with ``ArchivePolicyError/durationOutOfRange``;
    /// Gnocchi stores such policies and then fails (or divides by zero) processing them.
    public init(granularity: TimeDelta? = nil, points: Int? = nil, timespan: TimeDelta? = nil)
        throws(ArchivePolicyError)
    {
        if let granularity, let points, let timespan {
            let product = granularity.nanoseconds.multipliedReportingOverflow(by: Int64(points))
            if product.overflow || product.partialValue != timespan.nanoseconds {
                throw .timespanMismatch
            }
        }
        try self.init(checkedGranularity: granularity, points: points, timespan: timespan)
    }

    /// An item from seconds as Gnocchi's model accepts them (e.g. when a stored
    /// definition is read back): when all three are given they are compared as
    /// floats first, then each duration becomes `int(seconds * 10e8)` nanoseconds.
    public init(granularitySeconds: Double? = nil, points: Int? = nil, timespanSeconds: Double? = nil)
        throws(ArchivePolicyError)
    {
        if let granularitySeconds, let points, let timespanSeconds,
            timespanSeconds != granularitySeconds * Double(points)
        {
            throw .timespanMismatch
        }
        try self.init(
            checkedGranularity: try granularitySeconds.map(Self.nanoseconds(fromSeconds:)),
            points: points,
            timespan: try timespanSeconds.map(Self.nanoseconds(fromSeconds:)))
    }

    /// Seconds to a duration the way Gnocchi converts them: `int(seconds * 10e8)`,
    /// which truncates toward zero after a floating-point multiplication.
    public static func nanoseconds(fromSeconds seconds: Double) throws(ArchivePolicyError) -> TimeDelta {
        let scaled = (seconds * 10e8).rounded(.towardZero)
        // Double(Int64.max) is 2^63, itself out of range, hence the strict bound.
        guard scaled.isFinite, scaled >= -9.223_372_036_854_775_808e18, scaled < 9.223_372_036_854_775_808e18
        else { throw .durationOutOfRange }
        return TimeDelta(nanoseconds: Int64(scaled))
    }

    private init(checkedGranularity: TimeDelta?, points: Int?, timespan: TimeDelta?)
        throws(ArchivePolicyError)
    {
        if let checkedGranularity, checkedGranularity.nanoseconds <= 0 {
            throw .granularityNotPositive
        }
        if let points, points <= 0 {
            throw .pointsNotPositive
        }
        let granularity: TimeDelta
        if let checkedGranularity {
            granularity = checkedGranularity
        } else {
            guard let points, let timespan else { throw .tooFewFields }
            // numpy divides a timedelta64 by a float in floating point and truncates.
            let derived = (Double(timespan.nanoseconds) / Double(points)).rounded(.towardZero)
            guard derived >= 1 else { throw .granularityNotPositive }
            granularity = TimeDelta(nanoseconds: Int64(derived))
        }
        self.granularity = granularity
        if let points {
            self.points = points
            self.timespan = try Self.multiply(granularity, points)
        } else if let timespan {
            // `int(timespan / granularity)`: a float quotient, truncated.
            let quotient = (Double(timespan.nanoseconds) / Double(granularity.nanoseconds)).rounded(
                .towardZero)
            guard quotient > 0 else { throw .calculatedPointsNotPositive }
            guard quotient < 9.223_372_036_854_775_808e18 else { throw .durationOutOfRange }
            let derivedPoints = Int(quotient)
            self.points = derivedPoints
            self.timespan = try Self.multiply(granularity, derivedPoints)
        } else {
            self.points = nil
            self.timespan = nil
        }
    }

    private static func multiply(_ granularity: TimeDelta, _ points: Int) throws(ArchivePolicyError)
        -> TimeDelta
    {
        let product = granularity.nanoseconds.multipliedReportingOverflow(by: Int64(points))
        guard !product.overflow else { throw .durationOutOfRange }
        return TimeDelta(nanoseconds: product.partialValue)
    }
}
