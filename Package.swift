// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Rondone",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "rondone", targets: ["rondone"]),
        .executable(name: "rondone-bench", targets: ["rondone-bench"]),
        .library(name: "RondoneTimeSeries", targets: ["RondoneTimeSeries"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        // The time-series engine: time stamps, archive policy maths, aggregation,
        // the unaggregated buffer and the split codec. No I/O, stdlib only.
        .target(name: "RondoneTimeSeries"),
        .executableTarget(
            name: "rondone",
            dependencies: [
                "RondoneTimeSeries",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "rondone-bench",
            dependencies: [
                "RondoneTimeSeries",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "RondoneTimeSeriesTests",
            dependencies: ["RondoneTimeSeries"],
            resources: [.copy("Vectors"), .copy("Fixtures")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
