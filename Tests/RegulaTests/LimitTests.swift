// Limits (issue 12, Docs/limits.md): every input past a limit ends in a diagnostic or an
// error naming the limit, never a crash; just under it, both engines decide and agree.
import Foundation
import Regula
import Testing

/// A policy deciding `d` from a chain of `terms` operands joined by `op`.
func chainPolicy(_ op: String, terms: Int) -> (String, String) {
  let header = "policy chain\ninput application { x: Int, b: Bool, o: Int? }\n"
  switch op {
  case "and", "or":
    return (
      header + "decision d: Bool = "
        + Array(repeating: "application.b", count: terms).joined(separator: " \(op) ") + "\n",
      #"{"x":1,"b":true}"#
    )
  case "??":
    return (
      header + "decision d: Int = "
        + Array(repeating: "application.o", count: terms).joined(separator: " ?? ") + " ?? 0\n",
      #"{"x":1,"b":true,"o":null}"#
    )
  case "not":
    return (
      header + "decision d: Bool = " + String(repeating: "not ", count: terms) + "application.b\n",
      #"{"x":1,"b":true}"#
    )
  case "neg":
    return (
      header + "decision d: Int = " + String(repeating: "- ", count: terms) + "application.x\n",
      #"{"x":1,"b":true}"#
    )
  default:
    return (
      header + "decision d: Int = "
        + Array(repeating: "application.x", count: terms).joined(separator: " \(op) ") + "\n",
      #"{"x":1,"b":true}"#
    )
  }
}

let chainOperators = ["+", "-", "*", "and", "or", "??", "not", "neg"]

/// Just under the height limit, a chain of every operator compiles, formats, and decides the
/// same on both engines — on the test's own thread, a worker of the cooperative pool.
@Test(arguments: chainOperators)
func aChainJustUnderTheLimitIsDecided(_ op: String) throws {
  let (source, json) = chainPolicy(op, terms: 250)
  let files = ["chain.regula": Array(source.utf8)]
  let compiled = CompiledPolicy.compile(path: "chain.regula") { files[$0] }
  let policy = try #require(compiled.result.output, "\(op): \(compiled.result.diagnostics)")
  let input = try InputReader(program: try #require(policy.program)).read(
    try JSONReader.parse(Array(json.utf8)))
  let (interpreted, machined) = bothAnswers(
    policy, input: input, asOf: date("2024-06-01"), jurisdiction: "national")
  #expect(interpreted == machined, "\(op)")
  #expect(!interpreted.hasPrefix("error"), "\(op): \(interpreted)")
  let file = SourceFile(id: .init(0), path: "chain.regula", text: source)
  let parsed = Parser.parse(file)
  #expect(parsed.diagnostics.isEmpty)
  #expect(!Formatter.format(parsed.syntax, file: file).isEmpty)
}

/// Far past it — a million terms of `+`, a hundred thousand of each other operator, a
/// hundred thousand `.field`s — the result is one R0108 diagnostic (R0106 for alternating
/// prefixes), with no crash in the parser, the checker or the renderer.
@Test(arguments: chainOperators + ["field", "alternating"])
func aChainFarPastTheLimitIsOneDiagnostic(_ op: String) throws {
  var source: String
  switch op {
  case "field":
    source =
      "policy chain\ninput application { x: Int }\ndecision d: Int = application"
      + String(repeating: ".x", count: 100_000) + "\n"
  case "alternating":
    source =
      "policy chain\ninput application { x: Int }\ndecision d: Int = "
      + String(repeating: "- not ", count: 100_000) + "application.x\n"
  default:
    source = chainPolicy(op, terms: op == "+" ? 1_000_000 : 100_000).0
  }
  let files = ["chain.regula": Array(source.utf8)]
  let (result, sources) = CompiledPolicy.compile(path: "chain.regula") { files[$0] }
  #expect(result.output == nil)
  let codes = result.diagnostics.map(\.code.rawValue)
  #expect(codes.first == (op == "alternating" ? "R0106" : "R0108"), "\(op): \(codes)")
  // The rendered diagnostic shows a window of the long line, not all of it.
  let rendered = DiagnosticRenderer(sources: sources).render(result.diagnostics[0])
  #expect(rendered.count < 1_000, "\(rendered.count) characters")
}

/// A chain of 998 rules, each calling the previous, is decided by both engines (the
/// interpreter recurses on a thread with a large stack); a chain whose summed depth passes
/// `IRProgram.maximumEvaluationDepth` is R0602 before either engine runs.
@Test func deepChainsOfCallsAreDecidedOrRefusedBeforeRunning() throws {
  func rules(_ count: Int, terms: Int) -> String {
    var lines = ["policy calls", "input application { x: Int }", "rule r0: Int = application.x"]
    for index in 1...count {
      lines.append("rule r\(index): Int = r\(index - 1)" + String(repeating: " + 1", count: terms))
    }
    lines.append("decision d: Int = r\(count)")
    return lines.joined(separator: "\n") + "\n"
  }
  let files = ["calls.regula": Array(rules(998, terms: 1).utf8)]
  let policy = try #require(
    CompiledPolicy.compile(path: "calls.regula") { files[$0] }.result.output)
  let (interpreted, machined) = bothAnswers(
    policy, input: .record([.int(1)]), asOf: date("2024-06-01"), jurisdiction: "national")
  #expect(interpreted == machined)
  #expect(interpreted.contains(#""d":{"value":999}"#), "\(interpreted)")
  let deep = ["calls.regula": Array(rules(40, terms: 200).utf8)]
  let refused = CompiledPolicy.compile(path: "calls.regula") { deep[$0] }.result
  #expect(refused.output == nil)
  #expect(refused.diagnostics.map(\.code.rawValue) == ["R0602"])
}
