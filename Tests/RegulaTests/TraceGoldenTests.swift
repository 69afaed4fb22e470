// One trace golden per repository policy (issue 13, item 7): the `regula.trace/2` JSON of a
// test case of each, denied where the policy has a denial, re-recorded with
// `RECORD_GOLDEN=1 swift test`. A change to what traces show, or to the probes a policy
// compiles to, shows here first.
import Foundation
import Regula
import Testing

@Test(arguments: repositoryPolicies)
func traceMatchesGolden(_ path: String) throws {
  let policy = try #require(compilePolicy(root.appendingPathComponent(path).path))
  var evaluator = Evaluator(policy: policy)
  var chosen: (String, String)?
  try forEachTracedTestCase(policy, on: &evaluator) { test, record, evaluator in
    let trace = evaluator.traceJSON()
    if chosen == nil { chosen = (test.name, trace) }
    guard record.decisions.contains(where: { $0.reason != nil && $0.reason != "ok" }) else {
      return true
    }
    chosen = (test.name, trace)
    return false
  }
  let (name, trace) = try #require(chosen)
  let base = path.split(separator: "/").dropLast().last.map(String.init) ?? "policy"
  try expectGolden("test \(name)\n" + trace + "\n", at: "Tests/Golden/traces/\(base).json")
  let object = try JSONSerialization.jsonObject(with: Data(trace.utf8)) as? [String: Any]
  #expect(object?["schema"] as? String == "regula.trace/2")
}
