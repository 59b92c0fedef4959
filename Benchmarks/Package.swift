// swift-tools-version: 6.1
import PackageDescription

// Allocation benchmarks for Rondone's hot paths (docs/BENCHMARKS.md, "Allocations").
// A package of its own, as swift-nio does, so that the root package's
// `swift build --build-tests` never builds the benchmark framework.
// Run with scripts/bench/allocations.sh.
let package = Package(
    name: "RondoneBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Rondone", path: ".."),
        // The end-to-end request goes to the router in process (not HummingbirdTesting,
        // which would build TLS and an HTTP client in release for nothing).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(
            url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "RondoneAllocations",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "RondoneAPI", package: "Rondone"),
                .product(name: "RondoneServer", package: "Rondone"),
                .product(name: "RondoneIngest", package: "Rondone"),
                .product(name: "RondoneTimeSeries", package: "Rondone"),
                .product(name: "RondoneTesting", package: "Rondone"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            path: "Benchmarks/RondoneAllocations",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ],
    swiftLanguageModes: [.v6]
)
