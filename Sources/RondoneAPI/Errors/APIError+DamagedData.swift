import RondoneStorage
import RondoneTimeSeries

extension APIError {
    /// A read met a stored split that fails its checks: a 500 naming the metric and the
    /// split, never the points of the other splits (Rondone's; Gnocchi 4.7 skips it).
    static func damagedData(_ corrupt: CorruptSplit) -> APIError {
        let address = corrupt.address
        return APIError(
            .internalServerError,
            "The stored data of metric \(corrupt.metric) is damaged (aggregation `\(address.aggregation)', "
                + "granularity \(address.granularity.formatted), split \(address.key.formatted())): "
                + "\(corrupt.error); run rondone fsck")
    }
}
