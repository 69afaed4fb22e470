// Block evaluation (`Machine.runBlock`) gives every application the record it gets decided
// alone: seeded random programs, each with a block of applications that take different paths
// (and some that a block sets aside), and every repository policy's test applications.
import Foundation
import Regula
import Testing

/// The records of `applications` decided one at a time and in blocks, as text (the record's
/// JSON, or the error with the definition at fault), and how many a block decided.
func recordsBothWays(
  _ policy: CompiledPolicy, _ applications: [Value], asOf: CivilDate, jurisdiction: String,
  forced: Bool = false, stepLimit: Int? = nil
) -> (alone: [String], blocks: [String], inBlocks: Int) {
  func text(_ result: Result<DecisionRecord, DecisionError>) -> String {
    switch result {
    case .success(let record): record.json
    case .failure(let error): errorKind(error) + errorPlace(error)
    }
  }
  var evaluator = Evaluator(policy: policy)
  if let stepLimit { evaluator.machine.stepLimit = stepLimit }
  let alone = applications.map { application in
    text(
      Result { () throws(DecisionError) in
        try evaluator.record(for: application, asOf: asOf, jurisdiction: jurisdiction)
      })
  }
  evaluator.machine.blocksForced = forced
  guard
    let (records, inBlocks) = try? evaluator.records(
      for: applications, asOf: asOf, jurisdiction: jurisdiction)
  else { return (alone, ["error: unknown jurisdiction"], 0) }
  return (alone, records.map(text), inBlocks)
}

/// The generator's next program, compiled, with a place and date and up to `count` of its
/// applications (those the reader accepts).
func randomProgram(_ generator: inout ProgramGenerator, applications count: Int) throws -> (
  source: String, policy: CompiledPolicy, place: String, day: String, applications: [Value]
) {
  let source = generator.program()
  let files = [
    "random.regula": Array(source.utf8), "lib.regula": Array(ProgramGenerator.library.utf8),
  ]
  let policy = try #require(CompiledPolicy.compile(path: "random.regula") { files[$0] }.0.output)
  let (place, day) = generator.placeAndDate()
  var applications: [Value] = []
  for _ in 0..<count {
    let json = generator.application()
    if let value = try? InputReader(program: policy.program!).read(
      try JSONReader.parse(Array(json.utf8)))
    {
      applications.append(value)
    }
  }
  return (source, policy, place, day, applications)
}

@Test func blocksDecideRandomProgramsAsOneAtATime() throws {
  var generator = ProgramGenerator(seed: 0xB10C_0001)
  let programs = max(programCount / 4, 200)
  var compared = 0
  var inBlocks = 0
  var setAside = 0
  var programsInBlocks = 0
  var disagreements: [String] = []
  for programIndex in 0..<programs {
    // Applications of every shape the generator makes (absent facts, edge values, lists of
    // every length), more than a block holds, so that blocks have lanes that part ways.
    let (source, policy, place, day, applications) = try randomProgram(
      &generator, applications: Machine.blockLanes + 9)
    // Forced: a lane that reaches an opcode the block loop does not run is set aside.
    let (alone, blocks, decided) = recordsBothWays(
      policy, applications, asOf: date(day), jurisdiction: place, forced: true)
    compared += applications.count
    inBlocks += decided
    if decided > 0 { programsInBlocks += 1 }
    setAside += applications.count - decided
    for index in alone.indices where alone[index] != blocks[index] && disagreements.count < 3 {
      disagreements.append(
        "seed program \(programIndex) at \(place) as of \(day)\n\(source)\napplication \(index)\nalone:  \(alone[index])\nblocks: \(blocks[index])"
      )
    }
  }
  #expect(disagreements.isEmpty, Comment(rawValue: disagreements.joined(separator: "\n\n")))
  // Enough of the programs run in blocks, and blocks both decide and set aside, for the
  // comparison to test the block loop and its way out.
  // (About three programs in four decide some of their applications in blocks and nearly
  // half of all applications are: the others reach an opcode the loop does not run —
  // `callAt`, `as of` — or an error, a missing fact, a number off the 64-bit path.)
  #expect(programsInBlocks * 3 > programs * 2, "\(programsInBlocks) of \(programs) in blocks")
  #expect(inBlocks * 3 > compared, "\(inBlocks) of \(compared) decided in blocks")
  #expect(setAside > 0, "no application was set aside")
  print(
    "blocks: \(programs) random programs (\(programsInBlocks) in blocks), \(compared) records "
      + "compared whole, \(inBlocks) decided in blocks, \(setAside) set aside")
}

