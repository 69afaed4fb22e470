// `regula bench w1`: the fixed workload, measured in one run beside the hand-written function.
import ArgumentParser
import CAllocationCounter
import Dispatch
import Foundation
import Regula

struct W1Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "w1",
    abstract: "Measure workload W1: decisions per second and ratios to hand-written Swift.")

  @Option(help: "The W1 policy.")
  var policy = "Examples/minimum-living-allowance-w1/w1.regula"

  @Option(help: "Distinct generated applications.")
  var applications = 20_000

  @Option(help: "Timed runs per measurement (the median is reported).")
  var runs = 5

  @Flag(help: "Measure only VM evaluation (for profiling).")
  var vmOnly = false

  func run() throws {
    let (compiled, sources) = CompiledPolicy.compile(path: policy, read: { readFile($0) })
    guard let compiledPolicy = compiled.output else {
      printError(DiagnosticRenderer(sources: sources).render(compiled.diagnostics) + "\n")
      throw ExitCode(1)
    }
    let apps = W1.generate(count: applications, seed: 0x5EED_0001)
    let asOf = try CivilDate(iso8601: "2024-06-01")
    let expected = apps.map { W1.decide($0) }
    guard let program = compiledPolicy.program else {
      throw ValidationError("the W1 benchmark needs the rule file")
    }
    let values = apps.map { W1Bench.value($0, program: program) }

    let native = median { () -> Int in
      var checksum = 0
      for app in apps { checksum &+= W1.decide(app).benefitFen }
      return checksum
    }
    let (vmOnly, vmAllocations) = try measureVM(
      compiledPolicy, values: values, expected: expected, asOf: asOf)
    if self.vmOnly {
      print("VM evaluation only: \(Int(Double(values.count) / vmOnly)) decisions/s")
      return
    }
    let withRecord = try measureVMWithRecord(
      compiledPolicy, values: values, asOf: asOf, rendered: false)
    let rendered = try measureVMWithRecord(
      compiledPolicy, values: values, asOf: asOf, rendered: true)
    let interpreter = try measureInterpreter(
      compiledPolicy, values: Array(values.prefix(2_000)), asOf: asOf)
    let (endToEnd, endToEndAllocations) = try measureEndToEnd(
      compiledPolicy, apps: apps, expected: expected, asOf: asOf)
    let parallel = try measureParallel(compiledPolicy, values: values, asOf: asOf)

    let nativeRate = Double(apps.count) / native
    func line(_ name: String, _ rate: Double) -> String {
      let ratio = rate / nativeRate
      return name.padding(toLength: 46, withPad: " ", startingAt: 0)
        + "\(Int(rate).formatted()) decisions/s".padding(toLength: 26, withPad: " ", startingAt: 0)
        + "ratio to (a) \(String(format: "%.3f", ratio))"
    }
    print("W1, \(apps.count) applications, median of \(runs) runs, one core unless stated")
    print(line("(a) hand-written Swift over structs", nativeRate))
    print(line("(b) Regula VM, evaluation only", Double(values.count) / vmOnly))
    print(line("(d) (b) with the decision record captured", Double(values.count) / withRecord))
    print("    record on / off: \(String(format: "%.2f", withRecord / vmOnly))× the time")
    print(line("    (b) with the record rendered as JSON", Double(values.count) / rendered))
    print("    rendered / off: \(String(format: "%.2f", rendered / vmOnly))× the time")
    print(line("    reference interpreter, evaluation only", interpreter))
    print(line("(c) Regula end to end, JSONL file to CSV file", Double(apps.count) / endToEnd))
    print(allocationLine("(e) allocations per decision, (b)", vmAllocations))
    print(allocationLine("    allocations per decision, (c)", endToEndAllocations))
    print(line("(f) Regula VM, evaluation only, 2 threads", parallel.two))
    print("    2 threads / 1 thread: \(String(format: "%.2f", parallel.two / parallel.one))×")
    print("results: every VM and end-to-end line equals the hand-written function's (checked)")
  }

  func allocationLine(_ name: String, _ perDecision: Double?) -> String {
    name.padding(toLength: 46, withPad: " ", startingAt: 0)
      + (perDecision.map { String(format: "%.3f", $0) } ?? "not counted on this platform")
  }

  /// Allocations the calling thread makes in `body`, per item; nil where not counted.
  static func allocations(per items: Int, _ body: () throws -> Void) rethrows -> Double? {
    let before = regula_allocation_count()
    try body()
    let after = regula_allocation_count()
    guard regula_allocation_count_available() != 0, items > 0 else { return nil }
    return Double(after - before) / Double(items)
  }

  /// The median wall time of `runs` runs of `body`, in seconds.
  func median<T>(_ body: () throws -> T) rethrows -> Double {
    var times: [Double] = []
    for _ in 0..<runs {
      let start = DispatchTime.now().uptimeNanoseconds
      _ = try body()
      times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return times.sorted()[times.count / 2]
  }

  static func value(_ app: W1Application, program: IRProgram) -> Value {
    let memberFields = program.records.first { $0.name == "Member" }?.fields.map(\.name) ?? []
    let members = app.members.map { member -> Value in
      .record(
        memberFields.map { name -> Value in
          switch name {
          case "age": .int(ExactInt(Int64(member.age)))
          case "monthly_income_fen": .money(Money(fen: ExactInt(Int64(member.monthlyIncomeFen))))
          case "disabled": .bool(member.disabled)
          default: .bool(member.ownsVehicle)
          }
        })
    }
    return .record(
      (program.input?.fields ?? []).map { field -> Value in
        switch field.name {
        case "id": .text(app.id)
        case "hukou_province": .enumCase(app.hukouProvince)
        case "residence_province": .enumCase(app.residenceProvince)
        case "residence_permit_months": .int(ExactInt(Int64(app.residencePermitMonths)))
        case "financial_assets_fen": .money(Money(fen: ExactInt(Int64(app.financialAssetsFen))))
        case "owns_second_home": .bool(app.ownsSecondHome)
        default: .list(members)
        }
      })
  }

  /// Loads every application into one machine, then times evaluations only; also returns the
  /// allocations per evaluation once warm.
  func measureVM(
    _ policy: CompiledPolicy, values: [Value],
    expected: [(eligible: Bool, benefitFen: Int, reason: Int)], asOf: CivilDate
  ) throws -> (seconds: Double, allocations: Double?) {
    var machine = Machine(image: policy.image)
    let inputs = values.map { machine.load($0, as: .record(policy.image.inputRecord)) }
    let jurisdiction = machine.jurisdictionIndex("national")
    for (input, want) in zip(inputs, expected) {
      machine.beginEvaluation()
      try machine.run(input: input, asOf: asOf, jurisdiction: jurisdiction)
      let benefit = machine.decisionValues[1].word
      guard (machine.decisionValues[0].word != 0) == want.eligible,
        benefit == Int64(want.benefitFen)
      else {
        throw ValidationError("the VM disagrees with the hand-written function")
      }
    }
    let allocations = try W1Bench.allocations(per: inputs.count) {
      for input in inputs {
        machine.beginEvaluation()
        try machine.run(input: input, asOf: asOf, jurisdiction: jurisdiction)
      }
    }
    let seconds = try median { () throws -> Int64 in
      var checksum: Int64 = 0
      for input in inputs {
        machine.beginEvaluation()
        try machine.run(input: input, asOf: asOf, jurisdiction: jurisdiction)
        checksum &+= machine.decisionValues[1].word
      }
      return checksum
    }
    return (seconds, allocations)
  }

  /// (b) plus the decision record: captured (decision values and reasons, failed conditions
  /// and the sorted inputs read, copied out of the machine, as a service keeps them), or
  /// rendered as its JSON line.
  func measureVMWithRecord(
    _ policy: CompiledPolicy, values: [Value], asOf: CivilDate, rendered: Bool
  ) throws -> Double {
    var evaluator = Evaluator(policy: policy)
    let inputs = values.map {
      evaluator.machine.load($0, as: .record(policy.image.inputRecord))
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(4096)
    var captured = CapturedRecord(decisions: evaluator.machine.decisionValues.count)
    return try median { () throws -> Int in
      var size = 0
      for input in inputs {
        evaluator.machine.beginEvaluation()
        try evaluator.machine.run(input: input, asOf: asOf, jurisdiction: 0)
        if rendered {
          bytes.removeAll(keepingCapacity: true)
          evaluator.appendRecordJSON(asOf: asOf, jurisdiction: "national", to: &bytes)
          size &+= bytes.count
        } else {
          captured.capture(evaluator.machine)
          size &+= captured.inputsRead.count &+ captured.failed.count
        }
      }
      return size
    }
  }

  func measureInterpreter(_ policy: CompiledPolicy, values: [Value], asOf: CivilDate) throws
    -> Double
  {
    let time = try median { () throws -> Int in
      for value in values {
        _ = try Interpreter.evaluate(policy.program!, input: value, asOf: asOf)
      }
      return values.count
    }
    return Double(values.count) / time
  }

  /// The main job as `regula batch --output-format csv` runs it: a JSONL file read in blocks,
  /// decided on one thread, written as `id,eligible,benefit,reason` lines to a file; the
  /// lines are checked against the hand-written function's. Also returns the allocations per
  /// decision (once warm).
  func measureEndToEnd(
    _ policy: CompiledPolicy, apps: [W1Application],
    expected: [(eligible: Bool, benefitFen: Int, reason: Int)],
    asOf: CivilDate
  ) throws -> (seconds: Double, allocations: Double?) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "regula-bench-\(ProcessInfo.processInfo.processIdentifier)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let input = directory.appendingPathComponent("w1.jsonl").path
    let output = directory.appendingPathComponent("w1.csv").path
    try Data(apps.map { W1.json($0) + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: input))
    let wanted = zip(apps, expected).map {
      "\($0.id),\($1.eligible),\($1.benefitFen),\(W1.reasons[$1.reason])\n"
    }.joined()
    let worker = BatchWorker(policy: policy, asOf: asOf, jurisdiction: nil, format: .csv)
    func run() throws {
      guard let reader = LineReader(path: input) else {
        throw ValidationError("cannot read \(input)")
      }
      let sink = try OutputSink(path: output)
      _ = BatchCommand.process(reader, [worker], sink, progress: nil)
      sink.close()
    }
    try run()  // warm
    let allocations = try W1Bench.allocations(per: apps.count) { try run() }
    let seconds = try median { () throws -> Int in
      try run()
      return apps.count
    }
    guard (try? String(contentsOfFile: output, encoding: .utf8)) == wanted else {
      throw ValidationError("end-to-end lines differ from the hand-written function's")
    }
    return (seconds, allocations)
  }

  /// Evaluation only on one thread and on two threads with a machine each (same image).
  func measureParallel(_ policy: CompiledPolicy, values: [Value], asOf: CivilDate) throws -> (
    one: Double, two: Double
  ) {
    func rate(threads: Int) -> Double {
      let workers = (0..<threads).map { index -> Worker in
        let chunk = values[
          (index * values.count / threads)..<((index + 1) * values.count / threads)]
        return Worker(image: policy.image, values: Array(chunk), asOf: asOf)
      }
      let time = median { () -> Int in
        DispatchQueue.concurrentPerform(iterations: threads) { workers[$0].run() }
        return values.count
      }
      return Double(values.count) / time
    }
    return (rate(threads: 1), rate(threads: 2))
  }
}

