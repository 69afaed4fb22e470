// `regula bench w1`: the fixed workload, measured in one run beside the hand-written function.
// The measurements are interleaved — each run times every one of them in turn — so that a
// change in the machine's load during the run affects them alike; medians are reported.
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

  @Flag(help: "Measure only the traced replay rendered to JSON (for profiling).")
  var traceOnly = false

  @Flag(
    help: """
      Instead of timing, count the opcodes the inlined code dispatches per W1 decision (one \
      at a time: in blocks, each is a lane's share of a dispatch).
      """)
  var profile = false

  /// One timed workload: what it does once, over how many decisions.
  struct Measurement {
    var decisions: Int
    var body: () throws -> Void
  }

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
    if profile {
      printProfile(compiledPolicy, values: values, asOf: asOf)
      return
    }

    let native = Measurement(decisions: apps.count) {
      var checksum = 0
      for app in apps { checksum &+= W1.decide(app).benefitFen }
      W1Bench.keep(checksum)
    }
    let (vm, vmAllocations) = try vmMeasurement(
      compiledPolicy, values: values, expected: expected, asOf: asOf)
    if vmOnly {
      // Beside (a), run for run: the ratio of each run is the steadier figure on a busy machine.
      let times = try Self.interleavedTimes([native, vm], runs: runs)
      print(
        "VM evaluation only: \(Int(Double(values.count) / Self.median(times[1]))) decisions/s, "
          + "ratio to (a) "
          + String(format: "%.3f", Self.medianSpeedup(of: times[1], over: times[0])))
      return
    }
    if traceOnly {
      let tracer = Recorder(policy: compiledPolicy, values: values, asOf: asOf)
      let seconds = try interleave([
        Measurement(decisions: values.count) { try tracer.runTraced() }
      ])[0]
      print("traced replay rendered to JSON: \(Int(Double(values.count) / seconds)) decisions/s")
      return
    }
    let imageCode = Worker(image: compiledPolicy.image, values: values, asOf: asOf)
    imageCode.machine.runsInlinedCode = false
    let uninlined = Measurement(decisions: values.count) { imageCode.run() }
    let alone = Worker(image: compiledPolicy.image, values: values, asOf: asOf)
    alone.inBlocks = false
    let oneAtATime = Measurement(decisions: values.count) { alone.run() }
    let captured = recordMeasurement(compiledPolicy, values: values, asOf: asOf, rendered: false)
    let rendered = recordMeasurement(compiledPolicy, values: values, asOf: asOf, rendered: true)
    let interpreter = interpreterMeasurement(
      compiledPolicy, values: Array(values.prefix(2_000)), asOf: asOf)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "regula-bench-\(ProcessInfo.processInfo.processIdentifier)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let (endToEnd, endToEndAllocations, checkLines) = try endToEndMeasurement(
      compiledPolicy, apps: apps, expected: expected, asOf: asOf, directory: directory, jobs: 1)
    let (endToEndTwo, _, checkLinesTwo) = try endToEndMeasurement(
      compiledPolicy, apps: apps, expected: expected, asOf: asOf, directory: directory, jobs: 2)
    let one = parallelMeasurement(compiledPolicy, values: values, asOf: asOf, threads: 1)
    let two = parallelMeasurement(compiledPolicy, values: values, asOf: asOf, threads: 2)

    let tracer = Recorder(policy: compiledPolicy, values: Array(values.prefix(20_000)), asOf: asOf)
    let traced = Measurement(decisions: tracer.inputs.count) { try tracer.runTraced() }
    // One thread and two run one after the other in each round, so that each round's ratio
    // compares them under the same load on the machine.
    let measured = [
      native, vm, captured, rendered, interpreter, endToEnd, endToEndTwo, one, two, traced,
      uninlined, oneAtATime,
    ]
    let runTimes = try Self.interleavedTimes(measured, runs: runs)
    try checkLines()
    try checkLinesTwo()
    let rates = zip(measured, runTimes).map { Double($0.decisions) / Self.median($1) }
    func speedup(_ a: Int, _ b: Int) -> String {
      String(format: "%.2f", Self.medianSpeedup(of: runTimes[a], over: runTimes[b])) + "×"
    }
    let nativeRate = rates[0]
    func line(_ name: String, _ rate: Double) -> String {
      let ratio = rate / nativeRate
      return name.padding(toLength: 46, withPad: " ", startingAt: 0)
        + "\(Int(rate).formatted()) decisions/s".padding(toLength: 26, withPad: " ", startingAt: 0)
        + "ratio to (a) \(String(format: "%.3f", ratio))"
    }
    func times(_ a: Double, _ b: Double) -> String { String(format: "%.2f", a / b) + "×" }
    print(
      "W1, \(apps.count) applications, median of \(runs) interleaved runs, one core unless stated")
    print(line("(a) hand-written Swift over structs", rates[0]))
    let blocks = alone.machine.runsInBlocks ? "in blocks of \(Machine.blockLanes)" : "one at a time"
    print(line("(b) Regula VM, evaluation only", rates[1]) + " (\(blocks))")
    print(line("    (b) one application at a time", rates[11]))
    print("    blocks / one at a time: \(times(rates[1], rates[11])) the speed")
    print(line("    (b) running the image's code (no inlining)", rates[10]))
    print("    inlined / image's code: \(times(rates[1], rates[10])) the speed")
    print(line("(d) (b) with the decision record captured", rates[2]))
    print("    record on / off: \(times(rates[1], rates[2])) the time")
    print(line("    (b) with the record rendered as JSON", rates[3]))
    print("    rendered / off: \(times(rates[1], rates[3])) the time")
    print(line("    reference interpreter, evaluation only", rates[4]))
    print(line("(c) Regula end to end, JSONL file to CSV file", rates[5]))
    let copies = W1Bench.endToEndCopies(apps.count)
    print(
      "    (the file: the applications \(copies) times, \((apps.count * copies).formatted()) lines)"
    )
    print(allocationLine("(e) allocations per decision, (b)", vmAllocations))
    print(allocationLine("    allocations per decision, (c)", endToEndAllocations))
    print(line("(f) Regula VM, evaluation only, 2 threads", rates[8]))
    print(
      "    2 threads / 1 thread: \(speedup(8, 7)) (median of the runs' ratios; of the medians: "
        + "\(times(rates[8], rates[7])))")
    print(line("    (c) with --jobs 2", rates[6]))
    print(
      "    --jobs 2 / --jobs 1: \(speedup(6, 5)) (median of the runs' ratios; of the medians: "
        + "\(times(rates[6], rates[5])))")
    print(line("(g) full trace replayed, rendered as JSON", rates[9]))
    print(counterfactualLine(compiledPolicy, apps: apps, asOf: asOf))
    print("results: every VM and end-to-end line equals the hand-written function's (checked)")
  }

  /// (h) The counterfactual search for W1 denials: its median and 90th percentile time over
  /// the first 1,000 denials of the workload (each search decides the application, then again
  /// for every change it tries).
  func counterfactualLine(_ policy: CompiledPolicy, apps: [W1Application], asOf: CivilDate)
    -> String
  {
    var evaluator = Evaluator(policy: policy)
    var times: [Double] = []
    var evaluations = 0
    for app in apps where W1.decide(app).reason != 0 {
      let bytes = Array(W1.json(app).utf8)
      let start = DispatchTime.now().uptimeNanoseconds
      guard let found = try? evaluator.counterfactuals(json: bytes, asOf: asOf) else { continue }
      times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
      evaluations += found.whyNot.map(\.evaluations).reduce(0, +)
      if times.count == 1_000 { break }
    }
    guard !times.isEmpty else { return "(h) counterfactual search: no denials" }
    times.sort()
    let median = times[times.count / 2]
    let p90 = times[times.count * 9 / 10]
    return "(h) counterfactual search, W1 denials".padding(
      toLength: 46, withPad: " ", startingAt: 0)
      + "median \(String(format: "%.3f", median)) ms, p90 \(String(format: "%.3f", p90)) ms, "
      + "\(evaluations / times.count) evaluations each (\(times.count) denials)"
  }

  /// Runs every measurement once per run, in turn; returns each one's median time (seconds).
  func interleave(_ measurements: [Measurement]) throws -> [Double] {
    try Self.interleave(measurements, runs: runs)
  }

  /// `interleave` for any number of runs (shared with `regula bench policies`).
  static func interleave(_ measurements: [Measurement], runs: Int) throws -> [Double] {
    try interleavedTimes(measurements, runs: runs).map(median)
  }

  /// Each measurement's seconds in each of `runs` interleaved runs.
  static func interleavedTimes(_ measurements: [Measurement], runs: Int) throws -> [[Double]] {
    var times = Array(repeating: [Double](), count: measurements.count)
    for _ in 0..<max(runs, 1) {
      for (index, measurement) in measurements.enumerated() {
        let start = DispatchTime.now().uptimeNanoseconds
        try measurement.body()
        times[index].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
      }
    }
    return times
  }

  /// The median over the runs of how many times faster a measurement ran (seconds `times`)
  /// than another timed in the same runs (`others`): each run's ratio compares the two under
  /// the same load on the machine.
  static func medianSpeedup(of times: [Double], over others: [Double]) -> Double {
    median(zip(others, times).map { $0 / $1 })
  }

  /// The middle value (the upper of the two middle ones for an even count); `values` must not
  /// be empty.
  static func median<T: Comparable>(_ values: [T]) -> T { values.sorted()[values.count / 2] }

  /// Keeps a result alive so that the work computing it is not optimised away.
  @inline(never) static func keep<T>(_ value: T) { _ = value }

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

  /// (b): every application loaded into one machine, evaluations timed; checked against the
  /// hand-written function first. Also returns the allocations per evaluation once warm.
  func vmMeasurement(
    _ policy: CompiledPolicy, values: [Value],
    expected: [(eligible: Bool, benefitFen: Int, reason: Int)], asOf: CivilDate
  ) throws -> (Measurement, allocations: Double?) {
    let worker = Worker(image: policy.image, values: values, asOf: asOf)
    for (input, want) in zip(worker.inputs, expected) {
      worker.machine.beginEvaluation()
      try worker.machine.run(input: input, asOf: asOf, jurisdiction: 0)
      guard (worker.machine.decisionValues[0].word != 0) == want.eligible,
        worker.machine.decisionValues[1].word == Int64(want.benefitFen)
      else {
        throw ValidationError("the VM disagrees with the hand-written function")
      }
    }
    // In blocks: every application's decisions, whether a block decided it or not.
    var blocksDecided = 0
    try Worker.runBlocks(&worker.machine, worker.inputs, asOf: asOf) {
      machine, index, inBlock throws(ValidationError) in
      let want = expected[index]
      let eligible =
        inBlock
        ? machine.blockDecision(0, lane: index % Machine.blockLanes).value
        : machine.decisionValues[0]
      let benefit =
        inBlock
        ? machine.blockDecision(1, lane: index % Machine.blockLanes).value
        : machine.decisionValues[1]
      guard (eligible.word != 0) == want.eligible, benefit.word == Int64(want.benefitFen) else {
        throw ValidationError("the VM in blocks disagrees with the hand-written function")
      }
      if inBlock { blocksDecided += 1 }
    }
    guard !worker.machine.runsInBlocks || blocksDecided == values.count else {
      throw ValidationError("blocks set \(values.count - blocksDecided) W1 applications aside")
    }
    let allocations = W1Bench.allocations(per: values.count) { worker.run() }
    return (Measurement(decisions: values.count) { worker.run() }, allocations)
  }

  /// The opcodes the inlined code dispatches per decision over the applications, most first.
  func printProfile(_ policy: CompiledPolicy, values: [Value], asOf: CivilDate) {
    let counts = OpcodeProfile()
    let worker = Worker(image: policy.image, values: values, asOf: asOf)
    worker.inBlocks = false
    worker.machine.opcodeProfile = counts
    worker.run()
    let perDecision = Double(max(values.count, 1))
    let total = counts.counts.reduce(0, +)
    print(
      "W1, \(values.count) applications: "
        + String(format: "%.1f", Double(total) / perDecision) + " opcodes dispatched per decision")
    for raw in counts.counts.indices.sorted(by: { counts.counts[$0] > counts.counts[$1] })
    where counts.counts[raw] > 0 {
      let name = Opcode(rawValue: UInt16(raw)).map { "\($0)" } ?? "?"
      print(String(format: "  %6.2f  ", Double(counts.counts[raw]) / perDecision) + name)
    }
  }

  /// (b) plus the decision record: captured (decision values and reasons, failed conditions
  /// and the sorted inputs read, copied out of the machine, as a service keeps them), or
  /// rendered as its JSON line.
  func recordMeasurement(
    _ policy: CompiledPolicy, values: [Value], asOf: CivilDate, rendered: Bool
  ) -> Measurement {
    let recorder = Recorder(policy: policy, values: values, asOf: asOf)
    return Measurement(decisions: values.count) { try recorder.run(rendered: rendered) }
  }

  func interpreterMeasurement(_ policy: CompiledPolicy, values: [Value], asOf: CivilDate)
    -> Measurement
  {
    Measurement(decisions: values.count) {
      for value in values {
        W1Bench.keep(try Interpreter.evaluate(policy.program!, input: value, asOf: asOf))
      }
    }
  }

  /// The file of (c) holds the applications this many times (at least 200,000 lines), so that
  /// it measures the steady rate: with 20,000 lines (8 MB) the fsync at the end and the read
  /// of the first block were a tenth of a run, and the ratio of --jobs 2 mostly measured them.
  static func endToEndCopies(_ count: Int) -> Int { max(1, (200_000 + count - 1) / max(count, 1)) }

  /// (c): the main job as `regula batch --output-format csv --columns id,eligible,benefit_fen,
  /// eligible.reason --no-header` runs it — a JSONL file read in blocks, decided on `jobs`
  /// threads, the W1 result lines written to a file (and synced). The
  /// returned check compares the file with the hand-written function's lines. Also returns
  /// the allocations per decision once warm.
  func endToEndMeasurement(
    _ policy: CompiledPolicy, apps: [W1Application],
    expected: [(eligible: Bool, benefitFen: Int, reason: Int)], asOf: CivilDate,
    directory: URL, jobs: Int
  ) throws -> (Measurement, allocations: Double?, check: () throws -> Void) {
    let input = directory.appendingPathComponent("w1.jsonl").path
    let output = directory.appendingPathComponent("w1-\(jobs).csv").path
    let copies = W1Bench.endToEndCopies(apps.count)
    let lines = apps.map { W1.json($0) + "\n" }.joined()
    try Data(String(repeating: lines, count: copies).utf8).write(to: URL(fileURLWithPath: input))
    let wanted = String(
      repeating: zip(apps, expected).map {
        "\($0.id),\($1.eligible),\($1.benefitFen),\(W1.reasons[$1.reason])\n"
      }.joined(), count: copies)
    let layout = try CSVLayout(CSVLayout.w1Columns, policy: policy)
    let workers = (0..<jobs).map { _ in
      BatchWorker(policy: policy, asOf: asOf, jurisdiction: nil, shape: .csv(layout))
    }
    func run() throws {
      guard let reader = LineReader(path: input) else {
        throw ValidationError("cannot read \(input)")
      }
      let sink = try OutputSink(path: output)
      _ = BatchCommand.process(reader, workers, sink, progress: nil)
      try sink.finish()
    }
    try run()  // warm
    let allocations = try W1Bench.allocations(per: apps.count * copies) { try run() }
    let check = {
      guard (try? String(contentsOfFile: output, encoding: .utf8)) == wanted else {
        throw ValidationError("end-to-end lines differ from the hand-written function's")
      }
    }
    return (Measurement(decisions: apps.count * copies, body: run), allocations, check)
  }

  /// (f): evaluation only on `threads` threads, a machine each over the one image. Each
  /// thread goes over its share as many times as (c) copies the file (at least 200,000
  /// decisions a run): with 20,000 a run took 4 ms and mostly measured the threads' start.
  func parallelMeasurement(
    _ policy: CompiledPolicy, values: [Value], asOf: CivilDate, threads: Int
  ) -> Measurement {
    let rounds = W1Bench.endToEndCopies(values.count)
    let workers = (0..<threads).map { index -> Worker in
      let chunk = values[(index * values.count / threads)..<((index + 1) * values.count / threads)]
      return Worker(image: policy.image, values: Array(chunk), asOf: asOf)
    }
    return Measurement(decisions: values.count * rounds) {
      DispatchQueue.concurrentPerform(iterations: threads) { index in
        for _ in 0..<rounds { workers[index].run() }
      }
    }
  }
}

