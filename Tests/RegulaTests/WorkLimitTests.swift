// The step limit bounds all the work of an evaluation, counted ahead in instructions: entering
// a definition counts its longest run to a loop instruction, each loop pass the longest run to
// the next, comparing values each part, measuring a value each part; and a value built of shared
// parts (which would take longer to render than anyone can wait) stops at `value_size`.
import Regula
import Testing

/// `let x0 = [n] in let x1 = [x0, x0] in …`: a list of 2^levels leaves in a few instructions,
/// each level holding the one below twice.
private func sharedPartsPolicy(levels: Int, body: String) throws -> CompiledPolicy {
  var type = "List<Int>"
  var lets = "let x0 = [application.n] in "
  for level in 1...levels {
    type = "List<\(type)>"
    lets += "let x\(level) = [x\(level - 1), x\(level - 1)] in "
  }
  let source = """
    policy shared
    input application { n: Int }
    decision d: \(body == "value" ? type : "Bool") = \(lets)\(body == "value" ? "x\(levels)" : "x\(levels) == x\(levels)")
    """
  let files = ["shared.regula": Array(source.utf8)]
  let compiled = CompiledPolicy.compile(path: "shared.regula") { files[$0] }
  return try #require(compiled.result.output, "\(compiled.result.diagnostics)")
}

@Test func aValueOfSharedPartsStopsAtTheValueSizeLimit() throws {
  var evaluator = Evaluator(policy: try sharedPartsPolicy(levels: 25, body: "value"))
  do {
    _ = try evaluator.decide(json: Array(#"{"n":1}"#.utf8), asOf: date("2024-06-01"))
    Issue.record("a value of 2^25 leaves was decided")
  } catch {
    #expect(error.description.contains("limit `value_size`"), "\(error)")
  }
  // Small enough, it is decided (and rendered) in full.
  var small = Evaluator(policy: try sharedPartsPolicy(levels: 3, body: "value"))
  let record = try small.decide(json: Array(#"{"n":7}"#.utf8), asOf: date("2024-06-01"))
  #expect(record.json.contains("[[[[7],[7]],[[7],[7]]],[[[7],[7]],[[7],[7]]]]"))
}

@Test func comparingSharedPartsCountsEveryPartAsAStep() throws {
  var evaluator = Evaluator(policy: try sharedPartsPolicy(levels: 25, body: "compare"))
  // 2^26 parts against a limit of 2^20 steps: stopped after about a million comparisons.
  evaluator.machine.stepLimit = 1 << 20
  do {
    _ = try evaluator.decide(json: Array(#"{"n":1}"#.utf8), asOf: date("2024-06-01"))
    Issue.record("2^26 parts were compared within 2^20 steps")
  } catch {
    #expect(error.description.contains("limit `steps`"), "\(error)")
  }
  var small = Evaluator(policy: try sharedPartsPolicy(levels: 4, body: "compare"))
  let record = try small.decide(json: Array(#"{"n":7}"#.utf8), asOf: date("2024-06-01"))
  #expect(record.json.contains(#""d":{"value":true}"#))
}

/// Straight-line code with no loop counts against the step limit too: entering a definition
/// counts the longest run from its entry, in the jurisdiction entered only (each jurisdiction
/// has its own code, and charging all of it would stop large multi-level policies early).
@Test func enteringADefinitionCountsItsRunAsSteps() throws {
  let source = """
    policy calls
    enum Place { north, south }
    input application { n: Int }
    rule a: Int = application.n + 1
    rule b: Int = a * a
    decision c: Int = b + b
    level province SH {
      override a = application.n + 2
    }
    level province BJ {
      override a = application.n + 3
    }
    """
  let files = ["calls.regula": Array(source.utf8)]
  let compiled = CompiledPolicy.compile(path: "calls.regula") { files[$0] }
  let policy = try #require(compiled.result.output, "\(compiled.result.diagnostics)")
  #expect(policy.image.jurisdictions.count == 3)
  let json = Array(#"{"n":2}"#.utf8)
  var evaluator = Evaluator(policy: policy)
  #expect(
    try evaluator.decide(json: json, asOf: date("2024-06-01")).json.contains(#"{"value":18}"#))
  evaluator.machine.stepLimit = 1
  do {
    _ = try evaluator.decide(json: json, asOf: date("2024-06-01"))
    Issue.record("three definitions ran within one step")
  } catch {
    #expect(error.description.contains("limit `steps`"), "\(error)")
  }
  // One jurisdiction's code is a third of the image; its run fits in half of it.
  evaluator.machine.stepLimit = policy.image.code.count / 2
  for (place, value) in [("national", 18), ("SH", 32), ("BJ", 50)] {
    let record = try evaluator.decide(json: json, asOf: date("2024-06-01"), jurisdiction: place)
    #expect(record.json.contains("{\"value\":\(value)}"), "\(place)")
  }
}

/// Records compared whole, with facts the application left out: the VM agrees with the
/// reference interpreter (a left-out fact equals only another left-out fact).
@Test func comparedRecordsWithLeftOutFactsAgreeWithTheInterpreter() throws {
  let source = """
    policy compare
    record P { name: Text, n: Int }
    input application { a: P, b: P }
    decision same: Bool = application.a == application.b
    """
  let files = ["compare.regula": Array(source.utf8)]
  let policy = try #require(
    CompiledPolicy.compile(path: "compare.regula") { files[$0] }.result.output)
  let cases: [(Value, Value)] = [
    (.record([.unknown, .int(1)]), .record([.unknown, .int(1)])),
    (.record([.text("x"), .unknown]), .record([.text("x"), .int(0)])),
    (.record([.unknown, .int(1)]), .record([.text("x"), .int(1)])),
    (.record([.text("x"), .int(1)]), .record([.text("x"), .int(1)])),
  ]
  for (a, b) in cases {
    let (interpreted, machined) = bothAnswers(
      policy, input: .record([a, b]), asOf: date("2024-06-01"), jurisdiction: "national")
    #expect(interpreted == machined, "\(a) == \(b)")
  }
}
