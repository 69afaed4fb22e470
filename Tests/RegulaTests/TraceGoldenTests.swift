// One trace golden per repository policy (issue 13, item 7): the `regula.trace/2` JSON of a
// test case of each, denied where the policy has a denial, re-recorded with
// `RECORD_GOLDEN=1 swift test`. A change to what traces show, or to the probes a policy
// compiles to, shows here first.
import Foundation
import Regula
import Testing

let traceGoldenPolicies = [
  "Policies/minimum-living-allowance/minimum-living-allowance-tests.regula",
  "Policies/pension-transfer/pension-transfer-tests.regula",
  "Policies/beijing-points-hukou/beijing-points-hukou-tests.regula",
  "Policies/shanghai-residence-points/shanghai-residence-points-tests.regula",
  "Examples/minimum-living-allowance-w1/w1.regula",
]

@Test(arguments: traceGoldenPolicies)
func traceMatchesGolden(_ path: String) throws {
  let policy = try #require(compilePolicy(root.appendingPathComponent(path).path))
  let program = try #require(policy.program)
  var evaluator = Evaluator(policy: policy)
  evaluator.machine.isTracing = true
  var chosen: (String, String)?
  for test in program.tests {
    let asOf = test.asOf ?? date("2024-01-01")
    var builder = Interpreter(program: program, input: .none, asOf: asOf, jurisdiction: "national")
    guard let given = test.given, let input = try? builder.evaluate(given),
      let record = try? evaluator.record(
        for: input, asOf: asOf, jurisdiction: test.jurisdiction ?? program.level)
    else { continue }
    let trace = evaluator.traceJSON()
    if chosen == nil { chosen = (test.name, trace) }
    if record.decisions.contains(where: { $0.reason != nil && $0.reason != "ok" }) {
      chosen = (test.name, trace)
      break
    }
  }
  let (name, trace) = try #require(chosen)
  let text = "test \(name)\n" + trace + "\n"
  let base = path.split(separator: "/").dropLast().last.map(String.init) ?? "policy"
  let url = root.appendingPathComponent("Tests/Golden/traces/\(base).json")
  if ProcessInfo.processInfo.environment["RECORD_GOLDEN"] == "1" {
    try FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
    return
  }
  let golden = try String(contentsOf: url, encoding: .utf8)
  #expect(text == golden, "trace golden \(base) differs; re-record with RECORD_GOLDEN=1")
  // Every node of the JSON parses, and every condition carries a line and a column.
  let object = try JSONSerialization.jsonObject(with: Data(trace.utf8)) as? [String: Any]
  #expect(object?["schema"] as? String == "regula.trace/2")
}
