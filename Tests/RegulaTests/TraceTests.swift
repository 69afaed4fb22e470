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

/// The lines of W1's sample applications (JSON Lines, one application each).
func w1SampleLines() throws -> [Substring] {
  try String(
    contentsOf: root.appendingPathComponent(
      "Examples/minimum-living-allowance-w1/sample-applications.jsonl"), encoding: .utf8
  ).split(separator: "\n")
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
  #expect(trace.roots[1].value?.json == "67100")
  #expect(trace.roots[1].value?.display == "671.00 yuan")
  #expect(trace.roots[0].reason == "ok")
  #expect(trace.roots[0].citation == "Workload W1, Rule 7")
  let perCapita = trace.roots[0].children.first?.children.first { $0.name == "per_capita" }
  #expect(perCapita?.value?.display == "1250.00 yuan")
  #expect(
    perCapita?.children.filter { $0.kind == .definition }.map(\.name).sorted() == [
      "counted_income", "size",
    ])
  // Every rounding appears, with the value before and the result.
  let rounding = try #require(perCapita?.children.first { $0.kind == .rounding })
  #expect(rounding.text == "round(counted_income / size, down)")
  #expect(rounding.operands.map(\.value.display) == ["2500.00 yuan"])
  #expect(rounding.value?.display == "1250.00 yuan")
  #expect(rounding.summary.contains("= 1250.00 yuan"))
  // Tracing is off again afterwards, and the next decision is unchanged.
  #expect(try evaluator.decide(json: w1ExampleBytes, asOf: asOf).json == plain.json)
  #expect(evaluator.machine.trace.count == 0 || !evaluator.machine.isTracing)
}

/// W1 line 1 of the sample: denied for income. The trace names the failed comparison with both
/// operands in yuan, the entry of the standard table used, each member's contribution by
/// position, and the conditions after the failed one as not evaluated.
@Test func aDenialIsExplainedConditionByCondition() throws {
  var evaluator = Evaluator(policy: try w1Policy())
  let application = Array(
    #"{"id":"A0000001","hukou_province":"JS","residence_province":"GZ","residence_permit_months":196,"financial_assets_fen":1630163,"owns_second_home":false,"members":[{"age":20,"monthly_income_fen":77468,"disabled":false,"owns_vehicle":true}]}"#
      .utf8)
  let (record, trace) = try evaluator.explain(json: application, asOf: date("2024-06-01"))
  #expect(record.decisions[0].reason == "income")
  let eligible = trace.roots[0]
  let conditions = eligible.children.filter { $0.kind == .condition }
  #expect(conditions.map(\.position) == [0, 1, 2, 3])
  #expect(conditions.map(\.isEvaluated) == [true, false, false, false])
  #expect(conditions[0].outcome == false)
  #expect(conditions[0].reason == "income")
  #expect(conditions[0].text == "per_capita < local_standard")
  #expect(conditions[0].line == 77 && conditions[0].column == 5)
  #expect(conditions[3].reason == "housing")
  let comparison = try #require(conditions[0].children.last)
  #expect(comparison.kind == .comparison)
  #expect(comparison.comparisonText == "per_capita (774.68 yuan) < local_standard (690.00 yuan)")
  #expect(comparison.outcome == false)
  func all(_ node: Trace.Node) -> [Trace.Node] { [node] + node.children.flatMap(all) }
  let nodes = trace.roots.flatMap(all)
  let lookup = try #require(nodes.first { $0.kind == .lookup })
  #expect(lookup.summary == "standard[GZ] = 690.00 yuan")
  let element = try #require(nodes.first { $0.kind == .element })
  #expect(element.element == "members[0]")
  #expect(element.value?.display == "774.68 yuan")
  // The table parameter is never shown whole.
  let standard = try #require(nodes.first { $0.name == "standard" && $0.kind == .definition })
  #expect(standard.value?.display == "table by Province (31 entries)")
  #expect(!trace.text().contains("139500"))
  #expect(
    trace.inputs.map(\.path).contains("members[0].monthly_income_fen")
      && trace.inputs.first { $0.path == "members[0].monthly_income_fen" }?.value.display
        == "774.68 yuan"
  )
}

