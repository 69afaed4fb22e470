// The dispatch loop follows handles without checks (the verifier proves their kinds), so what
// enters the machine from outside the image is checked where it enters: typed values that do
// not fit the schema, inputs the machine did not load, definitions and jurisdictions out of
// range. Each ends in an error or a missing fact, never a trap.
import Regula
import Testing

private let source = """
  policy boundary
  enum Place { north, south }
  record Member { name: Text, age: Int }
  input application { members: List<Member>, place: Place, label: Text }
  decision total_age: Int = sum(m.age for m in application.members)
  decision named: Bool = application.label == "x"
  decision northern: Bool = application.place == north
  """

private func boundaryPolicy() throws -> CompiledPolicy {
  let files = ["boundary.regula": Array(source.utf8)]
  let compiled = CompiledPolicy.compile(path: "boundary.regula") { files[$0] }
  return try #require(compiled.result.output, "\(compiled.result.diagnostics)")
}

/// A typed application whose values do not fit the schema loads what fits; a list with an item
/// that does not fit is unknown as a whole, and so is a field of the wrong type: reading them is
/// a missing fact.
@Test func typedValuesThatDoNotFitTheSchemaAreMissingFacts() throws {
  var evaluator = Evaluator(policy: try boundaryPolicy())
  let member = Value.record([.text("Li"), .int(40)])
  let good = Value.record([.list([member]), .enumCase(0), .text("x")])
  let (values, _) = try evaluator.decideWithReasons(good, asOf: date("2024-06-01"))
  #expect(values == [.int(40), .bool(true), .bool(true)])

  let unfitting: [(Value, String)] = [
    // A list item that is not a record, or a record missing a field the decision reads.
    (.record([.list([member, .text("not a member")]), .enumCase(0), .text("x")]), "members"),
    (.record([.list([.record([.text("Li")])]), .enumCase(0), .text("x")]), "members[0].age"),
    // A number of another type: an Int where Days belong, a rational where an Int belongs.
    (
      .record([
        .list([.record([.text("Li"), .decimal(try ExactDecimal(parsing: "1.5"))])]),
        .enumCase(0), .text("x"),
      ]), "members[0].age"
    ),
    // An enum case out of range, a text given as a number, a record where a list belongs.
    (.record([.list([member]), .enumCase(7), .text("x")]), "place"),
    (.record([.list([member]), .enumCase(0), .int(1)]), "label"),
    (.record([member, .enumCase(0), .text("x")]), "members"),
  ]
  for (application, path) in unfitting {
    let (values, _) = try evaluator.decideWithReasons(application, asOf: date("2024-06-01"))
    // The decision that reads the unfitting fact is undecided; the others are decided.
    #expect(evaluator.machine.missingFacts == [path], "\(application)")
    #expect(values.filter { $0 == .unknown }.count == 1, "\(application)")
  }
}