/// The applications of the next block (`runBlock`'s `upcoming`) are only a hint to the CPU,
/// asked for a few cache lines at each instruction the loop dispatches: a block decides the
/// same lanes with the same values and reasons whether it is given the next block, none, or
/// registers that are no applications at all (in another order, of another kind, far out).
@Test func theNextBlockIsOnlyAHint() throws {
  var generator = ProgramGenerator(seed: 0xB10C_0002)
  var decidedInBlocks = 0
  for _ in 0..<60 {
    let (source, policy, place, day, applications) = try randomProgram(
      &generator, applications: 3 * Machine.blockLanes + 5)
    // What each block decides, lane by lane, given `upcoming(inputs, start, end)`.
    func outcomes(_ upcoming: ([Register], Int, Int) -> [Register]?) -> [String] {
      var machine = Evaluator(policy: policy).machine
      machine.blocksForced = true
      guard let jurisdiction = machine.jurisdictionIndex(place) else { return [] }
      let inputs = applications.map { machine.load($0, as: .record(policy.image.inputRecord)) }
      var result: [String] = []
      var start = 0
      while start < inputs.count {
        let end = min(start + Machine.blockLanes, inputs.count)
        let next = upcoming(inputs, start, end)
        let decided = inputs[start..<end].withUnsafeBufferPointer { block in
          guard let next else {
            return machine.runBlock(inputs: block, asOf: date(day), jurisdiction: jurisdiction)
          }
          return next.withUnsafeBufferPointer {
            machine.runBlock(
              inputs: block, asOf: date(day), jurisdiction: jurisdiction, upcoming: $0)
          }
        }
        result.append(String(decided, radix: 16))
        for lane in 0..<(end - start) where decided & (1 << UInt64(lane)) != 0 {
          for position in 0..<machine.decisionValues.count {
            let (value, reason) = machine.blockDecision(position, lane: lane)
            result.append("\(start + lane).\(position): \(value) \(reason)")
          }
        }
        start = end
      }
      return result
    }
    let without = outcomes { _, _, _ in nil }
    let next = outcomes { inputs, _, end in Array(inputs[end..<min(end + 64, inputs.count)]) }
    let far = outcomes { inputs, _, end in Array(inputs[min(end + 64, inputs.count)...]) }
    let backwards = outcomes { inputs, start, _ in Array(inputs[..<start].reversed()) }
    let strange = outcomes { _, _, _ in
      [.integer(Int64.max), .none, .unknown, Register(word: -1, tag: 0), .integer(1 << 40)]
    }
    #expect(next == without, "\(source)")
    #expect(far == without, "\(source)")
    #expect(backwards == without, "\(source)")
    #expect(strange == without, "\(source)")
    decidedInBlocks += without.filter { !$0.contains(":") }.reduce(0) {
      $0 + (UInt64($1, radix: 16) ?? 0).nonzeroBitCount
    }
  }
  // Enough lanes decided in blocks for the comparison to mean something (the others were
  // set aside, or their program has no jurisdiction for the date).
  #expect(decidedInBlocks > 60 * Machine.blockLanes, "\(decidedInBlocks) decided in blocks")
}

/// A policy's test applications, grouped by date and jurisdiction (a block has one of each).
func testApplicationGroups(_ program: IRProgram)
  -> [(asOf: CivilDate, jurisdiction: String, applications: [Value])]
{
  var groups: [String: (asOf: CivilDate, jurisdiction: String, applications: [Value])] = [:]
  for test in program.tests {
    let asOf = test.asOf ?? date("2024-01-01")
    var builder = Interpreter(
      program: program, input: .none, asOf: asOf, jurisdiction: "national")
    guard let given = test.given, let input = try? builder.evaluate(given) else { continue }
    let jurisdiction = test.jurisdiction ?? program.level
    groups["\(asOf) \(jurisdiction)", default: (asOf, jurisdiction, [])].applications.append(input)
  }
  return groups.sorted(by: { $0.key < $1.key }).map(\.value)
}

