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

/// The interpreter's and the VM's whole records for one application, as their JSON text
/// (every decision's value, reason or missing facts, the failed conditions, the inputs read,
/// the missing facts), or `error: ` and the message when an engine stops.
func bothAnswers(_ policy: CompiledPolicy, input: Value, asOf: CivilDate, jurisdiction: String) -> (
  String, String
) {
  let interpreted: String
  do {
    interpreted = try policy.interpretedRecord(input, asOf: asOf, jurisdiction: jurisdiction).json
  } catch {
    interpreted = errorKind(error)
  }
  var evaluator = Evaluator(policy: policy)
  var machined: String
  var machinedError = ""
  do {
    machined = try evaluator.record(for: input, asOf: asOf, jurisdiction: jurisdiction).json
  } catch {
    machined = errorKind(error)
    machinedError = errorPlace(error)
  }
  // The image's code run untraced (no call inlined): the same record as the inlined code, and
  // an error at the same definition and position.
  evaluator.machine.runsInlinedCode = false
  var uninlined: String
  do {
    uninlined = try evaluator.record(for: input, asOf: asOf, jurisdiction: jurisdiction).json
  } catch {
    uninlined = errorKind(error) + errorPlace(error)
  }
  evaluator.machine.runsInlinedCode = true
  if uninlined != machined + machinedError {
    machined += machinedError + "\n  without inlining: " + uninlined
  }
  // A traced replay observes the same code: the same record, and a trace that builds.
  // Its JSON written from the machine's nodes is the tree's, byte for byte.
  evaluator.machine.isTracing = true
  var traced: String
  do {
    traced = try evaluator.record(for: input, asOf: asOf, jurisdiction: jurisdiction).json
    let direct = evaluator.traceJSON()
    let tree = evaluator.buildTrace().json
    if direct != tree {
      traced += "\n  trace JSON from the nodes: \(direct)\n  from the tree: \(tree)"
    }
  } catch {
    traced = errorKind(error)
  }
  if traced != machined { machined += "\n  traced replay: " + traced }
  return (interpreted, machined)
}

/// Errors agree on their whole message (a VM error's definition name aside: the interpreter
/// names none).
/// Where a runtime error was raised (its definition and source position), or nothing.
func errorPlace(_ error: DecisionError) -> String {
  if case .evaluation(_, let definition) = error { return " (in \(definition ?? "no definition"))" }
  return ""
}

func errorKind(_ error: DecisionError) -> String {
  if case .evaluation(let message, _) = error { return "error: " + message }
  return "error: \(error)"
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
    // The same records but for the policy hash: a specialised policy is another policy.
    let special = try #require(specialised[asOf])
    let (specialInterpreted, specialMachined) = bothAnswers(
      special, input: input, asOf: asOf, jurisdiction: jurisdiction)
    let general = interpreted.replacingOccurrences(of: policy.contentHash, with: "HASH")
    #expect(
      specialInterpreted.replacingOccurrences(of: special.contentHash, with: "HASH") == general,
      "\(path): test \(test.name), specialised")
    #expect(
      specialMachined.replacingOccurrences(of: special.contentHash, with: "HASH") == general,
      "\(path): test \(test.name), specialised, VM")
  }
}

func date(_ text: String) -> CivilDate { try! CivilDate(iso8601: text) }
