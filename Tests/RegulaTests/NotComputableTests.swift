// "Not computable": a decision that needs a definition with no version in force on the date is
// not computable, its record entry naming the definition, the date and the jurisdiction; the
// other decisions are decided. Both engines, every writer.
import Foundation
import Regula
import Testing

private let source = """
  policy nc
    from 2000-01-01
    jurisdictions Province
  enum Province { SH, BJ }
  input application { income: Int }
  parameter rate: Decimal
    from 2012-01-01 = 0.15
  parameter allowance: Int = 100
  rule tax: Decimal = application.income * rate
  level province SH {
    override rate = 0.2
  }
  decision income_tax: Decimal = tax
  decision benefit: Int = allowance
  decision net: Decimal = allowance - tax
  decision rate_now: Decimal = rate

  """

private func compiled() throws -> CompiledPolicy {
  return try compiledSource(source, path: "nc.regula")
}

@Test func aDecisionNeedingADefinitionNotInForceIsNotComputable() throws {
  let policy = try compiled()
  let input = Value.record([.int(1000)])
  let (interpreted, machined) = bothAnswers(
    policy, input: input, asOf: date("2010-06-01"), jurisdiction: "national")
  #expect(interpreted == machined)
  let message = "not computable: `rate` has no version in force on 2010-06-01 in `national`"
  #expect(machined.contains("\"kind\":\"not_computable\""), "\(machined)")
  #expect(machined.contains("\"income_tax\":{\"not_computable\":\"\(message)\"}"), "\(machined)")
  #expect(machined.contains("\"benefit\":{\"value\":100}"))
  #expect(machined.contains("\"net\":{\"not_computable\":\"\(message)\"}"))
  // In a province with its own version, it is computable.
  let (inSH, inSHVM) = bothAnswers(
    policy, input: input, asOf: date("2010-06-01"), jurisdiction: "SH")
  #expect(inSH == inSHVM)
  #expect(inSHVM.contains("\"kind\":\"decided\""), "\(inSHVM)")
  // Once in force, decided.
  let (later, laterVM) = bothAnswers(
    policy, input: input, asOf: date("2013-01-01"), jurisdiction: "national")
  #expect(later == laterVM)
  #expect(laterVM.contains("\"income_tax\":{\"value\":\"150\"}"))
  // From JSON, the fast writer gives the same bytes as the record.
  var evaluator = Evaluator(policy: policy)
  let record = try evaluator.decide(
    json: Array(#"{"income":1000}"#.utf8), asOf: date("2010-06-01"), jurisdiction: nil)
  var bytes: [UInt8] = []
  evaluator.appendRecordJSON(asOf: date("2010-06-01"), jurisdiction: "national", to: &bytes)
  #expect(String(decoding: bytes, as: UTF8.self) == record.json)
  #expect(record.kind == "not_computable")
  #expect(record.text.contains("income_tax  \(message)"), "\(record.text)")
  #expect(record.decisions.first { $0.name == "benefit" }?.isDecided == true)
}

/// Missing facts outrank it in the record's kind, and a decision may be either.
@Test func missingFactsAndNotComputableDecisionsStandSideBySide() throws {
  let policy = try compiled()
  let (interpreted, machined) = bothAnswers(
    policy, input: .record([.unknown]), asOf: date("2010-06-01"), jurisdiction: "national")
  #expect(interpreted == machined)
  #expect(machined.contains("\"kind\":\"missing_facts\""), "\(machined)")
  #expect(machined.contains("\"income_tax\":{\"missing_facts\":[\"income\"]}"), "\(machined)")
  #expect(machined.contains("\"benefit\":{\"value\":100}"))
  #expect(machined.contains("\"rate_now\":{\"not_computable\":"), "\(machined)")
}

/// From review: a definition with no definition at any level of the jurisdiction is an error
/// (it does not exist there), not "not computable"; a not-computable definition of an optional
/// type shows no value in the trace; the account says "not computable" in its language, the
/// cause for caseworkers.
@Test func notDefinedIsAnErrorAndNotComputableShowsNoValue() throws {
  let text = """
    policy nd
      from 2000-01-01
      jurisdictions Province
    enum Province { SH, BJ }
    input application { income: Int }
    level province SH {
      override rate = 0.2
    }
    parameter rate: Decimal?
      from 2012-01-01 = 0.15
    decision d: Decimal? = rate
    decision e: Int = 1

    """
  let policy = try compiledSource(text, path: "nd.regula")
  let (interpreted, machined) = bothAnswers(
    policy, input: .record([.int(1)]), asOf: date("2010-06-01"), jurisdiction: "national")
  #expect(interpreted == machined)
  #expect(machined.contains("\"d\":{\"not_computable\""), "\(machined)")
  var evaluator = Evaluator(policy: policy)
  let (record, trace) = try evaluator.explain(
    json: Array(#"{"income":1}"#.utf8), asOf: date("2010-06-01"), jurisdiction: "national")
  let d = try #require(trace.roots.first { $0.name == "d" })
  #expect(d.value == nil, "\(trace.json)")
  #expect(d.children.first { $0.name == "rate" }?.value == nil, "\(trace.json)")
  #expect(evaluator.traceJSON().contains("\"definition\":\"d\"") == true)
  let citizen = evaluator.account(record: record, trace: trace, audience: .citizen, language: "zh")
  #expect(citizen.text.contains("无法计算"), "\(citizen.text)")
  #expect(!citizen.text.contains("has no version"), "\(citizen.text)")
  let caseworker = evaluator.account(
    record: record, trace: trace, audience: .caseworker, language: "en")
  #expect(caseworker.text.contains("not computable: `rate` has no version"), "\(caseworker.text)")
}

@Test func aDefinitionDefinedAtNoLevelIsAnError() throws {
  let text = """
    policy nl
      from 2000-01-01
      level province SH
      jurisdictions Province
    enum Province { SH, BJ }
    input application { income: Int }
    rule local: Int = 3
    decision d: Int = local

    """
  let policy = try compiledSource(text, path: "nl.regula")
  let (interpreted, machined) = bothAnswers(
    policy, input: .record([.int(1)]), asOf: date("2010-06-01"), jurisdiction: "national")
  #expect(interpreted == machined)
  #expect(machined.hasPrefix("error: `"), "\(machined)")
  #expect(machined.contains("is not defined in `national`"), "\(machined)")
  let (inSH, inSHVM) = bothAnswers(
    policy, input: .record([.int(1)]), asOf: date("2010-06-01"), jurisdiction: "SH")
  #expect(inSH == inSHVM)
  #expect(inSHVM.contains("\"d\":{\"value\":3}"), "\(inSHVM)")
}
