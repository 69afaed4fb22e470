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

/// Both operands of a comparison missing: the VM reports the same missing fact as the
/// interpreter (the left one), whatever the operator and however the comparison is used — as
/// a value, as a condition, or fused into a jump.
@Test(arguments: ["<", "<=", ">", ">=", "==", "!="])
func comparisonsEvaluateTheirOperandsInSourceOrder(_ op: String) throws {
  let uses = [
    "decision d: Bool = application.a \(op) application.b",
    "decision d: Int = if application.a \(op) application.b then 1 else 2",
    "decision d: Bool = application.c \(op) application.d",
    "decision d: Bool\n  all of\n    application.a \(op) application.b reason ordered",
    "decision d: Bool = not (application.a \(op) application.b)",
  ]
  for use in uses {
    let source = """
      policy p
      input application { a: Int, b: Int, c: Decimal, d: Decimal }
      \(use)
      """
    let files = ["p.regula": Array(source.utf8)]
    let policy = try #require(
      CompiledPolicy.compile(path: "p.regula") { files[$0] }.result.output, "\(use)")
    let input = try InputReader(program: policy.program!).read(
      try JSONReader.parse(Array("{}".utf8)))
    let (interpreted, machined) = bothAnswers(
      policy, input: input, asOf: date("2024-06-01"), jurisdiction: "national")
    let name = use.contains("application.c") ? "c" : "a"
    #expect(interpreted.contains(#""d":{"missing_facts":["\#(name)"]}"#), "\(use)")
    #expect(machined == interpreted, "\(use)")
  }
}
