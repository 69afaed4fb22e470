// `regula bench policies`: every repository policy's test applications decided on the VM,
// evaluation only and end to end (JSON text to the record's JSON), so that a change that helps
// W1 and hurts another policy is seen. Medians of interleaved runs, one core.
import ArgumentParser
import Foundation
import Regula
import RegulaIR

struct PoliciesBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "policies",
    abstract:
      "Decide each policy's test applications: decisions per second, eval only and end to end.",
    discussion: """
      Each test file (`*-tests.regula`) under the folders given (default: Policies and Examples)
      is compiled; its tests' applications, as-of dates and jurisdictions are decided over and
      over on one machine. "eval only" loads the applications once and times the VM deciding
      them one at a time; "in blocks" the same, those of a date and jurisdiction decided up to
      64 at once (`Machine.runBlock`); "image code" one at a time with no call inlined (the
      code traced replays run); "end to end" times reading each application's JSON text and
      rendering the record as JSON. All columns come from the same interleaved runs.
      """)

  @Argument(help: "Folders searched for `*-tests.regula` files.")
  var folders: [String] = ["Policies", "Examples"]

  @Option(help: "How many interleaved runs to take the median of.")
  var runs = 5

  @Option(help: "Roughly how many decisions each timed run makes per policy.")
  var decisions = 20_000

  @Flag(
    help:
      "Instead of timing, count the opcodes the inlined code dispatches on each policy's test applications, and print the most frequent opcodes and pairs (each policy weighing the same)."
  )
  var profile = false

  /// One test application: as the VM loads it, as JSON text, and where and when it is decided.
  struct Case {
    var value: Value
    var json: [UInt8]
    var asOf: CivilDate
    var jurisdiction: String
  }

  func run() throws {
    let files = folders.flatMap { folder -> [String] in
      let found = FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []
      return found.filter { $0.hasSuffix("-tests.regula") }.map { "\(folder)/\($0)" }
    }.sorted()
    guard !files.isEmpty else {
      printError("error: no `*-tests.regula` file under \(folders.joined(separator: ", "))\n")
      throw ExitCode(1)
    }
    if profile {
      try printProfile(files)
      return
    }
    print("policy test applications, median of \(runs) interleaved runs, one core")
    print(
      "policy".padding(toLength: 44, withPad: " ", startingAt: 0)
        + "cases  "
        + ["eval only", "in blocks", "image code", "end to end"].map {
          "\($0) (decisions/s)".padding(toLength: 27, withPad: " ", startingAt: 0)
        }.joined())
    for file in files {
      let (policy, cases) = try Self.load(file)
      guard !cases.isEmpty else { continue }
      let rounds = max(1, decisions / cases.count)
      let made = cases.count * rounds
      let medians = try W1Bench.interleave(
        [
          .init(decisions: made, body: Self.evalOnly(policy, cases, rounds: rounds)),
          .init(decisions: made, body: Self.inBlocks(policy, cases, rounds: rounds)),
          .init(
            decisions: made, body: Self.evalOnly(policy, cases, rounds: rounds, inlined: false)),
          .init(decisions: made, body: Self.endToEnd(policy, cases, rounds: rounds)),
        ], runs: runs)
      func rate(_ median: Double) -> String {
        Int(Double(made) / median).formatted().padding(toLength: 27, withPad: " ", startingAt: 0)
      }
      let name = (file as NSString).lastPathComponent.replacingOccurrences(
        of: "-tests.regula", with: "")
      print(
        name.padding(toLength: 44, withPad: " ", startingAt: 0)
          + String(cases.count).padding(toLength: 7, withPad: " ", startingAt: 0)
          + rate(medians[0]) + rate(medians[1]) + rate(medians[2]) + rate(medians[3]))
    }
  }

  /// The opcode profile over `files`' test applications: each policy's counts as shares of
  /// its dispatches, averaged over the policies.
  func printProfile(_ files: [String]) throws {
    var opcodes = [Double](repeating: 0, count: 256)
    var pairs = [Double](repeating: 0, count: 256 * 256)
    var profiled: [String] = []
    var perDecision: [Int] = []
    for file in files {
      let (policy, cases) = try Self.load(file)
      guard !cases.isEmpty else { continue }
      let counts = OpcodeProfile()
      let run = Self.evalOnly(policy, cases, rounds: 1, profile: counts)
      run()
      let total = Double(max(counts.counts.reduce(0, +), 1))
      perDecision.append(Int((total / Double(cases.count)).rounded()))
      for index in opcodes.indices { opcodes[index] += Double(counts.counts[index]) / total }
      for index in pairs.indices where counts.pairs[index] > 0 {
        pairs[index] += Double(counts.pairs[index]) / total
      }
      profiled.append(
        (file as NSString).lastPathComponent.replacingOccurrences(of: "-tests.regula", with: ""))
    }
    let weight = 100 / Double(max(profiled.count, 1))
    func name(_ raw: Int) -> String { Opcode(rawValue: UInt16(raw)).map { "\($0)" } ?? "?" }
    func percent(_ share: Double) -> String { String(format: "%5.1f%%", share * weight) }
    print("opcodes dispatched by the inlined code")
    for (name, count) in zip(profiled, perDecision) {
      print("  \(name): \(count) per test application")
    }
    print("shares, averaged over the policies:")
    for raw in opcodes.indices.sorted(by: { opcodes[$0] > opcodes[$1] }).prefix(15)
    where opcodes[raw] > 0 {
      print("  \(percent(opcodes[raw]))  \(name(raw))")
    }
    print("pairs (an opcode, then the next one dispatched):")
    for index in pairs.indices.sorted(by: { pairs[$0] > pairs[$1] }).prefix(20)
    where pairs[index] > 0 {
      print("  \(percent(pairs[index]))  \(name(index / 256)) → \(name(index % 256))")
    }
  }

  /// The policy in `file`, compiled, and its test applications; exit 1 when it does not
  /// compile.
  static func load(_ file: String) throws -> (CompiledPolicy, [Case]) {
    let (result, _) = CompiledPolicy.compile(path: file) {
      FileManager.default.contents(atPath: $0).map { Array($0) }
    }
    guard let policy = result.output, let program = policy.program else {
      printError("error: \(file) does not compile\n")
      throw ExitCode(1)
    }
    return (policy, cases(of: program))
  }

  /// The applications of `program`'s tests that the reader accepts, written as `regula test`
  /// writes them (Docs/language.md §18).
  static func cases(of program: IRProgram) -> [Case] {
    guard let schema = program.input else { return [] }
    return program.tests.compactMap { test -> Case? in
      let asOf = test.asOf ?? (try? CivilDate(iso8601: "2024-01-01"))!
      var builder = Interpreter(
        program: program, input: .none, asOf: asOf, jurisdiction: "national")
      guard let given = test.given, let value = try? builder.evaluate(given) else { return nil }
      let json = Array(value.json(.record(schema.name), in: program).utf8)
      return Case(
        value: value, json: json, asOf: asOf, jurisdiction: test.jurisdiction ?? program.level)
    }
  }

  /// Evaluation only: the applications loaded once, each decided `rounds` times, by the
  /// inlined code or the image's (`Machine.runsInlinedCode`).
  static func evalOnly(
    _ policy: CompiledPolicy, _ cases: [Case], rounds: Int, inlined: Bool = true,
    profile: OpcodeProfile? = nil
  ) -> () -> Void {
    var machine = Machine(image: policy.image)
    machine.runsInlinedCode = inlined
    machine.opcodeProfile = profile
    let image = policy.image
    let loaded = cases.map { item -> (Register, CivilDate, Int) in
      let code = IRProgram.resolveJurisdiction(item.jurisdiction, among: image.jurisdictions)
      let index = code.flatMap { image.jurisdictions.firstIndex(of: $0) } ?? 0
      return (machine.load(item.value, as: .record(image.inputRecord)), item.asOf, index)
    }
    return {
      for _ in 0..<rounds {
        for (input, asOf, jurisdiction) in loaded {
          machine.beginEvaluation()
          try? machine.run(input: input, asOf: asOf, jurisdiction: jurisdiction)
        }
      }
    }
  }

  /// Evaluation only in blocks (`Machine.runBlock`): the applications of each date and
  /// jurisdiction decided together, up to 64 at a time, those a block sets aside alone; one
  /// at a time when the policy does not run in blocks.
  static func inBlocks(_ policy: CompiledPolicy, _ cases: [Case], rounds: Int) -> () -> Void {
    var machine = Machine(image: policy.image)
    let image = policy.image
    var groups: [(asOf: CivilDate, jurisdiction: Int, inputs: [Register])] = []
    for item in cases {
      let code = IRProgram.resolveJurisdiction(item.jurisdiction, among: image.jurisdictions)
      let index = code.flatMap { image.jurisdictions.firstIndex(of: $0) } ?? 0
      let input = machine.load(item.value, as: .record(image.inputRecord))
      if let at = groups.firstIndex(where: { $0.asOf == item.asOf && $0.jurisdiction == index }) {
        groups[at].inputs.append(input)
      } else {
        groups.append((item.asOf, index, [input]))
      }
    }
    return {
      for _ in 0..<rounds {
        for group in groups {
          Worker.runBlocks(
            &machine, group.inputs, asOf: group.asOf, jurisdiction: group.jurisdiction)
        }
      }
    }
  }

  /// End to end: each application's JSON text read, decided, its record rendered as JSON.
  static func endToEnd(_ policy: CompiledPolicy, _ cases: [Case], rounds: Int) -> () -> Void {
    var evaluator = Evaluator(policy: policy)
    var bytes: [UInt8] = []
    return {
      for _ in 0..<rounds {
        for item in cases {
          item.json.withUnsafeBufferPointer { buffer in
            guard
              let (asOf, place) = try? evaluator.evaluate(
                json: buffer, asOf: item.asOf, jurisdiction: item.jurisdiction)
            else { return }
            bytes.removeAll(keepingCapacity: true)
            evaluator.appendRecordJSON(asOf: asOf, jurisdiction: place, to: &bytes)
          }
        }
      }
    }
  }
}
