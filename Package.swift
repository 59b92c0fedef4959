// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Rondone",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "rondone", targets: ["rondone"]),
        .executable(name: "rondone-bench", targets: ["rondone-bench"]),
        .library(name: "RondoneTimeSeries", targets: ["RondoneTimeSeries"]),
        .library(name: "RondoneStorage", targets: ["RondoneStorage"]),
        .library(name: "RondoneProcessing", targets: ["RondoneProcessing"]),
        .library(name: "RondoneIndexer", targets: ["RondoneIndexer"]),
        .library(name: "RondoneIndexerSQLite", targets: ["RondoneIndexerSQLite"]),
        .library(name: "RondoneIndexerPostgreSQL", targets: ["RondoneIndexerPostgreSQL"]),
        .library(name: "RondoneStoragePostgreSQL", targets: ["RondoneStoragePostgreSQL"]),
        .library(name: "RondoneProcessingPostgreSQL", targets: ["RondoneProcessingPostgreSQL"]),
        .library(name: "RondoneS3", targets: ["RondoneS3"]),
        .library(name: "RondoneStorageS3", targets: ["RondoneStorageS3"]),
        .library(name: "RondoneQuery", targets: ["RondoneQuery"]),
        .library(name: "RondoneIngest", targets: ["RondoneIngest"]),
        .library(name: "RondoneJSON", targets: ["RondoneJSON"]),
        // For Fuzz/ (its own package), which fuzzes the parser.
        .library(name: "RondonePromQL", targets: ["RondonePromQL"]),
        // The HTTP API and the seeded test data, as libraries for Benchmarks/ (its own package).
        .library(name: "RondoneAPI", targets: ["RondoneAPI"]),
        .library(name: "RondoneServer", targets: ["RondoneServer"]),
        .library(name: "RondoneTesting", targets: ["RondoneTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // RondoneIndexer's SQLite driver (needs Debian's libsqlite3-dev).
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // RondoneAPI: HTTP server, logs, self-metrics.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // statsd: the UDP listener (RondoneIngest) and the forwarder's HTTP client (`rondone statsd`).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // RondoneS3: SigV4 signing (HMAC-SHA256) and Content-MD5 for multi-delete;
        // RondoneAPI: SHA-1 of resource ids (uuid5) and ETags.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // The scaled-out deployment's PostgreSQL drivers (index, incoming, coordination).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // --web-config: bcrypt (hummingbird-auth), the file's YAML (Yams), TLS (swift-nio-ssl).
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // The time-series engine: time stamps, archive policy maths, aggregation,
        // the unaggregated buffer and the split codec. No I/O, stdlib only.
        .target(name: "RondoneTimeSeries"),
        // Durable incoming measures and aggregate blobs: the `IncomingStore` and
        // `AggregateStore` protocols and their drivers. POSIX I/O, no Foundation.
        .target(name: "RondoneStorage", dependencies: ["RondoneTimeSeries"]),
        // metricd: workers that claim sacks of waiting measures, aggregate them with the
        // engine and write splits and buffers; the `Coordinator` and `MetricCatalog` seams.
        .target(name: "RondoneProcessing", dependencies: ["RondoneStorage", "RondoneTimeSeries"]),
        // The index of archive policies, rules, metrics, resource types and resources: the
        // `Indexer` contract, its value types and the search filter tree with its
        // driver-neutral binding (`package`, for the drivers). Imports the engine only.
        .target(name: "RondoneIndexer", dependencies: ["RondoneTimeSeries"]),
        // The embedded default's index: one SQLite file through GRDB.
        .target(
            name: "RondoneIndexerSQLite",
            dependencies: [
                "RondoneIndexer", "RondoneTimeSeries", .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // The PostgreSQL driver of the index (postgres-nio's pooled client), for deployments
        // whose API nodes and metricd processes share one database. No GRDB.
        .target(
            name: "RondoneIndexerPostgreSQL",
            dependencies: [
                "RondoneIndexer", "RondoneTimeSeries",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The shared stores' PostgreSQL side: the incoming store of a scaled-out deployment
        // and the lease fence other shared stores run in their commits.
        // (PostgreSQLURL comes from the indexer's target until the PostgreSQL support
        // has a target of its own.)
        .target(
            name: "RondoneStoragePostgreSQL",
            dependencies: [
                "RondoneStorage", "RondoneTimeSeries", "RondoneIndexerPostgreSQL",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The aggregates of a scaled-out deployment: one S3 object per blob version, never
        // overwritten; which one is current is a PostgreSQL row moved by a fenced commit.
        .target(
            name: "RondoneStorageS3",
            dependencies: [
                "RondoneStorage", "RondoneTimeSeries", "RondoneS3", "RondoneStoragePostgreSQL",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The coordinator of a scaled-out deployment: members with heartbeats, sack
        // leases with fencing tokens, LISTEN/NOTIFY wake-ups, all on PostgreSQL.
        .target(
            name: "RondoneProcessingPostgreSQL",
            dependencies: [
                "RondoneProcessing", "RondoneStorage", "RondoneStoragePostgreSQL", "RondoneIndexerPostgreSQL",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Reading series for a request straight from the aggregate store (no metricd) and
        // the `/v1/aggregates` operations language: parser, cross-metric grid (overlap,
        // fill) and evaluator. No HTTP, no Foundation.
        .target(name: "RondoneQuery", dependencies: ["RondoneStorage", "RondoneTimeSeries", "RondoneJSON"]),
        // Decoding of the protocols other tools send (statsd, InfluxDB line protocol,
        // Prometheus remote write) straight into measures batches, and the statsd UDP
        // listener (SwiftNIO) with its per-flush accumulator. No HTTP, no Foundation.
        .target(
            name: "RondoneIngest",
            dependencies: [
                "RondoneStorage", "RondoneIndexer", "RondoneTimeSeries",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // PromQL (issue 18): the lexer, the parser with Prometheus's grammar and type
        // rules, the label-matcher regular expressions, the evaluator. Stdlib and
        // RondoneTimeSeries (its calendar) only.
        .target(name: "RondonePromQL", dependencies: ["RondoneTimeSeries"]),
        // `--web-config`: Prometheus's web configuration file (TLS, bcrypt users, admins),
        // reloadable, with the password check and the listener's TLS configuration.
        .target(
            name: "RondoneWebConfig",
            dependencies: [
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // JSON as Gnocchi's Python side reads and writes it: the request body reader
        // (ujson's leniency and messages), the document value with `json.dumps`' output,
        // Python's `repr()` for messages. No HTTP, no Foundation.
        .target(name: "RondoneJSON", dependencies: ["RondoneTimeSeries"]),
        // The Gnocchi v1 HTTP API: application builder, errors, auth and policy, pagination,
        // CORS, proxy headers, measures JSON parser, index-free endpoints, self-metrics.
        .target(
            name: "RondoneAPI",
            dependencies: [
                "RondoneJSON",
                "RondoneTimeSeries",
                "RondoneStorage",
                "RondoneIndexer",
                "RondoneProcessing",
                "RondoneQuery",
                "RondoneIngest",
                "RondoneWebConfig",
                "RondonePromQL",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                // SHA-1 of resource ids (uuid5) and ETags.
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // The OpenAPI description served at /v1/openapi.json and the web console's files
            // served under /ui (docs/CONSOLE.md), compiled into the binary.
            resources: [
                .embedInCode("OpenAPI/openapi.json"),
                .embedInCode("Console/Assets/index.html"),
                .embedInCode("Console/Assets/console.css"),
                .embedInCode("Console/Assets/favicon.svg"),
                .embedInCode("Console/Assets/app.js"),
                .embedInCode("Console/Assets/api.js"),
                .embedInCode("Console/Assets/dom.js"),
                .embedInCode("Console/Assets/chart.js"),
                .embedInCode("Console/Assets/table.js"),
                .embedInCode("Console/Assets/series.js"),
                .embedInCode("Console/Assets/query.js"),
                .embedInCode("Console/Assets/resources.js"),
                .embedInCode("Console/Assets/policies.js"),
                .embedInCode("Console/Assets/status.js"),
                .embedInCode("Console/Assets/promtext.js"),
            ]
        ),
        // The one composition root: `Backends` (index, incoming, aggregates, coordinator)
        // made from settings, and the server every command and the test helper run.
        .target(
            name: "RondoneServer",
            dependencies: [
                "RondoneAPI",
                "RondoneIndexer",
                "RondoneIndexerSQLite",
                "RondoneIndexerPostgreSQL",
                "RondoneStoragePostgreSQL",
                "RondoneProcessingPostgreSQL",
                "RondoneS3",
                "RondoneStorageS3",
                "RondoneIngest",
                "RondoneProcessing",
                "RondoneQuery",
                "RondoneStorage",
                "RondoneTimeSeries",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Test helper only (not a product): appends measures (or commits aggregates) in a
        // loop and prints each acknowledgement, so a fault test can `kill -9` it.
        .executableTarget(
            name: "rondone-fault-writer", dependencies: ["RondoneStorage", "RondoneTimeSeries"]),
        // Shared by tests and benchmarks (not a product): seeded generators.
        .target(name: "RondoneTesting"),
        // Shared by the PostgreSQL tests (not a product): a schema per test on the server
        // `RONDONE_TEST_POSTGRESQL_URL` names.
        .target(
            name: "RondonePostgreSQLTesting",
            dependencies: [
                "RondoneIndexerPostgreSQL",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Shared by API tests (not a product): a live server on an ephemeral port.
        .target(
            name: "RondoneAPITesting",
            dependencies: [
                "RondoneAPI",
                "RondoneServer",
                "RondoneIndexer",
                "RondoneStorage",
                "RondoneProcessing",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "rondone",
            dependencies: [
                "RondoneTimeSeries",
                "RondoneStorage",
                "RondoneProcessing",
                "RondoneIndexer",
                "RondoneAPI",
                "RondoneJSON",
                "RondoneServer",
                "RondoneIngest",
                "RondoneWebConfig",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "rondone-bench",
            dependencies: [
                "RondoneAPI",
                "RondoneIngest",
                "RondoneQuery",
                "RondoneTimeSeries",
                "RondoneStorage",
                "RondoneProcessing",
                "RondoneTesting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The S3 client the scale-out aggregate store is built on: SigV4 signing, retries with
        // backoff, ListObjectsV2 and error XML scanning. No Foundation.
        .target(
            name: "RondoneS3",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "RondoneS3Tests", dependencies: ["RondoneS3"]),
        .testTarget(
            name: "RondoneTimeSeriesTests",
            dependencies: ["RondoneTimeSeries", "RondoneTesting"],
            resources: [.copy("Vectors"), .copy("Fixtures")]
        ),
        .testTarget(
            name: "RondoneAPITests",
            dependencies: [
                "RondoneAPI", "RondoneAPITesting", "RondoneServer", "RondoneTimeSeries", "RondoneTesting",
                "RondoneIngest", "RondoneJSON",
                // Full-disk tests: the stores' errors and the index capped in pages.
                "RondoneStorage", "RondoneIndexerSQLite",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "RondoneStorageTests",
            dependencies: [
                "RondoneStorage", "RondoneTimeSeries", "RondoneTesting",
                // The incoming contract on PostgreSQL, the aggregate contract on S3 + PostgreSQL.
                "RondoneStoragePostgreSQL", "RondonePostgreSQLTesting", "RondoneIndexerPostgreSQL",
                "RondoneS3",
                "RondoneStorageS3",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(
            name: "RondoneProcessingTests",
            // RondoneQuery: the tests read what metricd stored through the one reader.
            dependencies: [
                "RondoneProcessing", "RondoneQuery", "RondoneStorage", "RondoneTimeSeries", "RondoneTesting",
                // The coordinator contract and metricd on PostgreSQL.
                "RondoneProcessingPostgreSQL", "RondoneStoragePostgreSQL", "RondonePostgreSQLTesting",
                "RondoneIndexerPostgreSQL",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "RondoneCommandTests", dependencies: ["rondone"]),
        .testTarget(name: "RondoneWebConfigTests", dependencies: ["RondoneWebConfig"]),
        .testTarget(name: "RondonePromQLTests", dependencies: ["RondonePromQL"]),
        .testTarget(
            name: "RondoneIngestTests",
            dependencies: [
                "RondoneIngest", "RondoneTesting", "RondoneTimeSeries",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "RondoneQueryTests", dependencies: ["RondoneQuery", "RondoneStorage", "RondoneTimeSeries"]),
        .testTarget(
            name: "RondoneIndexerTests",
            dependencies: [
                "RondoneIndexer", "RondoneIndexerSQLite", "RondoneIndexerPostgreSQL", "RondoneTimeSeries",
                "RondoneTesting",
                // The migration and query-plan tests open the database directly.
                .product(name: "GRDB", package: "GRDB.swift"),
                // The PostgreSQL tests make a schema per check and break connections.
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
