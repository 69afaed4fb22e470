// swift-tools-version:6.0
// libFuzzer targets for Regula, kept out of the main package because they only link with
// `-sanitize=fuzzer`. Build and run: see Docs/testing.md.
import PackageDescription

let package = Package(
  name: "RegulaFuzz",
  dependencies: [.package(name: "Regula", path: "..")],
  targets: [
    .executableTarget(
      name: "FuzzFrontend",
      dependencies: [.product(name: "RegulaSema", package: "Regula")],
      swiftSettings: [.unsafeFlags(["-parse-as-library"])]
    )
  ],
  swiftLanguageModes: [.v6]
)
