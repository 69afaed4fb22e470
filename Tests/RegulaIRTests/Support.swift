// Helpers: compile in-memory policies and evaluate applications given as JSON text.
import Foundation
import RegulaIR
import Testing

let irRepositoryRoot = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Compiles `source` (as `main.regula`, with `provinces.regula` from the golden inputs).
func compile(
  _ source: String, optimize: Bool = true, sourceLocation: SourceLocation = #_sourceLocation
) throws -> IRProgram {
  let provinces = try String(
    contentsOf: irRepositoryRoot.appendingPathComponent("Tests/Golden/inputs/provinces.regula"),
    encoding: .utf8)
  let files = ["main.regula": source, "provinces.regula": provinces]
  let (result, sources) = Pipeline.compile(
    path: "main.regula", read: { files[$0].map { Array($0.utf8) } }, optimize: optimize)
  guard let program = result.output else {
    Issue.record(
      Comment(rawValue: DiagnosticRenderer(sources: sources).render(result.diagnostics)),
      sourceLocation: sourceLocation)
    throw CancellationError()
  }
  return program
}

func date(_ text: String) -> CivilDate { try! CivilDate(iso8601: text) }

/// Evaluates every decision; returns name → JSON value text, or the error's description.
func decide(
  _ program: IRProgram, _ json: String, asOf: String = "2024-06-01",
  jurisdiction: String = "national"
) -> [String: String] {
  do {
    let input = try InputReader(program: program).read(try JSONReader.parse(Array(json.utf8)))
    let outcome = try Interpreter.evaluate(
      program, input: input, asOf: date(asOf), jurisdiction: jurisdiction)
    if !outcome.missingFacts.isEmpty {
      return ["error": "\(EvaluationError.missingFacts(outcome.missingFacts))"]
    }
    var result: [String: String] = [:]
    for decision in outcome.decisions {
      result[decision.name] =
        decision.notComputable ?? decision.value.json(decision.type, in: program)
      if let reason = decision.reason { result[decision.name + ".reason"] = reason }
    }
    return result
  } catch {
    return ["error": "\(error)"]
  }
}

func goldenInput(_ name: String) throws -> String {
  try String(
    contentsOf: irRepositoryRoot.appendingPathComponent("Tests/Golden/inputs/\(name)"),
    encoding: .utf8)
}
