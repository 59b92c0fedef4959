/// The sections of `rondone-bench engine`, in the order they print.
///
/// Each section takes the scale factor and prints its own lines.
enum EngineSections {
    static let all: [@Sendable (Int) -> Void] = [
        { TimestampBench.run(scale: $0) },
        { AggregationBench.run(scale: $0) },
        { CodecBench.run(scale: $0) },
        { QueryBench.run(scale: $0) },
    ]
}