@Test(arguments: policyFiles)
func blocksDecideEveryTestCaseAsOneAtATime(_ path: String) throws {
  guard let policy = compilePolicy(path), let program = policy.program else { return }
  var compared = 0
  var inBlocks = 0
  for group in testApplicationGroups(program) {
    // As the policy runs (in blocks only if the loop runs all its code), and forced.
    for forced in [false, true] {
      let (alone, blocks, decided) = recordsBothWays(
        policy, group.applications, asOf: group.asOf, jurisdiction: group.jurisdiction,
        forced: forced)
      #expect(alone == blocks, "\(path) as of \(group.asOf) in \(group.jurisdiction)")
      if forced {
        compared += alone.count
        inBlocks += decided
      }
    }
  }
  print("blocks: \(path.split(separator: "/").last!): \(inBlocks) of \(compared) decided in blocks")
  // Every repository policy runs in blocks as it is (not only forced), and decides its test
  // applications there.
  if compared > 0 {
    #expect(Evaluator(policy: policy).machine.runsInBlocks, "\(path) does not run in blocks")
    #expect(inBlocks * 10 > compared * 9, "\(path): \(inBlocks) of \(compared) in blocks")
  }
}

/// Each lane's steps are counted on their own, as the one-at-a-time loop counts them: a block
/// whose lanes together pass the limit decides every lane that does not, and the lanes that
/// do are stopped with the limit's error, as alone.
@Test func aBlockCountsEachLanesStepsAgainstTheLimit() throws {
  let policy = try w1Policy()
  let applications = try w1SampleLines().prefix(Machine.blockLanes).map {
    try InputReader(program: policy.program!).read(try JSONReader.parse(Array($0.utf8)))
  }
  var sawMixed = false
  var sawAllWithin = false
  for limit in stride(from: 20, through: 400, by: 20) {
    let (alone, blocks, decided) = recordsBothWays(
      policy, applications, asOf: date("2024-06-01"), jurisdiction: "national", stepLimit: limit)
    #expect(alone == blocks, "step limit \(limit)")
    let stopped = alone.filter { $0.hasPrefix("error") }.count
    // Every application the limit does not stop is decided in the block.
    #expect(decided == applications.count - stopped, "step limit \(limit)")
    if stopped > 0 && stopped < applications.count { sawMixed = true }
    // (64 lanes together count far more than 400 steps: a count for the block would stop
    // them all.)
    if stopped == 0 { sawAllWithin = true }
  }
  #expect(sawMixed && sawAllWithin)
}

/// Loops of hundreds of passes: more counts than a block notes before it adds them up lane by
/// lane (`BlockBuffers.stepEventCapacity`), and limits that lanes reach only late in the loop:
/// every lane decided or stopped as alone.
@Test func longLoopsCountEachLanesStepsInBlocks() throws {
  let source = """
    policy long_lists "Long lists"
      level national
      source t "Test" version "1"
      from 2024-01-01

    input application {
      xs: List<Int>
    }

    decision total: Int cite t "1" = sum(x for x in application.xs)
    decision big: Bool cite t "2" = count(x in application.xs where x > 100) > 3
    """
  let policy = try #require(
    CompiledPolicy.compile(path: "long.regula") { $0 == "long.regula" ? Array(source.utf8) : nil }
      .0.output)
  // Lists of 0 to 630 items, different for each lane.
  let applications = (0..<Machine.blockLanes).map { lane in
    Value.record([.list((0..<(lane * 10)).map { .int(ExactInt(Int64(($0 * 37 + lane) % 250))) })])
  }
  var sawMixed = false
  for limit in [nil, 700, 1_000, 1_300] as [Int?] {
    let (alone, blocks, decided) = recordsBothWays(
      policy, applications, asOf: date("2024-06-01"), jurisdiction: "national", stepLimit: limit)
    #expect(alone == blocks, "step limit \(limit.map(String.init) ?? "none")")
    let stopped = alone.filter { $0.hasPrefix("error") }.count
    #expect(
      decided == applications.count - stopped, "step limit \(limit.map(String.init) ?? "none")")
    if stopped > 0 && stopped < applications.count { sawMixed = true }
    if limit == nil { #expect(stopped == 0) }
  }
  #expect(sawMixed)
}

