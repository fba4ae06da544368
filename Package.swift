// swift-tools-version:6.1
// The arrows between targets point downward only; design.md §2 draws the picture.
import PackageDescription

// Swift 6 language mode (the tools version's default) gives complete concurrency checking.
let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "xfn",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "xfn", targets: ["xfn"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // C libraries from the system, found with pkg-config. libcurl and libarchive are the
        // exceptions: only their headers are used at build time (on the default include path), and
        // each library is opened on first use (their shim.h), because linking them made every run,
        // even one that never pulls or unpacks, load the forty libraries they depend on.
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CArchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),

        // Foundations shared by every layer.
        .target(name: "XfnCore", dependencies: ["COpenSSL"], swiftSettings: strict),
        .target(name: "XfnOCI", dependencies: ["XfnCore"], swiftSettings: strict),
        .target(name: "XfnYAML", dependencies: ["XfnCore", "CYAML"], swiftSettings: strict),

        // Registry side: transport → credentials → distribution client; store and archive beside it.
        .target(name: "XfnHTTP", dependencies: ["XfnCore", "CCurl", "COpenSSL"], swiftSettings: strict),
        .target(name: "XfnAuth", dependencies: ["XfnCore", "XfnOCI", "XfnHTTP", "COpenSSL"], swiftSettings: strict),
        .target(name: "XfnRegistry", dependencies: ["XfnCore", "XfnOCI", "XfnHTTP", "XfnAuth"], swiftSettings: strict),
        .target(name: "XfnStore", dependencies: ["XfnCore", "XfnOCI"], swiftSettings: strict),
        .target(name: "XfnArchive", dependencies: ["XfnCore", "CArchive"], swiftSettings: strict),
        .target(name: "XfnPackage",
                dependencies: ["XfnCore", "XfnOCI", "XfnRegistry", "XfnStore", "XfnArchive", "XfnYAML"],
                swiftSettings: strict),

        // Validation side: schemas and CEL.
        .target(name: "XfnCEL", dependencies: ["XfnCore"], swiftSettings: strict),
        .target(name: "XfnSchema", dependencies: ["XfnCore", "XfnYAML", "XfnCEL"], swiftSettings: strict),
        .target(name: "XfnValidate", dependencies: ["XfnCore", "XfnYAML", "XfnSchema"], swiftSettings: strict),

        // Composition functions: gRPC enters the package here and nowhere else.
        .target(name: "XfnFunctions",
                dependencies: [
                    "XfnCore",
                    .product(name: "GRPCCore", package: "grpc-swift-2"),
                    .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                    .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                    .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                ],
                swiftSettings: strict),
        .target(name: "XfnRender", dependencies: ["XfnCore", "XfnYAML", "XfnFunctions"], swiftSettings: strict),

        // Command line.
        .target(name: "XfnCLI",
                dependencies: [
                    "XfnCore", "XfnOCI", "XfnHTTP", "XfnAuth", "XfnRegistry", "XfnStore", "XfnArchive", "XfnPackage",
                    "XfnYAML", "XfnSchema", "XfnValidate", "XfnRender",
                    .product(name: "ArgumentParser", package: "swift-argument-parser"),
                ],
                swiftSettings: strict),
        .executableTarget(name: "xfn", dependencies: ["XfnCLI"], swiftSettings: strict),

        // Tests.
        .target(name: "XfnTestSupport",
                dependencies: ["XfnCore", "XfnOCI", "COpenSSL", "CArchive"],
                path: "Tests/XfnTestSupport", swiftSettings: strict,
                // Its tar writer calls libarchive directly.
                linkerSettings: [.linkedLibrary("archive")]),
        .testTarget(name: "XfnTestSupportTests", dependencies: ["XfnTestSupport"], swiftSettings: strict),
        // Serves the example and benchmark images for scripts/demo and scripts/bench.
        .executableTarget(name: "xfn-fixtures", dependencies: ["XfnTestSupport", "XfnCore"],
                          path: "Tests/Fixtures", swiftSettings: strict),
        // A static composition function for the render tests and scripts/bench/render.
        .executableTarget(name: "xfn-test-function",
                          dependencies: [
                              "XfnFunctions", "XfnCore",
                              .product(name: "GRPCCore", package: "grpc-swift-2"),
                              .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                              .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                          ],
                          path: "Tests/TestFunction", swiftSettings: strict),
        .testTarget(name: "XfnCoreTests", dependencies: ["XfnCore"], swiftSettings: strict),
        .testTarget(name: "XfnOCITests", dependencies: ["XfnOCI"], swiftSettings: strict),
        .testTarget(name: "XfnHTTPTests", dependencies: ["XfnHTTP", "XfnTestSupport"], swiftSettings: strict),
        .testTarget(name: "XfnAuthTests", dependencies: ["XfnAuth", "XfnTestSupport"], swiftSettings: strict),
        .testTarget(name: "XfnRegistryTests", dependencies: ["XfnRegistry", "XfnTestSupport"], swiftSettings: strict),
        .testTarget(name: "XfnStoreTests", dependencies: ["XfnStore", "XfnTestSupport"], swiftSettings: strict),
        .testTarget(name: "XfnArchiveTests", dependencies: ["XfnArchive", "XfnTestSupport"], swiftSettings: strict,
                    linkerSettings: [.linkedLibrary("archive")]),
        .testTarget(name: "XfnPackageTests", dependencies: ["XfnPackage", "XfnTestSupport"], swiftSettings: strict),
        .testTarget(name: "XfnYAMLTests", dependencies: ["XfnYAML"], swiftSettings: strict),
        .testTarget(name: "XfnCELTests", dependencies: ["XfnCEL"], swiftSettings: strict),
        .testTarget(name: "XfnSchemaTests", dependencies: ["XfnSchema", "XfnYAML", "XfnCEL", "XfnTestSupport"], swiftSettings: strict),
        .testTarget(name: "XfnValidateTests", dependencies: ["XfnValidate", "XfnSchema", "XfnYAML", "XfnCore", "XfnTestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "XfnFunctionsTests", dependencies: ["XfnFunctions", "XfnCore"], swiftSettings: strict),
        .testTarget(name: "XfnRenderTests",
                    dependencies: ["XfnRender", "XfnFunctions", "XfnYAML", "XfnTestSupport"],
                    resources: [.copy("Functions"), .copy("Cases")],
                    swiftSettings: strict),
        .testTarget(name: "XfnIntegrationTests",
                    dependencies: ["XfnCLI", "XfnPackage", "XfnRegistry", "XfnStore", "XfnRender", "XfnTestSupport"],
                    swiftSettings: strict),
    ]
)
