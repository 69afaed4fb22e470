// Traces: produced by replaying the same bytecode with tracing on, identical in outcome, and
// carrying values, reasons, citations and source positions.
import Foundation
import Regula
import Testing

func w1Policy() throws -> CompiledPolicy {
  try #require(
    compilePolicy(
      root.appendingPathComponent("Examples/minimum-living-allowance-w1/w1.regula").path))
}

let w1ExampleBytes = Array(
  """
  {"id":"A0000001","hukou_province":"GD","residence_province":"SH","residence_permit_months":14,
   "financial_assets_fen":1500000,"owns_second_home":false,
   "members":[{"age":34,"monthly_income_fen":250000,"disabled":false,"owns_vehicle":false},
              {"age":67,"monthly_income_fen":0,"disabled":true,"owns_vehicle":false}]}
  """.utf8)

@Test func aTracedDecisionIsTheUntracedOne() throws {
  var evaluator = Evaluator(policy: try w1Policy())
  let asOf = date("2024-06-01")
  let plain = try evaluator.decide(json: w1ExampleBytes, asOf: asOf)
  let (traced, trace) = try evaluator.explain(json: w1ExampleBytes, asOf: asOf)
  #expect(traced.json == plain.json)
  #expect(trace.roots.map(\.name) == ["eligible", "benefit_fen"])
  #expect(trace.roots[1].value == "67100")
  #expect(trace.roots[0].reason == "ok")
  #expect(trace.roots[0].citation == "Workload W1, Rule 7")
  let perCapita = trace.roots[0].children.first { $0.name == "per_capita" }
  #expect(perCapita?.value == "125000")
  #expect(perCapita?.children.map(\.name).sorted() == ["counted_income", "size"])
  // Tracing is off again afterwards, and the next decision is unchanged.
  #expect(try evaluator.decide(json: w1ExampleBytes, asOf: asOf).json == plain.json)
  #expect(evaluator.machine.trace.count == 0 || !evaluator.machine.isTracing)
}

@Test func traceJSONIsWellFormed() throws {
  var evaluator = Evaluator(policy: try w1Policy())
  let (_, trace) = try evaluator.explain(json: w1ExampleBytes, asOf: date("2024-06-01"))
  let object = try JSONSerialization.jsonObject(with: Data(trace.json.utf8)) as? [String: Any]
  #expect(object?["schema"] as? String == "regula.trace/1")
  let decisions = object?["decisions"] as? [[String: Any]]
  #expect(decisions?.first?["citation"] as? String == "Workload W1, Rule 7")
  #expect((decisions?.first?["source"] as? [String: Any])?["file"] as? String != nil)
}

@Test func theVMStopsAtItsStepLimitWithAClearError() throws {
  var evaluator = Evaluator(policy: try w1Policy())
  evaluator.machine.stepLimit = 3
  #expect(throws: DecisionError.self) {
    try evaluator.decide(json: w1ExampleBytes, asOf: date("2024-06-01"))
  }
  do {
    _ = try evaluator.decide(json: w1ExampleBytes, asOf: date("2024-06-01"))
  } catch {
    #expect(error.description.contains("limit `steps`"))
  }
}

@Test func aHugeListIsRefusedByItsLimitNotRead() throws {
  var evaluator = Evaluator(policy: try w1Policy())
  let members = Array(
    repeating: #"{"age":1,"monthly_income_fen":0,"disabled":false,"owns_vehicle":false}"#,
    count: 100_001
  )
  .joined(separator: ",")
  let json =
    #"{"id":"x","hukou_province":"SH","residence_province":"SH","residence_permit_months":1,"#
    + #""financial_assets_fen":0,"owns_second_home":false,"members":["# + members + "]}"
  do {
    _ = try evaluator.decide(json: Array(json.utf8), asOf: date("2024-06-01"))
    Issue.record("a list over the limit was accepted")
  } catch {
    #expect(error.description.contains("limit `list_length`"))
  }
}
