// Helpers shared by the tests that walk the repository's policies and golden files.
import Foundation
import Regula
import Testing

/// The repository's labelled policies (their test modules), for tests over every test case.
let repositoryPolicies = [
  "Policies/minimum-living-allowance/minimum-living-allowance-tests.regula",
  "Policies/pension-transfer/pension-transfer-tests.regula",
  "Policies/beijing-points-hukou/beijing-points-hukou-tests.regula",
  "Policies/shanghai-residence-points/shanghai-residence-points-tests.regula",
  "Examples/minimum-living-allowance-w1/w1.regula",
]

/// Decides every test case of `policy` that has an application, traced, on `evaluator`, and
/// calls `body` with the test and its record (the machine holds the trace); stops when `body`
/// returns false. Returns the number of cases decided.
@discardableResult
func forEachTracedTestCase(
  _ policy: CompiledPolicy, on evaluator: inout Evaluator,
  _ body: (IRTest, DecisionRecord, inout Evaluator) -> Bool
) throws -> Int {
  let program = try #require(policy.program)
  evaluator.machine.isTracing = true
  var decided = 0
  for test in program.tests {
    let asOf = test.asOf ?? date("2024-01-01")
    var builder = Interpreter(program: program, input: .none, asOf: asOf, jurisdiction: "national")
    guard let given = test.given, let input = try? builder.evaluate(given),
      let record = try? evaluator.record(
        for: input, asOf: asOf, jurisdiction: test.jurisdiction ?? program.level)
    else { continue }
    decided += 1
    if !body(test, record, &evaluator) { break }
  }
  return decided
}

/// Compares `text` with the golden file at `path` (repository-relative), or records it when
/// `RECORD_GOLDEN=1`.
func expectGolden(_ text: String, at path: String) throws {
  let url = root.appendingPathComponent(path)
  if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
    try FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
    return
  }
  let golden = try String(contentsOf: url, encoding: .utf8)
  #expect(text == golden, "golden \(path) differs; re-record with RECORD_GOLDEN=1")
}

/// The policy in `text`, compiled as the one file `path`; the test fails with the diagnostics
/// when it does not compile.
func compiledSource(
  _ text: String, path: String = "p.regula", sourceLocation: SourceLocation = #_sourceLocation
) throws -> CompiledPolicy {
  let files = [path: Array(text.utf8)]
  let result = CompiledPolicy.compile(path: path) { files[$0] }.result
  return try #require(result.output, "\(result.diagnostics)", sourceLocation: sourceLocation)
}

/// A random program (`ProgramGenerator.program()`) compiled with the generator's library.
func compiledRandom(
  _ source: String, sourceLocation: SourceLocation = #_sourceLocation
) throws -> CompiledPolicy {
  let files = [
    "random.regula": Array(source.utf8), "lib.regula": Array(ProgramGenerator.library.utf8),
  ]
  let result = CompiledPolicy.compile(path: "random.regula") { files[$0] }.result
  return try #require(result.output, "\(result.diagnostics)", sourceLocation: sourceLocation)
}
