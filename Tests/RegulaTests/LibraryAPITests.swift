// The library API a service uses: decisions by name, with typed values (issue 18, item 4).
import Foundation
import Regula
import Testing

@Test func decisionsAreReadByNameWithTheirTypes() throws {
  let source = """
    policy typed
    enum Place { north, south }
    input application { x: Int, place: Place, day: Date }
    decision yes: Bool = application.x > 0
    decision count: Int = application.x * 3
    decision amount: Money = fen(application.x) * 2
    decision share: Decimal = decimal(application.x) / 3
    decision half: Decimal = decimal(application.x) / 2
    decision later: Date = add(application.day, 1 month, end_of_month)
    decision where: Place = application.place
    decision label: Text = "ok"
    decision maybe: Int? = if application.x > 100 then application.x else none
    decision needs: Int = application.x + (if application.x > 1 then 0 else 0)
    """
  let policy = try #require(compileFiles([("typed.regula", source)]))
  var evaluator = Evaluator(policy: policy)
  let record = try evaluator.decide(
    json: Array(#"{"x":7,"place":"south","day":"2024-01-31"}"#.utf8), asOf: date("2024-06-01"))
  #expect(record["yes"]?.bool == true)
  #expect(record["count"]?.integer == ExactInt(21))
  #expect(record["amount"]?.money == Money(fen: ExactInt(14)))
  #expect(
    record["share"]?.decimal == (try ExactDecimal(numerator: ExactInt(7), denominator: ExactInt(3)))
  )
  #expect(record["half"]?.decimal == (try ExactDecimal(parsing: "3.5")))
  #expect(record["later"]?.date == (try CivilDate(iso8601: "2024-02-29")))
  #expect(record["where"]?.text == "south")
  #expect(record["label"]?.text == "ok")
  #expect(record["maybe"]?.isNone == true)
  #expect(record["nope"] == nil)
  // Wrong-typed reads are nil, not a guess.
  #expect(record["yes"]?.integer == nil)
  #expect(record["count"]?.bool == nil)
  // An undecided decision has no value.
  let partial = try evaluator.decide(
    json: Array(#"{"place":"south","day":"2024-01-31"}"#.utf8), asOf: date("2024-06-01"))
  #expect(partial["count"]?.isDecided == false)
  #expect(partial["count"]?.integer == nil)
  #expect(partial["label"]?.text == "ok")
}

/// A failed test shows amounts as a drafter writes them, yuan with the fen (issue 18, item 5).
@Test func aFailedTestShowsAmountsInYuanAndDurationsWithTheirUnit() throws {
  let source = """
    policy p
    input application { x: Int }
    decision d: Money = fen(application.x)
    decision m: Months = months(application.x)
    test "t" {
      as of 2024-01-01
      given {
        x: 45005
      }
      expect d = 600 yuan
      expect m = 2 months
    }
    """
  let program = try #require(compileFiles([("p.regula", source)])?.program)
  let results = TestRunner.run(program, defaultAsOf: nil)
  #expect(
    results.first?.failures == [
      "d: expected 600 yuan (60000 fen), got 450.05 yuan (45005 fen)",
      "m: expected 2 months, got 45005 months",
    ])
}

/// A trace names `file:line` from the compiled file alone (issue 18, item 4): the lines are
/// in the debug table, so a policy loaded from its bytes, with no source at hand, gives them.
@Test func aTraceNamesLinesFromTheCompiledFileAlone() throws {
  let source =
    "policy lines\ninput application { x: Int }\n\nrule r: Int = application.x\ndecision d: Int = r + 1\n"
  let built = try #require(compileFiles([("lines.regula", source)]))
  let loaded = try CompiledPolicy.load(built.encoded())
  var evaluator = Evaluator(policy: loaded)
  let (_, trace) = try evaluator.explain(json: Array(#"{"x":1}"#.utf8), asOf: date("2024-06-01"))
  let text = trace.text()
  #expect(text.contains("d = 2  (lines.regula:5:1)"), "\(text)")
  #expect(text.contains("r = 1  (lines.regula:4:1)"), "\(text)")
  #expect(trace.json.contains(#""source":{"file":"lines.regula","offset":"#))
  #expect(trace.json.contains(#","line":5,"column":1}"#))
  // A specialised policy keeps them.
  var special = Evaluator(policy: try built.specialised(asOf: date("2024-06-01")))
  let (_, again) = try special.explain(json: Array(#"{"x":1}"#.utf8), asOf: date("2024-06-01"))
  #expect(again.text() == text)
}

/// The `Codable` bridge: the decided decisions decode into a service's own struct.
@Test func decisionsDecodeIntoAServicesOwnType() throws {
  struct W1Result: Decodable, Equatable {
    var eligible: Bool
    var benefit_fen: Int
  }
  let policy = try #require(
    compilePolicy(
      root.appendingPathComponent("Examples/minimum-living-allowance-w1/w1.regula").path))
  var evaluator = Evaluator(policy: policy)
  let application = try Array(
    Data(
      contentsOf: root.appendingPathComponent(
        "Examples/minimum-living-allowance-w1/example-application.json")))
  let record = try evaluator.decide(json: application, asOf: date("2024-06-01"))
  #expect(try record.decode(W1Result.self) == W1Result(eligible: true, benefit_fen: 67100))
  struct Wrong: Decodable { var eligible: String }
  #expect(throws: DecodingError.self) { _ = try record.decode(Wrong.self) }
}
