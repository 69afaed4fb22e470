// Enum cases with validity dates: an application may give a case only on its days, on both
// engines, through the JSON reader, in `regula test`, and after a compiled file's round trip.
import Foundation
import Regula
import Testing

private let source = """
  policy ec
    from 2000-01-01
  enum Status { dibao, edge from 2021-01-01, legacy as "old" from 2000-01-01 until 2020-12-31 }
  record Member { status: Status }
  input application { status: Status  members: List<Member>  maybe: Status? }
  decision is_edge: Bool = application.status == edge
  decision edge_members: Int = count(m in application.members where m.status == edge)

  """

private func compiled() throws -> CompiledPolicy {
  return try compiledSource(source, path: "ec.regula")
}

/// Cases by index: dibao 0, edge 1, legacy 2.
private func application(_ status: Int, members: [Int], maybe: Int? = nil) -> Value {
  .record([
    .enumCase(status), .list(members.map { .record([.enumCase($0)]) }),
    maybe.map { .enumCase($0) } ?? .none,
  ])
}

@Test func aCaseIsAcceptedOnlyOnItsDays() throws {
  let policy = try compiled()
  let loaded = try CompiledPolicy.load(policy.encoded())
  #expect(loaded.contentHash == policy.contentHash)
  let cases: [(Value, String, String)] = [
    (application(1, members: [1, 0]), "2021-01-01", "\"edge_members\":{\"value\":1}"),
    (application(2, members: []), "2020-12-31", "\"is_edge\":{\"value\":false}"),
    (
      application(1, members: []), "2020-12-31",
      "error: `status`: the case `edge` of `Status` is not in force on 2020-12-31 (it is in force from 2021-01-01)"
    ),
    (
      application(0, members: [0, 2]), "2021-01-01",
      "error: `members[1].status`: the case `old` of `Status` is not in force on 2021-01-01 (it is in force from 2000-01-01 until 2020-12-31)"
    ),
    (
      application(0, members: [], maybe: 1), "2020-06-01",
      "error: `maybe`: the case `edge` of `Status` is not in force on 2020-06-01 (it is in force from 2021-01-01)"
    ),
  ]
  for (input, day, wanted) in cases {
    let (interpreted, machined) = bothAnswers(
      policy, input: input, asOf: date(day), jurisdiction: "national")
    #expect(interpreted == machined)
    #expect(machined.hasPrefix(wanted) || machined.contains(wanted), "\(day): \(machined)")
    // The compiled file keeps the dates (it has no source for the interpreter).
    var evaluator = Evaluator(policy: loaded)
    let fromFile: String
    do {
      fromFile = try evaluator.record(for: input, asOf: date(day), jurisdiction: "national").json
    } catch {
      fromFile = errorKind(error)
    }
    #expect(fromFile == machined)
  }
  // Read from JSON, as `regula eval` and the service do.
  var evaluator = Evaluator(policy: policy)
  #expect(throws: DecisionError.self) {
    try evaluator.decide(
      json: Array(#"{"status":"edge","members":[]}"#.utf8), asOf: date("2020-01-01"),
      jurisdiction: nil)
  }
  let record = try evaluator.decide(
    json: Array(#"{"status":"old","members":[]}"#.utf8), asOf: date("2020-01-01"),
    jurisdiction: nil)
  #expect(record.json.contains("\"is_edge\":{\"value\":false}"))
}

@Test func aPolicyWithoutDatedCasesKeepsItsBytes() throws {
  let plain = source.replacingOccurrences(of: " from 2021-01-01", with: "")
    .replacingOccurrences(of: " from 2000-01-01 until 2020-12-31", with: "")
  let policy = try compiledSource(plain, path: "ec.regula")
  #expect(policy.image.enums.allSatisfy { $0.caseValidities.isEmpty })
  let dated = try compiled()
  #expect(dated.image.enums[0].caseValidities.count == 3)
  #expect(dated.image.enums[0].caseValidities[0] == nil)
  #expect(dated.encoded().count > policy.encoded().count)
}

/// Both engines check the jurisdiction before the application's cases: an unknown code and a
/// case out of its days give the same error, the jurisdiction's.
@Test func theJurisdictionIsCheckedBeforeTheCases() throws {
  let policy = try compiled()
  let (interpreted, machined) = bothAnswers(
    policy, input: application(1, members: []), asOf: date("2020-06-01"), jurisdiction: "ZZ")
  #expect(interpreted == machined)
  #expect(machined.contains("ZZ"), "\(machined)")
  #expect(!machined.contains("not in force"), "\(machined)")
}

/// A compiled file whose dated case ends before it starts is refused when it is read, as the
/// checker refuses the source (R0403).
@Test func aCompiledCaseEndingBeforeItStartsIsRefused() throws {
  var image = try compiled().image
  try Verifier.verify(image)
  image.enums[0].caseValidities[1] = CaseValidity(from: 18_000, until: 17_000)
  let bytes = image.compiledFile(compilerVersion: "test").encoded()
  #expect(throws: (any Error).self) { try CompiledPolicy.load(bytes) }
  image.enums[0].caseValidities[1] = CaseValidity(from: 17_000, until: 18_000)
  _ = try CompiledPolicy.load(image.compiledFile(compilerVersion: "test").encoded())
}
