// A `first of` case that binds the value its condition found (`when some NAME = EXPR and …`):
// both engines, the trace, and the checker.
import Foundation
import Regula
import Testing

private let source = """
  policy cb
    from 2000-01-01
  input application { current: Int?  previous: Int?  floor: Int }
  rule chosen: Int
    first of
      c * 10 when some c = application.current and c >= application.floor reason current
      p when some p = application.previous reason previous
      0 otherwise reason nothing
  decision result: Int = chosen
  decision why: Text = reason of chosen

  """

@Test func aCaseBindsTheValueItsConditionFound() throws {
  let policy = try compiledSource(source, path: "cb.regula")
  let cases: [(Value, String)] = [
    (
      .record([.int(7), .int(3), .int(5)]),
      "{\"result\":{\"value\":70},\"why\":{\"value\":\"current\"}}"
    ),
    (
      .record([.int(4), .int(3), .int(5)]),
      "{\"result\":{\"value\":3},\"why\":{\"value\":\"previous\"}}"
    ),
    (
      .record([.none, .int(3), .int(5)]),
      "{\"result\":{\"value\":3},\"why\":{\"value\":\"previous\"}}"
    ),
    (
      .record([.none, .none, .int(5)]), "{\"result\":{\"value\":0},\"why\":{\"value\":\"nothing\"}}"
    ),
    // The binding is evaluated first: an absent current needs no floor.
    (
      .record([.none, .int(2), .unknown]),
      "{\"result\":{\"value\":2},\"why\":{\"value\":\"previous\"}}"
    ),
    (.record([.int(1), .none, .unknown]), "\"missing_facts\":[\"floor\"]"),
  ]
  for (input, wanted) in cases {
    let (interpreted, machined) = bothAnswers(
      policy, input: input, asOf: date("2024-01-01"), jurisdiction: "national")
    #expect(interpreted == machined)
    #expect(machined.contains(wanted), "\(machined)")
  }
  // The trace shows the whole condition, binding included, with its outcome.
  var evaluator = Evaluator(policy: policy)
  evaluator.machine.isTracing = true
  _ = try evaluator.record(
    for: .record([.int(4), .int(3), .int(5)]), asOf: date("2024-01-01"), jurisdiction: "national")
  let trace = evaluator.buildTrace()
  let chosen = try #require(trace.roots.first { $0.name == "result" }?.children.first)
  let conditions = chosen.children.filter { $0.kind == .condition }
  #expect(
    conditions.map(\.text) == [
      "some c = application.current and c >= application.floor", "some p = application.previous",
      nil,
    ]
      || conditions.prefix(2).map(\.text) == [
        "some c = application.current and c >= application.floor", "some p = application.previous",
      ], "\(conditions.map(\.text))")
  #expect(conditions.first?.outcome == false)
  #expect(conditions.dropFirst().first?.outcome == true)
  #expect(evaluator.traceJSON() == trace.json)
}
