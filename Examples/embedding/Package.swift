// swift-tools-version:6.0
// A tiny service-side client of Regula: compile a policy once, decide applications with it.
import PackageDescription

let package = Package(
  name: "EmbeddingDemo",
  dependencies: [.package(name: "Regula", path: "../..")],
  targets: [
    .executableTarget(
      name: "EmbeddingDemo", dependencies: [.product(name: "Regula", package: "Regula")])
  ],
  swiftLanguageModes: [.v6]
)
