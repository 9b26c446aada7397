// swift-tools-version:6.2
import PackageDescription

var swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]
// CI builds treat warnings in our own targets as errors; dependencies are left alone.
if Context.environment["CI"] != nil {
    swiftSettings.append(.treatAllWarnings(as: .error))
}

let package = Package(
    name: "manrs-plus",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "manrs-plus", targets: ["ManrsPlus"]),
        .executable(name: "manrs-plus-bench", targets: ["Bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.100.0"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // libpq, found through pkg-config.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // Decompression for the routing data readers.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CBZip2", providers: [.apt(["libbz2-dev"])]),
        // Whole-buffer gzip decompression, about three times zlib's speed; zlib stays for
        // streams too big to hold and for files cut short.
        .systemLibrary(name: "CDeflate", pkgConfig: "libdeflate", providers: [.apt(["libdeflate-dev"])]),
        // Pure routing measurement: prefixes, VRPs, RFC 6811 validation, readers of routing data.
        .target(name: "Routing", dependencies: ["CZlib", "CBZip2", "CDeflate"], swiftSettings: swiftSettings),
        // Pure: JSON values and RFC 8785 canonical JSON (for the audit chain and credentials).
        .target(name: "Canonical", swiftSettings: swiftSettings),
        // Pure: the mark's credential formats (mark ids, Multikey, eddsa-jcs-2022 proofs, did:web,
        // Bitstring Status Lists, the mark's Verifiable Credential and its verification).
        .target(
            name: "Credentials",
            dependencies: ["Canonical", "CDeflate", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // Pure domain rules: resources, catalogs and admission, roles and authorisation, the workflow.
        .target(name: "Domain", dependencies: ["Routing"], swiftSettings: swiftSettings),
        // The PostgreSQL client: connections, pool, bound queries, decoding, transactions, COPY, LISTEN/NOTIFY.
        .target(
            name: "Postgres",
            dependencies: [
                "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // Starts and stops a private PostgreSQL cluster (initdb, pg_ctl) for `make run` and the tests.
        .target(
            name: "EmbeddedPostgres",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        // SQL per aggregate, and the migrations runner.
        .target(
            name: "Store",
            dependencies: [
                "Canonical",
                "Credentials",
                "Domain",
                "Postgres",
                "Routing",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The commands (create, commit, submit, claim, decide, ...): authorised, validated and
        // carried out once, for the API and the pages. Knows no HTTP.
        .target(name: "Operations", dependencies: ["Credentials", "Domain", "Postgres", "Store"], swiftSettings: swiftSettings),
        // Notifications through an outbox: Standard Webhooks signing, webhook delivery with
        // async-http-client, email over SMTP (a small SwiftNIO client) or into a maildir.
        .target(
            name: "Outbox",
            dependencies: [
                "Canonical",
                "Domain",
                "Postgres",
                "Routing",
                "Store",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The job queue: workers, the scheduler and `run-due` over the jobs table; the built-in
        // kinds (housekeeping, probe, fetching snapshot sources with async-http-client). Serves no HTTP.
        .target(
            name: "Jobs",
            dependencies: [
                "Canonical", "Domain", "Outbox", "Postgres", "Routing", "Store",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The Hummingbird application: routes, problem+json, health, metrics.
        .target(
            name: "Server",
            dependencies: [
                "Canonical",
                "Credentials",
                "Domain",
                "Outbox",
                "Jobs",
                "Operations",
                "Postgres",
                "Store",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ManrsPlus",
            dependencies: [
                "Canonical",
                "Credentials",
                "Domain",
                "EmbeddedPostgres",
                "Jobs",
                "Operations",
                "Routing",
                "Postgres",
                "Server",
                "Store",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "Bench",
            dependencies: [
                "Credentials",
                "Domain",
                "EmbeddedPostgres",
                "Postgres",
                "Routing",
                "Store",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // A seeded random generator for the test targets, pure ones included: no dependencies.
        .target(name: "SeededRandom", path: "Tests/SeededRandom", swiftSettings: swiftSettings),
        // Shared by the test targets: one throwaway cluster per test process, template databases.
        .target(
            name: "TestSupport",
            dependencies: ["EmbeddedPostgres", "Postgres", "Store", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "RoutingTests", dependencies: ["Routing", "SeededRandom"], swiftSettings: swiftSettings),
        .testTarget(name: "DomainTests", dependencies: ["Domain", "Routing"], swiftSettings: swiftSettings),
        // Runs the built `manrs-plus` binary; the dependency makes the test build build it.
        .testTarget(
            name: "CLITests",
            dependencies: ["Canonical", "Credentials", "Domain", "EmbeddedPostgres", "ManrsPlus", "Operations", "Store", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(name: "CredentialsTests", dependencies: ["Canonical", "Credentials", "SeededRandom"], swiftSettings: swiftSettings),
        .testTarget(name: "CanonicalTests", dependencies: ["Canonical"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(name: "OperationsTests", dependencies: ["Domain", "Operations", "Store", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "OutboxTests",
            dependencies: [
                "Domain", "Jobs", "Outbox", "Operations", "Postgres", "Store", "TestSupport", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "JobsTests", dependencies: ["Canonical", "Domain", "Jobs", "Postgres", "Store", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "StoreTests", dependencies: ["Canonical", "Store", "Routing", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Canonical", "Credentials", "Outbox", "Routing", "SeededRandom", "Server", "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