@Test func traceJSONIsOneDocumentWithTheRecord() throws {
  var evaluator = Evaluator(policy: try w1Policy())
  let (record, trace) = try evaluator.explain(json: w1ExampleBytes, asOf: date("2024-06-01"))
  let object =
    try JSONSerialization.jsonObject(with: Data(trace.json(record: record).utf8))
    as? [String: Any]
  #expect(object?["schema"] as? String == "regula.trace/2")
  #expect((object?["record"] as? [String: Any])?["schema"] as? String == "regula.decision/2")
  let decisions = object?["decisions"] as? [[String: Any]]
  #expect(decisions?.first?["citation"] as? String == "Workload W1, Rule 7")
  let source = decisions?.first?["source"] as? [String: Any]
  #expect(source?["file"] as? String == "w1.regula")
  #expect(source?["line"] as? Int == 75 && source?["column"] as? Int == 1)
  // The document and the report name the exact application by its SHA-256.
  let hash = SHA256.hex(SHA256.hash(w1ExampleBytes))
  #expect(trace.inputHash == hash)
  #expect(object?["input_sha256"] as? String == hash)
  #expect(trace.html(record: record).contains(hash))
  var direct: [UInt8] = []
  evaluator.machine.isTracing = true
  _ = try evaluator.decide(json: w1ExampleBytes, asOf: date("2024-06-01"))
  evaluator.appendTraceJSON(inputHash: hash, to: &direct)
  #expect(String(decoding: direct, as: UTF8.self) == trace.json)
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

/// A compiled file's probes are verified like its code: a probe that names a register outside
/// its frame, a register of another kind than its type, an operand word, a jump outcome on an
/// instruction that is no jump, or an end without its start is refused on load, never
/// followed by a traced replay.
@Test func hostileProbesAreRefusedOnLoad() throws {
  let policy = try w1Policy()
  let image = policy.image
  #expect(!image.explanations.probes.isEmpty)
  func refused(_ change: (inout PolicyImage) -> Void) -> String? {
    var altered = image
    change(&altered)
    do {
      try Verifier.verify(altered)
      return nil
    } catch {
      return error.description
    }
  }
  let comparison = try #require(
    image.explanations.probes.firstIndex { $0.kind == .comparison && $0.a != Probe.absent })
  let lookup = try #require(image.explanations.probes.firstIndex { $0.kind == .lookup })
  let end = try #require(image.explanations.probes.firstIndex { $0.kind == .conditionEnd })
  #expect(refused { _ in } == nil)
  #expect(
    refused { $0.explanations.probes[comparison].a = 60_000 }?.contains("outside the frame") == true
  )
  #expect(refused { $0.explanations.probes[comparison].typeA = 99 }?.contains("type 99") == true)
  // The table operand of a lookup read as a text: the dataflow knows it is a table.
  #expect(
    refused {
      $0.types.append(.text)
      $0.explanations.probes[lookup].typeA = UInt32($0.types.count - 1)
    }?.contains("probe.a") == true)
  #expect(
    refused { $0.explanations.probes[end].partner = UInt32(comparison) }?.contains(
      "not a condition start") == true)
  #expect(
    refused {
      $0.explanations.probes[comparison].outcome = .jumpTakenIsTrue
      $0.explanations.probes[comparison].pc = 0
      $0.explanations.probes.sort { $0.pc < $1.pc }
    } != nil)
  #expect(refused { $0.explanations.probes[comparison].pc = UInt32($0.code.count) } != nil)
  #expect(
    refused { $0.explanations.probes[comparison].text = 1_000_000 }?.contains("out of range")
      == true)
  // Probe fields the verifier need not bound (positions, texts' content) can hold anything:
  // a traced replay over them renders, it never traps (a fuzz finding: position 2^32 - 1).
  // Every field the verifier leaves free is set to its extreme, and every rendering runs.
  var odd = image
  for index in odd.explanations.probes.indices {
    odd.explanations.probes[index].position = .max
    odd.explanations.probes[index].line = .max
    odd.explanations.probes[index].column = .max
    odd.explanations.probes[index].start = .max
    odd.explanations.probes[index].end = .max
    odd.explanations.probes[index].file = .max
  }
  for index in odd.explanations.declarations.indices {
    odd.explanations.declarations[index] = DeclarationPosition(
      file: .max, offset: .max, line: .max, column: .max)
  }
  try Verifier.verify(odd)
  var oddEvaluator = Evaluator(
    policy: try CompiledPolicy.load(
      odd.compiledFile(compilerVersion: policy.compilerVersion).encoded()))
  let denied = Array(
    #"{"id":"A1","hukou_province":"JS","residence_province":"GZ","residence_permit_months":196,"financial_assets_fen":1630163,"owns_second_home":false,"members":[{"age":20,"monthly_income_fen":77468,"disabled":false,"owns_vehicle":true}]}"#
      .utf8)
  let (_, oddTrace) = try oddEvaluator.explain(json: denied, asOf: date("2024-06-01"))
  #expect(!oddTrace.text().isEmpty)
  #expect(oddEvaluator.traceJSON() == oddEvaluator.buildTrace().json)
  let oddRecord = try oddEvaluator.decide(json: denied, asOf: date("2024-06-01"))
  #expect(!oddTrace.html(record: oddRecord).isEmpty)
  for audience in Audience.allCases {
    #expect(
      !oddEvaluator.account(record: oddRecord, trace: oddTrace, audience: audience, language: "zh")
        .text.isEmpty)
  }
  #expect(
    try oddEvaluator.counterfactuals(json: denied, asOf: date("2024-06-01")).whyNot.count == 1)
  // And a compiled file carries them: loaded, the same trace.
  let loaded = try CompiledPolicy.load(policy.encoded())
  #expect(loaded.image.explanations == image.explanations)
  var fromFile = Evaluator(policy: loaded)
  var fromSource = Evaluator(policy: policy)
  let asOf = date("2024-06-01")
  #expect(
    try fromFile.explain(json: w1ExampleBytes, asOf: asOf).trace.text()
      == fromSource.explain(json: w1ExampleBytes, asOf: asOf).trace.text())
}

