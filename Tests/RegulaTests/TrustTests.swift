// Trust: the places where a decision or its record was wrong (issue 11), each pinned by a test
// that compares both engines' whole records, not only values.
import Foundation
import Regula
import Testing

/// Compiles in-memory files; the first is the root.
func compileFiles(_ files: [(String, String)]) -> CompiledPolicy? {
  let table = Dictionary(uniqueKeysWithValues: files.map { ($0.0, Array($0.1.utf8)) })
  return CompiledPolicy.compile(path: files[0].0) { table[$0] }.result.output
}

func checkCodes(_ files: [(String, String)]) -> [String] {
  let table = Dictionary(uniqueKeysWithValues: files.map { ($0.0, Array($0.1.utf8)) })
  return CompiledPolicy.compile(path: files[0].0) { table[$0] }.result.diagnostics.map {
    $0.code.rawValue
  }
}

let tutorialPath = root.appendingPathComponent("Examples/tutorial/w1-tutorial.regula").path
let tutorialApplication = try! JSONReader.parse(
  Array(
    FileManager.default.contents(
      atPath: root.appendingPathComponent("Examples/tutorial/example-application.json").path)!))

@Test func everyJurisdictionOfThePolicyDecidesTheSameOnBothEngines() throws {
  let policy = try #require(compilePolicy(tutorialPath))
  let program = try #require(policy.program)
  let input = try InputReader(program: program).read(tutorialApplication)
  #expect(program.jurisdictions.contains("SH.PD"))
  for code in program.jurisdictions + ["PD", "SZ"] {
    let (interpreted, machined) = bothAnswers(
      policy, input: input, asOf: date("2024-06-01"), jurisdiction: code)
    #expect(interpreted == machined, "jurisdiction \(code)")
    #expect(!interpreted.hasPrefix("error"), "jurisdiction \(code): \(interpreted)")
  }
  // A city without a level block of its own decides as its province: Shanghai's override.
  let (city, _) = bothAnswers(policy, input: input, asOf: date("2024-06-01"), jurisdiction: "SH.PD")
  let (province, _) = bothAnswers(
    policy, input: input, asOf: date("2024-06-01"), jurisdiction: "SH")
  let (national, _) = bothAnswers(
    policy, input: input, asOf: date("2024-06-01"), jurisdiction: "national")
  // Whole records: the same but for the code decided for.
  #expect(
    city.replacingOccurrences(of: #""jurisdiction":"SH.PD""#, with: #""jurisdiction":"SH""#)
      == province)
  #expect(
    province.replacingOccurrences(of: #""jurisdiction":"SH""#, with: #""jurisdiction":"national""#)
      != national)
}

