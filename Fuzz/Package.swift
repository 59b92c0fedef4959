// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets for every parser that reads bytes from the network or the disk
// (docs/FUZZING.md). A package of its own, as Benchmarks/ is, so that the root package's
// `swift build --build-tests` never builds them; build and run with scripts/fuzz.sh, which
// passes `-sanitize=fuzzer,address` to every Swift module (so Rondone's are instrumented).
//
// Each target defines `LLVMFuzzerTestOneInput` and `<module>_main` (a debug build links
// `main` to it; see FuzzSupport's `runLibFuzzer`). `-parse-as-library`: no top-level code,
// so the compiler emits no `main` of its own.

/// One executable per fuzz target: name, what it needs from the main package.
let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
    ("fuzz-measures-json", [.product(name: "RondoneAPI", package: "Rondone")]),
    ("fuzz-timestamp", []),
    ("fuzz-search-filter-string", ["FuzzSearchSupport", .product(name: "RondoneAPI", package: "Rondone")]),
    (
        "fuzz-search-json",
        [
            "FuzzSearchSupport", .product(name: "RondoneAPI", package: "Rondone"),
            .product(name: "RondoneJSON", package: "Rondone"),
        ]
    ),
    (
        "fuzz-operations",
        [
            .product(name: "RondoneJSON", package: "Rondone"),
            .product(name: "RondoneQuery", package: "Rondone"),
        ]
    ),
    ("fuzz-line-protocol", [.product(name: "RondoneIngest", package: "Rondone")]),
    (
        "fuzz-remote-write",
        [
            .product(name: "RondoneAPI", package: "Rondone"),
            .product(name: "RondoneIngest", package: "Rondone"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]
    ),
    ("fuzz-statsd", [.product(name: "RondoneIngest", package: "Rondone")]),
    ("fuzz-split-codec", []),
    ("fuzz-split-pack", [.product(name: "RondoneStorage", package: "Rondone")]),
    ("fuzz-aggregate-log-record", [.product(name: "RondoneStorage", package: "Rondone")]),
    ("fuzz-incoming-record", [.product(name: "RondoneStorage", package: "Rondone")]),
    ("fuzz-promql", [.product(name: "RondonePromQL", package: "Rondone")]),
]

let package = Package(
    name: "RondoneFuzz",
    platforms: [.macOS(.v15)],
    products: fuzzTargets.map { .executable(name: $0.name, targets: [$0.name]) },
    dependencies: [
        .package(name: "Rondone", path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // libFuzzer's driver, the inputs, the checksum fix-ups, the fixed "now".
        .target(
            name: "FuzzSupport", dependencies: [.product(name: "RondoneTimeSeries", package: "Rondone")]),
        // What the two search targets do with a filter document.
        .target(
            name: "FuzzSearchSupport",
            dependencies: [
                "FuzzSupport",
                .product(name: "RondoneAPI", package: "Rondone"),
                .product(name: "RondoneIndexer", package: "Rondone"),
                .product(name: "RondoneTimeSeries", package: "Rondone"),
            ]),
    ]
        + fuzzTargets.map { target in
            .executableTarget(
                name: target.name,
                dependencies: ["FuzzSupport", .product(name: "RondoneTimeSeries", package: "Rondone")]
                    + target.dependencies,
                swiftSettings: [.unsafeFlags(["-parse-as-library"])]
            )
        },
    swiftLanguageModes: [.v6]
)