/// A counterfactual is verified independently: the application rewritten with the change is
/// decided the other way, and one unit short of it (one fen) is not — the change found is the
/// nearest. A denial that no single change can lift says so.
@Test func counterfactualsAreTheNearestVerifiedChange() throws {
  var evaluator = Evaluator(policy: try w1Policy())
  let asOf = date("2024-06-01")
  let lines = try w1SampleLines().map(String.init)
  var found = 0
  var none = 0
  for line in lines.prefix(200) {
    let bytes = Array(line.utf8)
    let (record, whyNot) = try evaluator.counterfactuals(json: bytes, asOf: asOf)
    // The search leaves the evaluator deciding as before.
    #expect(try evaluator.decide(json: bytes, asOf: asOf).json == record.json)
    guard let denial = whyNot.first else {
      #expect(record.decisions[0].reason == "ok")
      continue
    }
    #expect(denial.decision == "eligible" && denial.value == "false")
    if denial.changes.isEmpty { none += 1 }
    for change in denial.changes {
      found += 1
      let object = try #require(
        try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
      func with(_ value: Int) throws -> [UInt8] {
        var changed = object
        let parts = change.path.split(separator: ".")
        if parts.count == 1 {
          changed[String(parts[0])] = change.direction == "flip" ? (value != 0) as Any : value
        } else {
          // members[N].field
          let head = parts[0]
          let index = Int(head.split(separator: "[")[1].dropLast())!
          var members = changed["members"] as! [[String: Any]]
          members[index][String(parts[1])] =
            change.direction == "flip" ? (value != 0) as Any : value
          changed["members"] = members
        }
        return Array(try JSONSerialization.data(withJSONObject: changed))
      }
      let needed = Int(
        change.needed.json == "true"
          ? "1" : change.needed.json == "false" ? "0" : change.needed.json)!
      #expect(
        try evaluator.decide(json: with(needed), asOf: asOf).decisions[0].json == change.value)
      if change.direction != "flip" {
        let short = change.direction == "at_most" ? needed + 1 : needed - 1
        #expect(try evaluator.decide(json: with(short), asOf: asOf).decisions[0].json == "false")
      }
    }
  }
  #expect(found > 10 && none > 10, "\(found) changes found, \(none) denials with none")
}

/// `inputs_read` names input fields only, on both engines: not the fields of a parameter's
/// records (`threshold` of a `List<Bracket>`), and a field read through a `first(…)` binding
/// by its input path (`members[].age`); the trace gives each with its position and value.
@Test func inputsReadNameInputFieldsOnly() throws {
  let source = """
    policy p
    record Bracket { threshold: Money, rate: Int }
    record Member { age: Int, income: Money }
    input application { members: List<Member>, income: Money }
    parameter brackets: List<Bracket> = [{ threshold: 100 yuan, rate: 1 }, { threshold: 500 yuan, rate: 2 }]
    rule band: Int = match first(b in brackets where b.threshold >= application.income) {
      some b: b.rate
      none: 0
    }
    rule oldest: Int = match first(m in application.members where m.age > 60) {
      some m: m.age
      none: 0
    }
    decision d: Int = band + oldest
    """
  let policy = try #require(compileFiles([("p.regula", source)]))
  let input = try InputReader(program: try #require(policy.program)).read(
    try JSONReader.parse(
      Array(#"{"members":[{"age":50,"income":0},{"age":70,"income":0}],"income":20000}"#.utf8)))
  let (interpreted, machined) = bothAnswers(
    policy, input: input, asOf: date("2024-01-01"), jurisdiction: "national")
  #expect(interpreted == machined)
  #expect(machined.contains(#""inputs_read":["income","members","members[].age"]"#), "\(machined)")
  var evaluator = Evaluator(policy: policy)
  let (_, trace) = try evaluator.explain(
    json: Array(#"{"members":[{"age":50,"income":0},{"age":70,"income":0}],"income":20000}"#.utf8),
    asOf: date("2024-01-01"))
  #expect(trace.inputs.map(\.path) == ["income", "members", "members[0].age", "members[1].age"])
  #expect(trace.inputs.last?.value.display == "70")
}
