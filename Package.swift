// swift-tools-version:6.1
// Regula: a regulations-as-code compiler and evaluator.
//
// Modules follow the pipeline and depend one way (see Docs/architecture.md):
//   RegulaSyntax → RegulaSource;  RegulaSema → RegulaSyntax;  RegulaNumerics → CGMP;
//   RegulaBytecode → (nothing: the runtime never imports the front end);
//   RegulaLog → CSQLite, CLibPQ, CZstd, RegulaBytecode (the decision log: SQLite or PostgreSQL,
//     hash chain, packed segments);
//   RegulaServer → Regula, RegulaLog, Hummingbird (the web framework stays out of the library);
//   RegulaLanguageServer → Regula (`regula lsp`);
//   RegulaCLI → everything above.
import PackageDescription

let package = Package(
  name: "Regula",
  products: [
    .executable(name: "regula", targets: ["RegulaCLI"]),
    .library(name: "RegulaNumerics", targets: ["RegulaNumerics"]),
    .library(name: "RegulaSema", targets: ["RegulaSema"]),
    .library(name: "RegulaBytecode", targets: ["RegulaBytecode"]),
    .library(name: "Regula", targets: ["Regula"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    // `swift package generate-documentation --target Regula`: the library's DocC catalogue.
    .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    // `regula serve` only; no traits: swift-configuration is not needed.
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
  ],
  targets: [
    // GMP from the system (`libgmp-dev`); linked by the module map.
    .systemLibrary(name: "CGMP", path: "Sources/CGMP"),
    // SQLite from the system (`libsqlite3-dev`): the decision log.
    .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
    // Docs/openapi.yaml, embedded by C23 `#embed` (served at /openapi.yaml).
    .target(name: "COpenAPI", cSettings: [.unsafeFlags(["-std=c23"])]),
    // OpenSSL's libcrypto from the system (`libssl-dev`): SHA-256 for the log's hash chain.
    .target(name: "CLogHash", linkerSettings: [.linkedLibrary("crypto")]),
    // libpq from the system (`libpq-dev`): the decision log on a PostgreSQL server.
    .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ"),
    // Zstandard from the system (`libzstd-dev`): the decision log packs its segments.
    .systemLibrary(name: "CZstd", path: "Sources/CZstd"),
    .target(
      name: "RegulaLog",
      dependencies: ["CSQLite", "CLibPQ", "CLogHash", "CZstd", "RegulaBytecode", "RegulaJSON"]),
    .target(
      name: "RegulaServer",
      dependencies: [
        "Regula", "RegulaLog", "COpenAPI",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
      ]
    ),
    // `regula lsp`: the Language Server (Docs/editors.md).
    .target(name: "RegulaLanguageServer", dependencies: ["Regula"]),
    .target(name: "RegulaSource", dependencies: ["RegulaJSON"]),
    .target(name: "RegulaNumerics", dependencies: ["CGMP"]),
    .target(name: "RegulaSyntax", dependencies: ["RegulaSource"]),
    .target(name: "RegulaSema", dependencies: ["RegulaSyntax"]),
    .target(name: "RegulaBytecode"),
    .target(name: "RegulaJSON"),
    .target(
      name: "RegulaVM",
      dependencies: ["RegulaBytecode", "RegulaNumerics", "RegulaJSON", "CPrefetch"]),
    // `__builtin_prefetch` for the VM's block evaluation (a header's inline function).
    .target(name: "CPrefetch"),
    .target(name: "RegulaCompiler", dependencies: ["RegulaIR", "RegulaBytecode"]),
    .target(name: "Regula", dependencies: ["RegulaCompiler", "RegulaVM"]),
    .target(name: "RegulaIR", dependencies: ["RegulaSema", "RegulaNumerics", "RegulaJSON"]),
    .executableTarget(name: "RegulaNumericsBench", dependencies: ["RegulaNumerics"]),
    // Counts allocations per thread for `regula bench` (wraps glibc's malloc family).
    .target(name: "CAllocationCounter"),
    // C's `stdout`, checked when the command exits (a mutable C global Swift 6 cannot read).
    .target(name: "CProcess"),
    .executableTarget(
      name: "RegulaCLI",
      dependencies: [
        "RegulaSema", "RegulaNumerics", "RegulaIR", "RegulaBytecode", "RegulaCompiler", "RegulaVM",
        "Regula", "RegulaLog", "RegulaServer", "RegulaLanguageServer", "CAllocationCounter",
        "CProcess",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .testTarget(name: "RegulaNumericsTests", dependencies: ["RegulaNumerics"], exclude: ["Data"]),
    .testTarget(name: "RegulaSyntaxTests", dependencies: ["RegulaSyntax"]),
    .testTarget(name: "RegulaSemaTests", dependencies: ["RegulaSema"]),
    .testTarget(name: "RegulaBytecodeTests", dependencies: ["RegulaBytecode"]),
    .testTarget(name: "RegulaIRTests", dependencies: ["RegulaIR"]),
    .testTarget(name: "RegulaTests", dependencies: ["Regula"]),
    .testTarget(name: "RegulaCLITests", dependencies: ["RegulaCLI", "CAllocationCounter"]),
    .testTarget(name: "RegulaLogTests", dependencies: ["RegulaLog", "RegulaBytecode"]),
  ],
  swiftLanguageModes: [.v6]
)
