// `NAME as of DATE` for rules and decisions: the definition, and everything it reads, evaluated
// on another date, on both engines, traced, specialised, and stopped by a missing fact.
import Foundation
import Regula
import Testing

private let source = """
  policy ad
    from 2010-01-01
  input application { d: Date  income: Int  proof: Bool? }
  parameter threshold: Int
    from 2010-01-01 until 2015-12-31 = 1000
    from 2016-01-01 = 2000
  parameter rate: Decimal
    from 2010-01-01 until 2015-12-31 = 0.10
    from 2016-01-01 = 0.15
  rule tax: Decimal = if application.income > threshold then application.income * rate else 0
  rule year_start: Date = first_day_of_year(as_of_date())
  rule eligible: Bool
    all of
      application.income > threshold reason low_income
  decision now: Decimal = tax
  decision then: Decimal = tax as of application.d
  decision both: Decimal = tax + (tax as of application.d) + tax
  decision then_year: Date = year_start as of application.d
  decision eligible_then: Bool = eligible as of application.d
  decision eligible_now: Bool = eligible
  rule proof_eligible: Bool = if application.proof ?? false then eligible else false
  decision proof_then: Bool = proof_eligible as of application.d

  """

private func compiled() throws -> CompiledPolicy {
  return try compiledSource(source, path: "ad.regula")
}

/// Tax this year and last: `tax` read on the evaluation's date and as of another.
private let taxSource = """
  policy t
    from 2010-01-01
  input application { income: Int }
  parameter rate: Decimal
    from 2010-01-01 until 2015-12-31 = 0.10
    from 2016-01-01 = 0.15
  rule tax: Decimal = application.income * rate
  decision tax_last_year: Decimal = tax as of add(first_day_of_year(as_of_date()), years(-1), end_of_month)
  decision tax_now: Decimal = tax

  """

@Test func aRuleAsOfAnotherDateIsEvaluatedOnThatDate() throws {
  let policy = try compiled()
  let input = Value.record([.date(date("2012-05-05")), .int(1500), .bool(true)])
  for candidate in [policy, try policy.specialised(asOf: date("2016-03-01"))] {
    let (interpreted, machined) = bothAnswers(
      candidate, input: input, asOf: date("2016-03-01"), jurisdiction: "national")
    #expect(interpreted == machined)
    // In 2016 the threshold is 2000 (no tax); in 2012 it is 1000 at 10%.
    for wanted in [
      "\"now\":{\"value\":\"0\"}", "\"then\":{\"value\":\"150\"}", "\"both\":{\"value\":\"150\"}",
      "\"then_year\":{\"value\":\"2012-01-01\"}",
      "\"eligible_then\":{\"value\":true}", "\"eligible_now\":{\"value\":false}",
      "\"failed_conditions\":[{\"definition\":\"eligible\",\"reason\":\"low_income\"}]",
    ] {
      #expect(machined.contains(wanted), "\(wanted) in \(machined)")
    }
  }
}

@Test func anAsOfReadIsTracedWithItsDate() throws {
  let policy = try compiled()
  var evaluator = Evaluator(policy: policy)
  evaluator.machine.isTracing = true
  _ = try evaluator.record(
    for: .record([.date(date("2012-05-05")), .int(1500), .bool(true)]),
    asOf: date("2016-03-01"), jurisdiction: "national")
  let trace = evaluator.buildTrace()
  let then = try #require(trace.roots.first { $0.name == "then" })
  let read = try #require(then.children.first { $0.kind == .call })
  #expect(read.function == "tax")
  #expect(read.asOf == "2012-05-05")
  #expect(read.value?.json == "\"150\"")
  // Inside: `tax` evaluated on that date, with the 2012 threshold.
  let tax = try #require(read.children.first { $0.kind == .definition })
  #expect(tax.name == "tax" && tax.isCached == false)
  #expect(tax.value?.json == "\"150\"")
  #expect(trace.json.contains("\"as_of\":\"2012-05-05\""))
  #expect(evaluator.traceJSON() == trace.json)
  #expect(read.summary.contains("evaluated as of 2012-05-05"))
}

@Test func anAsOfDateOutsideThePolicyStopsBothEngines() throws {
  let policy = try compiled()
  let (interpreted, machined) = bothAnswers(
    policy, input: .record([.date(date("2009-12-31")), .int(1500), .bool(true)]),
    asOf: date("2016-03-01"), jurisdiction: "national")
  #expect(
    interpreted
      == "error: a definition read `as of` 2009-12-31 cannot be evaluated: the policy is not in force on that date"
  )
  #expect(machined.hasPrefix(interpreted), "\(machined)")
}