/// A decision record copied out of a machine into storage reused across decisions: what a
/// service keeps per decision before rendering it (the names and texts are the machine's; the
/// inputs read are kept in reading order and sorted when rendered).
struct CapturedRecord {
  var values: [Register]
  var reasons: [Int32]
  var failed: [(definition: Int32, reason: Int32)] = []
  var inputsRead: [Int32] = []
  var block = BlockRecords()

  init(decisions: Int) {
    values = Array(repeating: .none, count: decisions)
    reasons = Array(repeating: -1, count: decisions)
    failed.reserveCapacity(16)
    inputsRead.reserveCapacity(64)
  }

  mutating func capture(_ machine: inout Machine) {
    for index in values.indices {
      values[index] = machine.decisionValues[index]
      reasons[index] = machine.decisionReasons[index]
    }
    failed.removeAll(keepingCapacity: true)
    for index in 0..<machine.failedConditionCount { failed.append(machine.failedCondition(index)) }
    inputsRead.removeAll(keepingCapacity: true)
    // The set of paths read; sorting them is left to rendering (`sortedInputsRead()`).
    inputsRead.append(contentsOf: machine.inputsReadInReadingOrder())
  }

  /// `capture` of the records of the lanes `decided` of the machine's last block, all at once
  /// (a block's records are kept as its columns: `BlockRecords`).
  mutating func capture(_ machine: inout Machine, decided: UInt64) {
    machine.copyBlockRecords(decided: decided, into: &block)
  }
}

