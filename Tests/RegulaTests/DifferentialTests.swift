// The VM agrees with the reference interpreter: on every test case beside the policies, and
// on seeded random programs and inputs.
import Foundation
import Regula
import Testing

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

func compilePolicy(_ path: String) -> CompiledPolicy? {
  CompiledPolicy.compile(path: path) { FileManager.default.contents(atPath: $0).map { Array($0) } }
    .result.output
}

/// The interpreter's and the VM's whole records for one application, as comparable text:
/// every decision's value and reason, the failed conditions, the inputs read, and any error
/// with its full message (missing facts with their positioned paths).
func bothAnswers(_ policy: CompiledPolicy, input: Value, asOf: CivilDate, jurisdiction: String) -> (
  String, String
) {
  let program = policy.program!
  let interpreted: String
  do {
    let outcome = try Interpreter.evaluate(
      program, input: input, asOf: asOf, jurisdiction: jurisdiction)
    interpreted =
      outcome.decisions.map {
        "\($0.name)=\($0.value.json($0.type, in: program)) \($0.reason ?? "-")"
      }
      .joined(separator: "; ") + recordTail(outcome.failedConditions, outcome.inputsRead)
  } catch {
    interpreted = errorKind(error)
  }
  var evaluator = Evaluator(policy: policy)
  let machined: String
  do {
    let (values, reasons) = try evaluator.decideWithReasons(
      input, asOf: asOf, jurisdiction: jurisdiction)
    let decisions = program.definitions.filter { $0.kind == .decision }
    machined =
      zip(zip(decisions, values), reasons).map { pair, reason in
        "\(pair.0.name)=\(pair.1.json(pair.0.type, in: program)) \(reason ?? "-")"
      }.joined(separator: "; ")
      + recordTail(evaluator.machine.failedConditions, evaluator.machine.inputsRead)
  } catch {
    machined = errorKind(error)
  }
  return (interpreted, machined)
}

/// The rest of a record: failed conditions in order, inputs read (sorted).
func recordTail(_ failed: [(definition: String, reason: String)], _ inputsRead: [String]) -> String
{
  " | failed " + failed.map { "\($0.definition):\($0.reason)" }.joined(separator: ",")
    + " | read " + inputsRead.sorted().joined(separator: ",")
}

/// Errors agree on their kind and whole message; missing facts on every positioned path.
func errorKind(_ error: any Error) -> String {
  switch error {
  case EvaluationError.missingFacts(let paths), VMError.missingFacts(let paths):
    return "missing " + paths.sorted().joined(separator: ",")
  case EvaluationError.runtime(let message, _): return "runtime " + message
  case VMError.runtime(let message, _): return "runtime " + message
  case EvaluationError.limit(let message, _): return "limit " + message
  case VMError.limit(let message, _): return "limit " + message
  default: return "other \(error)"
  }
}

let policyFiles = ["Policies", "Examples"].flatMap { folder -> [String] in
  let enumerator = FileManager.default.enumerator(atPath: root.appendingPathComponent(folder).path)
  return (enumerator?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".regula") }
    .map { root.appendingPathComponent(folder).appendingPathComponent($0).path }
}.sorted()

@Test(arguments: policyFiles)
func vmAgreesWithTheInterpreterOnEveryTestCase(_ path: String) throws {
  guard let policy = compilePolicy(path) else { return }
  var compared = 0
  defer { print("differential: \(path.split(separator: "/").last!): \(compared) cases") }
  // The policy specialised for each test's date decides as the general one does, on the VM
  // and on the interpreter (`IRProgram.specialised(asOf:)`).
  var specialised: [CivilDate: CompiledPolicy] = [:]
  for test in policy.program!.tests {
    compared += 1
    var builder = Interpreter(
      program: policy.program!, input: .none, asOf: test.asOf ?? date("2024-01-01"),
      jurisdiction: "national")
    guard let given = test.given, let input = try? builder.evaluate(given) else { continue }
    let jurisdiction = test.jurisdiction ?? policy.program!.level
    let (interpreted, machined) = bothAnswers(
      policy, input: input, asOf: test.asOf ?? date("2024-01-01"), jurisdiction: jurisdiction)
    #expect(interpreted == machined, "\(path): test \(test.name)")
    let asOf = test.asOf ?? date("2024-01-01")
    if specialised[asOf] == nil { specialised[asOf] = try policy.specialised(asOf: asOf) }
    let (specialInterpreted, specialMachined) = bothAnswers(
      try #require(specialised[asOf]), input: input, asOf: asOf, jurisdiction: jurisdiction)
    #expect(specialInterpreted == interpreted, "\(path): test \(test.name), specialised")
    #expect(specialMachined == interpreted, "\(path): test \(test.name), specialised, VM")
  }
}

func date(_ text: String) -> CivilDate { try! CivilDate(iso8601: text) }