@Test func unknownJurisdictionCodesAreRefusedByBothEnginesWithTheValidOnes() throws {
  let policy = try #require(compilePolicy(tutorialPath))
  let input = try InputReader(program: policy.program!).read(tutorialApplication)
  for code in ["XX", "hi", "Hainan", "SH.XX", "", "national.SH"] {
    let (interpreted, machined) = bothAnswers(
      policy, input: input, asOf: date("2024-06-01"), jurisdiction: code)
    #expect(interpreted == machined)
    #expect(interpreted.hasPrefix("error: unknown jurisdiction `\(code)`"), "\(interpreted)")
    #expect(interpreted.contains("national, BJ, TJ"))
    var evaluator = Evaluator(policy: policy)
    #expect(throws: DecisionError.self) {
      _ = try evaluator.decide(
        json: Array(#"{"id":"x"}"#.utf8), asOf: date("2024-06-01"), jurisdiction: code)
    }
  }
}

@Test func durationsPast64BitsAreErrorsOnBothEngines() throws {
  let source = """
    policy dur
    input application {
      start: Date
      n: Int
    }
    decision later: Date = application.start + days(application.n)
    decision made: Date = date(application.n, 2, 29)
    decision scaled: Days = days(1) * application.n
    decision negated: Months = months(0) - months(application.n)
    """
  let policy = try #require(compileFiles([("dur.regula", source)]))
  for n in ["18446744073709551617", "9223372036854775808", "-9223372036854775809"] {
    let input = try InputReader(program: policy.program!).read(
      try JSONReader.parse(Array(#"{"start":"2024-01-01","n":\#(n)}"#.utf8)))
    let (interpreted, machined) = bothAnswers(
      policy, input: input, asOf: date("2024-01-01"), jurisdiction: "national")
    #expect(interpreted == machined, "n = \(n)")
    #expect(interpreted.hasPrefix("error"), "n = \(n): \(interpreted)")
  }
  // A literal count that does not fit is refused when checking.
  for literal in [
    "days(18446744073709551617)", "18446744073709551617 days", "days(9223372036854775808)",
  ] {
    let codes = checkCodes([
      ("l.regula", "policy l\ninput application { n: Int }\ndecision d: Days = \(literal)\n")
    ])
    #expect(codes == ["R0004"], "\(literal)")
  }
  #expect(
    checkCodes([
      (
        "l.regula",
        "policy l\ninput application { n: Int }\ndecision d: Date = date(18446744073709553640, 2, 29)\n"
      )
    ]) == ["R0004"])
}

@Test func aBareCitationCitesItsOwnFilesSource() throws {
  let module = """
    module rates
      source notice "国办发〔2009〕66号"
    parameter rate: Int cite "Art. 5" = 8
    parameter cap: Int cite notice "Art. 6" = 100
    """
  let policy = """
    policy p
      source measures "沪府规〔2022〕1号"
    import "rates.regula"
    input application { x: Int }
    decision d: Int cite "Art. 2" = application.x * rate + cap
    """
  let compiled = try #require(compileFiles([("p.regula", policy), ("rates.regula", module)]))
  let citations = Dictionary(
    uniqueKeysWithValues: zip(compiled.image.definitions.map(\.name), compiled.image.citations))
  #expect(citations["d"] == "沪府规〔2022〕1号, Art. 2")
  #expect(citations["rate"] == "国办发〔2009〕66号, Art. 5")
  #expect(citations["cap"] == "国办发〔2009〕66号, Art. 6")
  // A policy cannot cite a module's source by name (nor the other way round).
  let borrowing = policy.replacingOccurrences(of: "cite \"Art. 2\"", with: "cite notice \"Art. 2\"")
  #expect(checkCodes([("p.regula", borrowing), ("rates.regula", module)]) == ["R0212"])
}

@Test func thePolicyHashDoesNotDependOnThePathThatNamesTheFiles() throws {
  let module = "module m\nparameter k: Int = 3\n"
  let policy =
    "policy p\nimport \"lib/m.regula\"\ninput application { x: Int }\ndecision d: Int = k\n"
  var hashes: Set<String> = []
  for folder in ["", "a/", "/abs/olute/", "../up/", "deep/er/"] {
    let compiled = try #require(
      compileFiles([(folder + "p.regula", policy), (folder + "lib/m.regula", module)]))
    hashes.insert(compiled.contentHash)
    #expect(compiled.image.sourceFiles == ["p.regula", "lib/m.regula"], "\(folder)")
    // A compiled file carries the same identity.
    #expect(try CompiledPolicy.load(compiled.encoded()).contentHash == compiled.contentHash)
  }
  #expect(hashes.count == 1)
  // Content changes it.
  let changed = try #require(
    compileFiles([
      ("p.regula", policy), ("lib/m.regula", module.replacingOccurrences(of: "3", with: "4")),
    ]))
  #expect(!hashes.contains(changed.contentHash))
}

@Test func inputsReadListOnlyFieldsOfTheApplication() throws {
  let source = """
    policy reads
    record Bracket {
      threshold: Money
      rate: Decimal
    }
    record Person {
      age: Int
      income: Money
    }
    input application {
      people: List<Person>
      cap: Int
    }
    parameter brackets: List<Bracket> = [{ threshold: 0 fen, rate: 0.1 }, { threshold: 100 fen, rate: 0.2 }]
    rule kept: List<Person> = filter(p in application.people where p.age > 1)
    decision total: Money = sum(i.income for i in kept)
    decision oldest: Int =
      match first(p in application.people where p.age > 60) {
        some p: p.age
        none: 0
      }
    decision top: Decimal = sum(b.rate for b in brackets where b.threshold > 0 fen)
    decision capped: Int = application.cap
    """
  let policy = try #require(compileFiles([("reads.regula", source)]))
  let input = try InputReader(program: policy.program!).read(
    try JSONReader.parse(
      Array(#"{"people":[{"age":70,"income":5},{"age":0,"income":7}],"cap":3}"#.utf8)))
  let (interpreted, machined) = bothAnswers(
    policy, input: input, asOf: date("2024-01-01"), jurisdiction: "national")
  #expect(interpreted == machined)
  var evaluator = Evaluator(policy: policy)
  let record = try evaluator.decide(
    json: Array(#"{"people":[{"age":70,"income":5},{"age":0,"income":7}],"cap":3}"#.utf8),
    asOf: date("2024-01-01"))
  #expect(record.inputsRead == ["cap", "people", "people[].age"])
}

/// Decisions are independent (issue 11, item 8): a missing fact leaves undecided only the
/// decisions that need it, with the fact's positioned path (also through a filtered list and a
/// `match` binding), both engines give the same whole record, and a caller may ask for a subset.
@Test func aMissingFactLeavesOnlyTheDecisionsThatNeedItUndecided() throws {
  let source = """
    policy independent
    record Member { name: Text, age: Int, income: Money }
    input application { members: List<Member>, assets: Money, owns_home: Bool }
    rule named: List<Member> = filter(m in application.members where m.name != "")
    decision total_age: Int = sum(m.age for m in named)
    decision first_income: Money = (match first(m in application.members where m.name == "B") { some p: p.income, none: 0 fen })
    decision rich: Bool = application.assets > 100 fen
    decision homeowner: Bool = application.owns_home
    """
  let policy = try #require(compileFiles([("independent.regula", source)]))
  let json =
    #"{"members":[{"name":"A","age":40,"income":5},{"name":"B","income":7},{"name":"B","age":3}],"assets":500}"#
  let input = try InputReader(program: try #require(policy.program)).read(
    try JSONReader.parse(Array(json.utf8)))
  let asOf = date("2024-06-01")
  let (interpreted, machined) = bothAnswers(
    policy, input: input, asOf: asOf, jurisdiction: "national")
  #expect(interpreted == machined)
  for part in [
    #""total_age":{"missing_facts":["members[1].age"]}"#, #""first_income":{"value":7}"#,
    #""rich":{"value":true}"#, #""homeowner":{"missing_facts":["owns_home"]}"#,
  ] {
    #expect(interpreted.contains(part), "\(interpreted)")
  }

  var evaluator = Evaluator(policy: policy)
  let record = try evaluator.decide(json: Array(json.utf8), asOf: asOf)
  #expect(record.kind == "missing_facts")
  #expect(record.missingFacts == ["members[1].age", "owns_home"])
  #expect(record.decisions.map(\.isDecided) == [false, true, true, false])
  #expect(record.json.contains(#""total_age":{"missing_facts":["members[1].age"]}"#))
  // The record rendered from the registers is the same text.
  var bytes: [UInt8] = []
  let (day, place) = try Array(json.utf8).withUnsafeBufferPointer {
    try evaluator.evaluate(json: $0, asOf: asOf)
  }
  evaluator.appendRecordJSON(asOf: day, jurisdiction: place, to: &bytes)
  #expect(String(decoding: bytes, as: UTF8.self) == record.json)

  // A subset: only the decisions asked for are decided and listed.
  try evaluator.select(decisions: ["rich", "first_income"])
  let subset = try evaluator.decide(json: Array(json.utf8), asOf: asOf)
  #expect(subset.kind == "decided")
  #expect(subset.decisions.map(\.name) == ["first_income", "rich"])
  #expect(!subset.inputsRead.contains("owns_home"))
  bytes.removeAll()
  _ = try Array(json.utf8).withUnsafeBufferPointer { try evaluator.evaluate(json: $0, asOf: asOf) }
  evaluator.appendRecordJSON(asOf: day, jurisdiction: place, to: &bytes)
  #expect(String(decoding: bytes, as: UTF8.self) == subset.json)
  let only = try Interpreter.evaluate(
    try #require(policy.program), input: input, asOf: asOf, only: ["rich", "first_income"])
  #expect(only.decisions.map(\.name) == ["first_income", "rich"])
  #expect(throws: DecisionError.self) { try evaluator.select(decisions: ["nope"]) }
}

/// `regula test` compares whole records (issue 11, item 6): two engines whose values agree
/// but whose records differ (here, in the inputs read) are found different.
@Test func theRecordCheckFindsADifferenceBeyondTheValues() throws {
  let schema = "policy p\ninput application { x: Int, y: Int }\n"
  let plain = try #require(
    compileFiles([("p.regula", schema + "decision d: Int = application.x\n")]))
  let roundabout = try #require(
    compileFiles([
      (
        "p.regula",
        schema + "decision d: Int = if application.y == application.y then application.x else 0\n"
      )
    ]))
  let input = Value.record([.int(3), .int(4)])
  var same = Evaluator(policy: plain)
  #expect(
    plain.engineDifference(input, asOf: date("2024-06-01"), jurisdiction: "national", with: &same)
      == nil)
  var other = Evaluator(policy: roundabout)
  let difference = plain.engineDifference(
    input, asOf: date("2024-06-01"), jurisdiction: "national", with: &other)
  #expect(difference?.contains(#""inputs_read":["x","y"]"#) == true, "\(difference ?? "nil")")
  // The test runner reports what the check finds as a failure of the test.
  let program = try #require(
    compileFiles([
      (
        "p.regula",
        schema
          + "decision d: Int = application.x\ntest \"t\" {\n  given {\n    x: 1\n    y: 2\n  }\n  expect d = 1\n}\n"
      )
    ])?.program)
  let results = TestRunner.run(
    program, defaultAsOf: date("2024-06-01"), records: { _, _, _ in "differs" })
  #expect(results.map(\.failures) == [["differs"]])
}
