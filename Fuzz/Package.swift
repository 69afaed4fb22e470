// swift-tools-version:6.0
// libFuzzer targets for every surface Regula exposes to untrusted bytes (Docs/testing.md).
// Built and run by `Fuzz/run-all.sh DURATION` with `-sanitize=fuzzer`; not part of the
// main package, so that its instrumented build stays apart from the normal one.
import PackageDescription

let package = Package(
  name: "RegulaFuzz",
  dependencies: [.package(name: "Regula", path: "..")],
  targets: [
    .target(name: "FuzzSupport", dependencies: [.product(name: "Regula", package: "Regula")]),
    .executableTarget(name: "FuzzCompiledFile", dependencies: ["FuzzSupport"]),
    .executableTarget(name: "FuzzEvaluate", dependencies: ["FuzzSupport"]),
    .executableTarget(name: "FuzzReaders", dependencies: ["FuzzSupport"]),
    .executableTarget(name: "FuzzBatchLines", dependencies: ["FuzzSupport"]),
    .executableTarget(name: "FuzzFrontEnd", dependencies: ["FuzzSupport"]),
  ],
  swiftLanguageModes: [.v6]
)
