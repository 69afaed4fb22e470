// A decision declared `places N` is written with exactly N decimal places by every record
// writer (the interpreter's, the VM's record, and its fast JSON line, whose decision writer
// `regula batch` also uses for CSV cells), and the compiled file keeps the declaration.
import Foundation
import Regula
import RegulaBytecode
import Testing

@Test func aDecisionWithPlacesPrintsThemOnEveryWriter() throws {
  let source = """
    policy p
      from 2000-01-01
    input application { x: Decimal  n: Int }
    decision total: Decimal places 2 = round(application.x, half_up, 2)
    decision whole: Decimal places 3 = application.n
    decision maybe: Decimal? places 1 = if application.n > 0 then 0.5 else none
    decision plain: Decimal = round(application.x, half_up, 2)

    """
  let files = ["p.regula": Array(source.utf8)]
  let policy = try #require(CompiledPolicy.compile(path: "p.regula") { files[$0] }.result.output)
  let cases: [(x: String, n: Int64, total: String, whole: String, maybe: String, plain: String)] = [
    ("88.1", 90, "\"88.10\"", "\"90.000\"", "\"0.5\"", "\"88.1\""),
    ("-0.004", 0, "\"0.00\"", "\"0.000\"", "null", "\"0\""),
    ("88.125", -3, "\"88.13\"", "\"-3.000\"", "null", "\"88.13\""),
  ]
  for item in cases {
    let input = Value.record([.decimal(ExactDecimal(item.x)!), .int(ExactInt(item.n))])
    let (interpreted, machined) = bothAnswers(
      policy, input: input, asOf: date("2024-01-01"), jurisdiction: "national")
    #expect(interpreted == machined)
    let expected =
      "\"decisions\":{\"total\":{\"value\":\(item.total)},\"whole\":{\"value\":\(item.whole)},"
      + "\"maybe\":{\"value\":\(item.maybe)},\"plain\":{\"value\":\(item.plain)}}"
    #expect(machined.contains(expected), "\(machined)")
    // The fast JSON line is the record's text.
    var evaluator = Evaluator(policy: policy)
    let line = Array("{\"x\":\"\(item.x)\",\"n\":\(item.n)}".utf8)
    let (asOf, place) = try line.withUnsafeBufferPointer {
      try evaluator.evaluate(json: $0, asOf: date("2024-01-01"), jurisdiction: nil)
    }
    var bytes: [UInt8] = []
    evaluator.appendRecordJSON(asOf: asOf, jurisdiction: place, to: &bytes)
    #expect(String(decoding: bytes, as: UTF8.self).contains(expected))
  }
  // The compiled file keeps the places (a policy without them keeps the bytes it had: the
  // golden records' policy hashes).
  let loaded = try CompiledPolicy.load(policy.encoded())
  #expect(loaded.image.definitions.map(\.places) == [2, 3, 1, nil])
}

/// Found in review: why-not search compares a decision declared with places as the record
/// writes it, so an unchanged value is not a change.
@Test func whyNotComparesValuesWithPlacesAsWritten() throws {
  let source = """
    policy w
      from 2000-01-01
    input application { income: Int }
    decision b: Decimal places 2
      first of
        0.5 when application.income < 1000 reason low
        0 otherwise reason high

    """
  let files = ["w.regula": Array(source.utf8)]
  let policy = try #require(CompiledPolicy.compile(path: "w.regula") { files[$0] }.result.output)
  var evaluator = Evaluator(policy: policy)
  let (record, whyNot) = try evaluator.counterfactuals(
    json: Array(#"{"income": 5000}"#.utf8), asOf: date("2024-01-01"))
  #expect(record.decisions.first?.json == "\"0.00\"")
  let changes = try #require(whyNot.first).changes
  #expect(changes.count == 1)
  #expect(changes.first?.needed.json == "999", "\(changes)")
  #expect(changes.first?.value == "\"0.50\"", "\(changes)")
}
