// swift-tools-version:6.0
// Regula: a regulations-as-code compiler and evaluator.
//
// Modules follow the pipeline and depend one way (see Docs/architecture.md):
//   RegulaSyntax → RegulaSource;  RegulaSema → RegulaSyntax;  RegulaNumerics → CGMP;
//   RegulaBytecode → (nothing: the runtime never imports the front end);
//   RegulaCLI → RegulaSema, RegulaNumerics.
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
  ],
  targets: [
    // GMP from the system (`libgmp-dev`); linked by the module map.
    .systemLibrary(name: "CGMP", path: "Sources/CGMP"),
    .target(name: "RegulaSource", dependencies: ["RegulaJSON"]),
    .target(name: "RegulaNumerics", dependencies: ["CGMP"]),
    .target(name: "RegulaSyntax", dependencies: ["RegulaSource"]),
    .target(name: "RegulaSema", dependencies: ["RegulaSyntax"]),
    .target(name: "RegulaBytecode"),
    .target(name: "RegulaJSON"),
    .target(name: "RegulaVM", dependencies: ["RegulaBytecode", "RegulaNumerics", "RegulaJSON"]),
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
        "Regula", "CAllocationCounter", "CProcess",
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
  ],
  swiftLanguageModes: [.v6]
)