/// A decision record copied out of a machine into storage reused across decisions: what a
/// service keeps per decision before rendering it (the names and texts are the machine's).
struct CapturedRecord {
  var values: [Register]
  var reasons: [Int32]
  var failed: [(definition: Int32, reason: Int32)] = []
  var inputsRead: [Int32] = []

  init(decisions: Int) {
    values = Array(repeating: .none, count: decisions)
    reasons = Array(repeating: -1, count: decisions)
    failed.reserveCapacity(16)
    inputsRead.reserveCapacity(64)
  }

  mutating func capture(_ machine: borrowing Machine) {
    for index in values.indices {
      values[index] = machine.decisionValues[index]
      reasons[index] = machine.decisionReasons[index]
    }
    failed.removeAll(keepingCapacity: true)
    failed.append(contentsOf: machine.failedConditionIndexes)
    inputsRead.removeAll(keepingCapacity: true)
    machine.withInputsRead { inputsRead.append(contentsOf: $0) }
  }
}

/// One thread's machine and applications. Each worker is touched by exactly one thread at a
/// time (concurrentPerform gives each iteration its own index), hence `@unchecked Sendable`.
final class Worker: @unchecked Sendable {
  var machine: Machine
  let inputs: [Register]
  let asOf: CivilDate

  init(image: PolicyImage, values: [Value], asOf: CivilDate) {
    machine = Machine(image: image)
    var loaded: [Register] = []
    for value in values { loaded.append(machine.load(value, as: .record(image.inputRecord))) }
    inputs = loaded
    self.asOf = asOf
  }

  func run() {
    for input in inputs {
      machine.beginEvaluation()
      try? machine.run(input: input, asOf: asOf, jurisdiction: 0)
    }
  }
}