/// A fact missing on the other date leaves that decision undecided; the decisions after it
/// are decided on the evaluation's own date again.
@Test func aMissingFactOnAnotherDateLeavesTheRestOnTheirOwnDate() throws {
  let policy = try compiled()
  let (interpreted, machined) = bothAnswers(
    policy, input: .record([.date(date("2012-05-05")), .int(1500), .unknown]),
    asOf: date("2016-03-01"), jurisdiction: "national")
  #expect(interpreted == machined)
  #expect(machined.contains("\"missing_facts\":[\"proof\"]"), "\(machined)")
  var evaluator = Evaluator(policy: policy)
  try evaluator.select(decisions: ["proof_then", "eligible_now", "now"])
  let record = try evaluator.record(
    for: .record([.date(date("2012-05-05")), .int(1500), .unknown]), asOf: date("2016-03-01"),
    jurisdiction: "national")
  #expect(record.json.contains("\"eligible_now\":{\"value\":false}"))
  #expect(record.json.contains("\"now\":{\"value\":\"0\"}"))
}

@Test func asOfIsCheckedAsADefinitionRead() throws {
  let cases: [(String, DiagnosticCode)] = [
    ("rule a: Int = (a as of as_of_date()) + 1\ndecision d: Int = a", .dependencyCycle),
    ("rule f(x: Int): Int = x\ndecision d: Int = f as of as_of_date()", .functionNotCalled),
    ("rule a: Int = 1\ndecision d: Int = a as of 3", .typeMismatch),
  ]
  for (body, code) in cases {
    let text = "policy x\n  from 2010-01-01\ninput application { n: Int }\n" + body + "\n"
    let files = ["x.regula": Array(text.utf8)]
    let result = CompiledPolicy.compile(path: "x.regula") { files[$0] }.result
    #expect(result.output == nil, "\(body)")
    #expect(result.diagnostics.contains { $0.code == code }, "\(body): \(result.diagnostics)")
  }
}

/// A definition evaluated on another date first is evaluated again on the evaluation's own
/// date, not taken from the other date's memo (read from JSON, as `regula eval` does).
@Test func aDefinitionReadOnAnotherDateFirstIsNotRememberedForTheOwnDate() throws {
  let policy = try compiledSource(taxSource, path: "t.regula")
  let (interpreted, machined) = bothAnswers(
    policy, input: .record([.int(1000)]), asOf: date("2016-06-01"), jurisdiction: "national")
  #expect(interpreted == machined)
  var evaluator = Evaluator(policy: policy)
  let record = try evaluator.decide(
    json: Array("{\"income\": 1000}".utf8), asOf: date("2016-06-01"), jurisdiction: nil)
  #expect(record.json == machined)
  #expect(
    machined.contains(
      "\"decisions\":{\"tax_last_year\":{\"value\":\"100\"},\"tax_now\":{\"value\":\"150\"}}"),
    "\(machined)")
}

/// From review: an `as of` read two levels down is evaluated again by the outer date on both
/// engines alike (the failed conditions are listed as often on each).
@Test func nestedAsOfReadsAreForgottenAtEveryLevel() throws {
  let text = """
    policy n
      from 2000-01-01
    input application { n: Int }
    rule big: Bool
      all of
        application.n > 10 reason small
    rule inner: Bool = big as of 2021-01-01
    rule middle: Bool = inner as of 2022-01-01
    decision d: Int = (if big then 1 else 0) + (if middle then 1 else 0) + (if big then 1 else 0)

    """
  let policy = try compiledSource(text, path: "n.regula")
  let (interpreted, machined) = bothAnswers(
    policy, input: .record([.int(5)]), asOf: date("2024-01-01"), jurisdiction: "national")
  #expect(interpreted == machined)
}