/// (d)'s evaluator, applications and record storage. Used by one thread at a time.
final class Recorder: @unchecked Sendable {
  var evaluator: Evaluator
  let inputs: [Register]
  let asOf: CivilDate
  var bytes: [UInt8] = []
  var captured: CapturedRecord

  init(policy: CompiledPolicy, values: [Value], asOf: CivilDate) {
    evaluator = Evaluator(policy: policy)
    var loaded: [Register] = []
    for value in values {
      loaded.append(evaluator.machine.load(value, as: .record(policy.image.inputRecord)))
    }
    inputs = loaded
    self.asOf = asOf
    bytes.reserveCapacity(4096)
    captured = CapturedRecord(decisions: evaluator.machine.decisionValues.count)
  }

  func run(rendered: Bool) throws {
    try Recorder.run(
      &evaluator, inputs, asOf: asOf, rendered: rendered, bytes: &bytes, captured: &captured)
  }

  /// Each decision replayed with its full trace (condition level) and rendered as JSON.
  func runTraced() throws {
    try Recorder.runTraced(&evaluator, inputs, asOf: asOf, bytes: &bytes)
  }

  static func runTraced(
    _ evaluator: inout Evaluator, _ inputs: [Register], asOf: CivilDate, bytes: inout [UInt8]
  ) throws {
    evaluator.machine.isTracing = true
    defer { evaluator.machine.isTracing = false }
    for input in inputs {
      evaluator.machine.beginEvaluation()
      try evaluator.machine.run(input: input, asOf: asOf, jurisdiction: 0)
      bytes.removeAll(keepingCapacity: true)
      evaluator.appendTraceJSON(to: &bytes)
    }
  }

