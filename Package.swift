// swift-tools-version: 6.1
import PackageDescription

// Layers point one way (see README "Architecture"):
//   COSIP/CORTP/CPCAP (C edges) -> SIP, Media, Capture -> CallCenter (pure routing core)
//   -> EngineCore (pure B2BUA core) -> Engine (drivers) / Simulator -> thin executables.
let package = Package(
    name: "ccengine",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ccengine", targets: ["ccengine"]),
        .executable(name: "ccsim", targets: ["ccsim"]),
        .executable(name: "ccbench", targets: ["ccbench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
    ],
    targets: [
        // C edges: system libraries with static-inline shims for macros and globals.
        .systemLibrary(name: "COSIP", pkgConfig: "libosip2", providers: [.apt(["libosip2-dev"])]),
        .systemLibrary(name: "CORTP", pkgConfig: "ortp", providers: [.apt(["libortp-dev"])]),
        .systemLibrary(name: "CPCAP", pkgConfig: "libpcap", providers: [.apt(["libpcap-dev"])]),

        // One copy of each primitive: the seeded generator, the binary heap. No dependencies.
        .target(name: "Primitives"),
        // Pure routing core: events + now in, actions out.
        .target(name: "CallCenter", dependencies: ["Primitives"]),
        // Workload models shared by real-time and virtual-time simulation: distributions, arrivals.
        .target(name: "Workload", dependencies: ["Primitives"]),
        // Virtual-time simulation on the routing core, queueing theory, staffing search.
        .target(name: "VirtualTime", dependencies: ["CallCenter", "Workload", "Primitives"]),
        // YAML with file:line errors, shared by engine config and scenarios.
        .target(name: "YAMLConfig", dependencies: [.product(name: "Yams", package: "Yams")]),
        // SIP message model and codec (libosip2 at the edge), SDP, pure B2BUA-facing types.
        .target(name: "SIP", dependencies: ["COSIP", "Primitives", .product(name: "Crypto", package: "swift-crypto")]),
        // RTP relay (knows no SIP), G.711 and tone tools.
        .target(name: "Media", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // libpcap capture to classic pcap files.
        .target(name: "Capture", dependencies: ["CPCAP"]),
        // The engine's pure core: registrar, B2BUA, SIP stack composition. It imports no NIO, GRDB,
        // Foundation clock or logger, so the compiler keeps it free of I/O (events + now in, actions out).
        .target(name: "EngineCore", dependencies: [
            "CallCenter", "SIP", "Primitives",
            .product(name: "OrderedCollections", package: "swift-collections"),
        ]),
        // The engine's drivers around the core: config, NIO sockets and timers, relay, records (GRDB).
        .target(name: "Engine", dependencies: [
            "EngineCore", "CallCenter", "SIP", "Media", "YAMLConfig", "Primitives",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        // The operations surface: REST API over the engine driver's one way into the core.
        .target(name: "EngineAPI", dependencies: [
            "Engine", "CallCenter",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        // The simulator: scenarios, virtual SIP phones with libortp media, verdicts.
        .target(name: "Simulator", dependencies: [
            "CallCenter", "SIP", "Media", "CORTP", "Capture", "YAMLConfig", "Engine", "Workload", "VirtualTime", "HTMLReport",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        // Self-contained HTML reports with inline SVG charts (ccsim and ccbench).
        .target(name: "HTMLReport"),
        // ccbench's library: routing latency beside a bare reference, pcap forensics.
        .target(name: "Bench", dependencies: [
            "CallCenter", "Media", "Engine", "Workload", "Primitives",
            .product(name: "Histogram", package: "hdrhistogram-swift"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "ccengine", dependencies: [
            "Engine", "EngineAPI", "SIP",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .executableTarget(name: "ccsim", dependencies: [
            "Simulator", "VirtualTime", "HTMLReport", "SIP",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "ccbench", dependencies: [
            "Engine", "Capture", "CallCenter", "Bench", "Simulator", "HTMLReport",
            .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .testTarget(name: "PrimitivesTests", dependencies: ["Primitives"]),
        .testTarget(name: "CallCenterTests", dependencies: ["CallCenter"]),
        .testTarget(name: "SIPTests", dependencies: ["SIP"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "EngineCore", "SIP", "CallCenter", "Media"]),
        .testTarget(name: "SimulatorTests", dependencies: [
            "Simulator", "Engine", "EngineCore", "EngineAPI", "Capture", "Bench",
            .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
        ]),
        .testTarget(name: "BenchTests", dependencies: ["Bench"]),
        .testTarget(name: "HTMLReportTests", dependencies: ["HTMLReport"]),
        .testTarget(name: "VirtualTimeTests", dependencies: ["VirtualTime", "CallCenter", "Workload"]),
    ],
    swiftLanguageModes: [.v6]
)