/// The machine evaluates only an application a reader built and checked against the input
/// record: not a made-up register, not a nested record of the application, not a list.
@Test func onlyALoadedApplicationIsEvaluated() throws {
  let policy = try boundaryPolicy()
  var machine = Machine(image: policy.image)
  machine.reset()
  let input = try machine.loadApplication(
    json: Array(#"{"members":[{"name":"Li","age":40}],"place":"south","label":"y"}"#.utf8))
  let asOf = date("2024-06-01")
  let outcome = try machine.evaluate(input: input, asOf: asOf, jurisdiction: 0)
  #expect(outcome.values.first == .integer(40))

  let members = try #require(machine.facts.checkedItem(input, 0))
  let member = try #require(machine.facts.checkedItem(members, 0))
  for forged in [Register.integer(0), .integer(1_000_000), .none, .unknown, members, member] {
    machine.beginEvaluation()
    do {
      _ = try machine.evaluate(input: forged, asOf: asOf, jurisdiction: 0)
      Issue.record("\(forged) was evaluated as an application")
    } catch {
      #expect(error.description.contains("not an application loaded into this machine"))
    }
  }
  // After a reset the old application's handle is gone with it.
  machine.reset()
  #expect(throws: VMError.self) { try machine.evaluate(input: input, asOf: asOf, jurisdiction: 0) }

  // Definitions and jurisdictions out of range are errors too.
  let again = try machine.loadApplication(
    json: Array(#"{"members":[],"place":"north","label":"x"}"#.utf8))
  machine.begin(input: again, asOf: asOf)
  for (definition, jurisdiction) in [(0, 1), (0, -1), (-1, 0), (3, 0)] {
    do {
      _ = try machine.evaluateDefinition(definition, jurisdiction: jurisdiction)
      Issue.record("definition \(definition) in jurisdiction \(jurisdiction) was evaluated")
    } catch {
      #expect(error.description.contains("in this policy"), "\(error)")
    }
  }
  #expect(try machine.evaluateDefinition(1, jurisdiction: 0).0 == .bool(true))
}

/// Copies of an evaluator (or of its machine) share their buffers until one of them changes
/// something, then separate: each decides as a fresh evaluator would, whatever the other did
/// (a memoised list of one would otherwise be a handle into the other's facts).
@Test func copiesOfAnEvaluatorDecideIndependently() throws {
  let source = """
    policy copies
    record Member { name: Text, age: Int }
    input application { members: List<Member>, flag: Bool }
    rule adults: List<Member> = filter(m in application.members where m.age >= 18)
    decision adult_count: Int = count(m in adults where m.age > 0)
    decision named_li: Bool = application.flag and any(m in adults where m.name == "Li")
    """
  let files = ["copies.regula": Array(source.utf8)]
  let policy = try #require(
    CompiledPolicy.compile(path: "copies.regula") { files[$0] }.result.output)
  let applications = [
    #"{"members":[{"name":"Li","age":40},{"name":"Wu","age":9}]}"#,
    #"{"members":[{"name":"Zhao","age":30},{"name":"Li","age":50},{"name":"Qi","age":70}],"flag":true}"#,
    #"{"members":[],"flag":false}"#,
    #"{"members":[{"name":"Li","age":20}],"flag":true}"#,
  ].map { Array($0.utf8) }
  let asOf = date("2024-06-01")
  func fresh(_ json: [UInt8]) -> String {
    var evaluator = Evaluator(policy: policy)
    do { return try evaluator.decide(json: json, asOf: asOf).json } catch {
      return "\(error)"
    }
  }
  func decided(_ evaluator: inout Evaluator, _ json: [UInt8]) -> String {
    do { return try evaluator.decide(json: json, asOf: asOf).json } catch { return "\(error)" }
  }
  var first = Evaluator(policy: policy)
  for order in [[0, 1, 2, 3], [1, 0, 3, 2], [3, 3, 0, 1]] {
    // The first application stops on a missing fact after `adults` is memoised.
    #expect(decided(&first, applications[order[0]]) == fresh(applications[order[0]]))
    var second = first
    var third = first
    #expect(decided(&second, applications[order[1]]) == fresh(applications[order[1]]))
    #expect(decided(&first, applications[order[2]]) == fresh(applications[order[2]]))
    #expect(decided(&third, applications[order[3]]) == fresh(applications[order[3]]))
    #expect(decided(&second, applications[order[2]]) == fresh(applications[order[2]]))
  }
  // A copy of the machine alone, run below the evaluator.
  var machine = first.machine
  machine.reset()
  let input = try machine.loadApplication(json: applications[1])
  let outcome = try machine.evaluate(input: input, asOf: asOf, jurisdiction: 0)
  #expect(outcome.values[0] == .integer(3))
  #expect(decided(&first, applications[3]) == fresh(applications[3]))
  // A machine that has begun no evaluation answers nothing from its memo.
  var unused = Machine(image: policy.image)
  #expect(throws: VMError.self) { try unused.evaluate(input: .none, asOf: asOf, jurisdiction: 0) }
}

/// Types and images from elsewhere: a type naming a record or enum the image does not have is
/// read and rendered as unknown, and a machine for an image that does not verify is refused.
@Test func foreignTypesAndUnverifiedImagesAreRefused() throws {
  let policy = try boundaryPolicy()
  var machine = try Machine(verifying: policy.image)
  machine.reset()
  for type in [SchemaType.record(9), .list(.enumeration(-1)), .table(key: 5, value: .int)] {
    #expect(machine.load(.record([]), as: type) == .unknown)
    #expect(machine.json(.integer(0), type) == "null")
    #expect(machine.value(.integer(0), as: type) == .unknown)
  }
  var broken = policy.image
  broken.code[0] = Instruction(.field, 0, 0, 200)
  #expect(throws: VerificationError.self) { _ = try Machine(verifying: broken) }
}
