// Errors found after checking: a policy that checks but breaks a limit of the bytecode gets
// its own diagnostic code (R0601), and every code is in the catalogue of Docs/diagnostics.md.
import Foundation
import Regula
import Testing

@Test func aPolicyBeyondTheBytecodeLimitsIsReportedAsR0601() throws {
  // Items that are not constants (a constant list is folded into the pool): each needs a
  // register, and 5,000 exceed the 4,096 registers a frame may have.
  let items = Array(repeating: "application.a", count: 5_000).joined(separator: ", ")
  let source = "policy p\ninput application { a: Int }\ndecision d: List<Int> = [\(items)]\n"
  let files = ["p.regula": Array(source.utf8)]
  let (result, sources) = CompiledPolicy.compile(path: "p.regula") { files[$0] }
  let compiled = result.output != nil
  #expect(!compiled)
  let diagnostic = try #require(result.diagnostics.first)
  #expect(diagnostic.code == .cannotCompile)
  #expect(diagnostic.message.hasPrefix("the policy cannot be compiled to bytecode: "))
  #expect(DiagnosticRenderer(sources: sources).render(result.diagnostics).contains("R0601"))
}

@Test func everyDiagnosticCodeIsInTheCatalogue() throws {
  let catalogue = try String(
    contentsOf: root.appendingPathComponent("Docs/diagnostics.md"), encoding: .utf8)
  for code in DiagnosticCode.allCases {
    #expect(
      catalogue.contains("### \(code.rawValue) — \(code.title)"),
      "Docs/diagnostics.md has no section `### \(code.rawValue) — \(code.title)`")
  }
}