/// From review: when the VM's epoch counter wraps inside an evaluation (between an `as of`
/// read and the date it returns to), no memo entry of before the wrap is taken for a value of
/// after it: the records are those of a fresh machine.
@Test func anEpochWrapInsideAnEvaluationKeepsTheMemoExact() throws {
  let policy = try compiled()
  let inputs: [Value] = [
    .record([.date(date("2012-05-05")), .int(1500), .bool(true)]),
    .record([.date(date("2013-05-05")), .int(900), .bool(false)]),
    .record([.date(date("2012-05-05")), .int(2500), .unknown]),
  ]
  var fresh = Evaluator(policy: policy)
  let wanted = try inputs.map {
    try fresh.record(for: $0, asOf: date("2016-03-01"), jurisdiction: "national").json
  }
  // Every few epochs apart from the wrap, so that it falls inside an evaluation, on each side.
  for start in 0..<12 {
    var evaluator = Evaluator(policy: policy)
    evaluator.machine.lastEpoch = UInt32.max - UInt32(start)
    for _ in 0..<3 {
      for (input, expected) in zip(inputs, wanted) {
        let got = try evaluator.record(
          for: input, asOf: date("2016-03-01"), jurisdiction: "national")
        #expect(got.json == expected, "wrap at \(start)")
        #expect(evaluator.machine.largestStamp <= evaluator.machine.lastEpoch, "wrap at \(start)")
      }
    }
  }
}

/// From review: a compiled file whose `pushDate` is not `pushDate`, `call`, `popDate`, or that
/// jumps into such a group, or has a `popDate` of its own, is refused by the verifier, so the
/// dates stacked stay paired and bounded.
@Test func theVerifierKeepsDateGroupsWhole() throws {
  let policy = try compiled()
  let image = policy.image
  let push = try #require(image.code.firstIndex { $0.opcode == .pushDate })
  #expect(image.code[push + 1].opcode == .call && image.code[push + 2].opcode == .popDate)
  try Verifier.verify(image)
  // The `popDate` replaced: the push is never popped.
  var unpaired = image
  unpaired.code[push + 2] = Instruction(.step)
  #expect(throws: VerificationError.self) { try Verifier.verify(unpaired) }
  // A `popDate` without its push.
  var stray = image
  stray.code[push] = Instruction(.step)
  #expect(throws: VerificationError.self) { try Verifier.verify(stray) }
  // A jump into the group, to its `popDate`.
  var jumping = image
  if let jump = jumping.code.firstIndex(where: {
    $0.opcode == .jump && image.debug[push].definition == image.debug[Int($0.bc)].definition
  }) {
    jumping.code[jump] = Instruction(.jump, 0, wide: UInt32(push + 2))
    #expect(throws: VerificationError.self) { try Verifier.verify(jumping) }
  }
  // An entry point at the group's `call`.
  var entering = image
  let owner = Int(image.debug[push].definition)
  entering.definitions[owner].entries[0] = UInt32(push + 1)
  #expect(throws: VerificationError.self) { try Verifier.verify(entering) }
}

/// From review: the account of a decision shows an `as of` read's value with its date, and not
/// what was evaluated on that date as the evaluation's own values.
@Test func theAccountShowsAnotherDatesValueWithItsDate() throws {
  let policy = try compiledSource(taxSource, path: "t.regula")
  var evaluator = Evaluator(policy: policy)
  let (record, trace) = try evaluator.explain(
    json: Array(#"{"income":1000}"#.utf8), asOf: date("2016-06-01"))
  let account = evaluator.account(
    record: record, trace: trace, audience: .caseworker, language: "en")
  #expect(account.text.contains("tax (2015-01-01) = 100"), "\(account.text)")
  #expect(account.text.contains("tax = 150"), "\(account.text)")
  #expect(!account.text.contains("tax = 100"), "\(account.text)")
}

/// From review: after a missing fact met on another date, `Machine.evaluateDefinition` of the
/// next definition in the same evaluation runs on the evaluation's own date again.
@Test func theNextDefinitionRunsOnItsOwnDateAfterAMissingFactOnAnother() throws {
  let policy = try compiled()
  let decisions = policy.image.definitions.indices.filter {
    policy.image.definitions[$0].kind == .decision
  }
  let names = decisions.map { policy.image.definitions[$0].name }
  let proofThen = try #require(names.firstIndex(of: "proof_then").map { decisions[$0] })
  let yearNow = try #require(
    policy.image.definitions.firstIndex { $0.name == "year_start" })
  var machine = Evaluator(policy: policy).machine
  machine.reset()
  let input = machine.load(
    .record([.date(date("2012-05-05")), .int(1500), .unknown]),
    as: .record(policy.image.inputRecord))
  machine.begin(input: input, asOf: date("2016-03-01"))
  #expect(throws: VMError.self) { try machine.evaluateDefinition(proofThen, jurisdiction: 0) }
  let (register, _) = try machine.evaluateDefinition(yearNow, jurisdiction: 0)
  #expect(machine.value(register, as: .date) == .date(date("2016-01-01")))
}