/// One `BlockRecords` filled by `copyBlockRecords` from block to block, across every repository
/// policy (other decisions, other input paths), holds each time that block's records only: a
/// decided lane reads as the block decided it, and as the lane decided alone (values, reasons,
/// failed conditions, inputs read); a lane set aside reads as nothing.
@Test func blockRecordsHoldEachBlocksRecordsOnly() throws {
  var records = BlockRecords()
  var lanesChecked = 0
  var lanesAside = 0
  // W1's sample applications first, under a step limit that stops some of them (set aside).
  let w1 = try w1Policy()
  let w1Applications = try w1SampleLines().prefix(Machine.blockLanes).map {
    try InputReader(program: w1.program!).read(try JSONReader.parse(Array($0.utf8)))
  }
  var cases = [
    (
      path: "W1", policy: w1, stepLimit: 140,
      groups: [(asOf: date("2024-06-01"), jurisdiction: "national", applications: w1Applications)]
    )
  ]
  for path in policyFiles {
    guard let policy = compilePolicy(path), let program = policy.program else { continue }
    cases.append((path, policy, 100_000_000, testApplicationGroups(program)))
  }
  for (path, policy, stepLimit, groups) in cases {
    let decisions = policy.image.definitions.filter { $0.kind == .decision }
    for group in groups {
      var evaluator = Evaluator(policy: policy)
      evaluator.machine.stepLimit = stepLimit
      // Forced: lanes that reach an opcode the block loop does not run are set aside.
      evaluator.machine.blocksForced = true
      guard let jurisdiction = evaluator.machine.jurisdictionIndex(group.jurisdiction) else {
        continue
      }
      evaluator.machine.reset()
      let inputs = group.applications.prefix(Machine.blockLanes).map {
        evaluator.machine.load($0, as: .record(policy.image.inputRecord))
      }
      let decided = inputs.withUnsafeBufferPointer {
        evaluator.machine.runBlock(inputs: $0, asOf: group.asOf, jurisdiction: jurisdiction)
      }
      evaluator.machine.copyBlockRecords(decided: decided, into: &records)
      #expect(records.decided == decided && records.decisionCount == decisions.count)
      for lane in 0..<Machine.blockLanes {
        var read: [Int32] = []
        records.forEachInputRead(lane: lane) { read.append($0) }
        guard decided & (1 << UInt64(lane)) != 0 else {
          lanesAside += lane < inputs.count ? 1 : 0
          #expect(records.value(0, lane: lane) == .none && records.reason(0, lane: lane) == -1)
          #expect(records.failedConditions(lane: lane).isEmpty && read.isEmpty)
          continue
        }
        for position in decisions.indices {
          let inBlock = evaluator.machine.blockDecision(position, lane: lane)
          #expect(records.value(position, lane: lane) == inBlock.value, "\(path) lane \(lane)")
          #expect(records.reason(position, lane: lane) == inBlock.reason, "\(path) lane \(lane)")
        }
        // The lane alone, on the same machine (the same texts and paths).
        let block = decisions.indices.map {
          evaluator.machine.value(records.value($0, lane: lane), as: decisions[$0].type)
        }
        let failed = Array(records.failedConditions(lane: lane))
        evaluator.machine.adoptBlockLane(lane, of: records)
        let stepsInBlock = evaluator.machine.stepsCounted
        evaluator.machine.beginEvaluation()
        try evaluator.machine.run(input: inputs[lane], asOf: group.asOf, jurisdiction: jurisdiction)
        let alone = decisions.indices.map {
          evaluator.machine.value(evaluator.machine.decisionValues[$0], as: decisions[$0].type)
        }
        #expect(block == alone, "\(path) lane \(lane)")
        #expect(
          decisions.indices.map { records.reason($0, lane: lane) }
            == Array(evaluator.machine.decisionReasons), "\(path) lane \(lane)")
        #expect(
          failed.map { [$0.definition, $0.reason] }
            == evaluator.machine.failedConditionIndexes.map { [$0.definition, $0.reason] },
          "\(path) lane \(lane)")
        #expect(read == Array(evaluator.machine.sortedInputsRead()), "\(path) lane \(lane)")
        #expect(stepsInBlock == evaluator.machine.stepsCounted, "\(path) lane \(lane)")
        lanesChecked += 1
      }
    }
  }
  #expect(
    lanesChecked > 100 && lanesAside > 0, "\(lanesChecked) lanes checked, \(lanesAside) aside")
  // A policy with no decision: empty columns, a record with no decisions.
  let source = """
    policy no_decisions "No decisions"
      level national
      source t "Test" version "1"
      from 2024-01-01

    input application {
      x: Int
    }

    rule y: Int cite t "1" = application.x + 1
    """
  let bare = try #require(
    CompiledPolicy.compile(path: "bare.regula") { $0 == "bare.regula" ? Array(source.utf8) : nil }
      .0.output)
  let applications = (0..<3).map { Value.record([.int(ExactInt(Int64($0)))]) }
  let (alone, blocks, decided) = recordsBothWays(
    bare, applications, asOf: date("2024-06-01"), jurisdiction: "national")
  #expect(alone == blocks && decided == 3 && alone[0].contains(#""decisions":{}"#), "\(alone)")
}