  /// The loop, on `inout` values so that nothing is copied per decision: in blocks when the
  /// policy runs in blocks (each lane made the machine's outcome, `adoptBlockLane`), else one
  /// application at a time.
  static func run(
    _ evaluator: inout Evaluator, _ inputs: [Register], asOf: CivilDate, rendered: Bool,
    bytes: inout [UInt8], captured: inout CapturedRecord
  ) throws {
    func record(_ evaluator: inout Evaluator) {
      if rendered {
        bytes.removeAll(keepingCapacity: true)
        evaluator.appendRecordJSON(asOf: asOf, jurisdiction: "national", to: &bytes)
      } else {
        captured.capture(&evaluator.machine)
      }
    }
    guard evaluator.machine.runsInBlocks else {
      for input in inputs {
        evaluator.machine.beginEvaluation()
        try evaluator.machine.run(input: input, asOf: asOf, jurisdiction: 0)
        record(&evaluator)
      }
      return
    }
    var start = 0
    while start < inputs.count {
      let end = min(start + Machine.blockLanes, inputs.count)
      let decided = inputs.withUnsafeBufferPointer {
        evaluator.machine.runBlock(
          inputs: UnsafeBufferPointer(rebasing: $0[start..<end]), asOf: asOf, jurisdiction: 0,
          upcoming: UnsafeBufferPointer(
            rebasing: $0[end..<min(end + Machine.blockLanes, inputs.count)]))
      }
      // The block's records captured at once; rendering takes each lane as the machine's.
      captured.capture(&evaluator.machine, decided: decided)
      for lane in 0..<(end - start) {
        if decided & (1 << UInt64(lane)) != 0 {
          if !rendered { continue }
          evaluator.machine.adoptBlockLane(lane, of: captured.block)
        } else {
          evaluator.machine.beginEvaluation()
          try evaluator.machine.run(input: inputs[start + lane], asOf: asOf, jurisdiction: 0)
        }
        record(&evaluator)
      }
      start = end
    }
  }
}

/// One thread's machine and applications. Each worker is touched by exactly one thread at a
/// time (concurrentPerform gives each iteration its own index), hence `@unchecked Sendable`.
final class Worker: @unchecked Sendable {
  var machine: Machine
  let inputs: [Register]
  let asOf: CivilDate
  /// True to decide in blocks (`Machine.runBlock`) when the policy runs in blocks.
  var inBlocks = true

  init(image: PolicyImage, values: [Value], asOf: CivilDate) {
    machine = Machine(image: image)
    var loaded: [Register] = []
    for value in values { loaded.append(machine.load(value, as: .record(image.inputRecord))) }
    inputs = loaded
    self.asOf = asOf
  }

  func run() {
    if inBlocks && machine.runsInBlocks {
      Worker.runBlocks(&machine, inputs, asOf: asOf)
    } else {
      Worker.run(&machine, inputs, asOf: asOf)
    }
  }

  static func run(_ machine: inout Machine, _ inputs: [Register], asOf: CivilDate) {
    for input in inputs {
      machine.beginEvaluation()
      try? machine.run(input: input, asOf: asOf, jurisdiction: 0)
    }
  }

  /// `run` in blocks of `Machine.blockLanes` (`Machine.runBlock`): each application a block
  /// sets aside is decided again on its own. `each` (when given) is called with each
  /// application's index, and true when a block decided it (its outcome is then the lane's,
  /// `Machine.blockDecision`), false when it was decided alone (its outcome is the machine's).
  static func runBlocks(
    _ machine: inout Machine, _ inputs: [Register], asOf: CivilDate, jurisdiction: Int = 0,
    each: ((inout Machine, Int, Bool) throws -> Void)? = nil
  ) rethrows {
    try inputs.withUnsafeBufferPointer { all in
      var start = 0
      while start < all.count {
        let end = min(start + Machine.blockLanes, all.count)
        let block = UnsafeBufferPointer(rebasing: all[start..<end])
        let upcoming = UnsafeBufferPointer(
          rebasing: all[end..<min(end + Machine.blockLanes, all.count)])
        let decided = machine.runBlock(
          inputs: block, asOf: asOf, jurisdiction: jurisdiction, upcoming: upcoming)
        var lane = 0
        while lane < block.count {
          let inBlock = decided & (1 << UInt64(lane)) != 0
          if !inBlock {
            machine.beginEvaluation()
            try? machine.run(input: block[lane], asOf: asOf, jurisdiction: jurisdiction)
          }
          try each?(&machine, start + lane, inBlock)
          lane += 1
        }
        start = end
      }
    }
  }
}
