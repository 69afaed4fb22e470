// The inlined code untraced evaluations run (`PolicyImage.fastCode`): which calls it replaces,
// and that it decides, fails and names the place of a failure as the image's code does.
import Foundation
import Regula
import Testing

let inliningPolicy = """
  policy inlining
    source law "Law"
    from 2019-01-01

  record Item {
    amount: Money
    flag: Bool
  }

  input application {
    x: Int
    y: Int
    items: List<Item>
  }

  parameter rate: Int cite law "Art. 1"
    from 2020-01-01 until 2023-12-31 = 5
    from 2024-01-01 = 7

  parameter base_rate: Int cite law "Art. 2" = 3

  rule once: Int cite law "Art. 3" = application.x * rate
  rule share: Int cite law "Art. 4" = round(application.x / application.y, down)
  rule twice: Int = application.x + 1
  rule looped: Money = 1 fen * application.x
  rule earlier: Int = base_rate + 1
  rule flagged: Bool cite law "Art. 5"
    all of
      application.x > 0 reason positive
      application.y > 0 reason divisor

  decision total: Int cite law "Art. 6" = once + twice + share + (earlier as of 2019-06-01)
  decision paid: Money = sum(looped + i.amount for i in application.items) + 1 fen * twice
  decision checked: Bool = flagged
  """

/// The definitions the fast section still calls, by name.
func calledInFastSection(_ policy: CompiledPolicy, _ fast: FastCode) -> Set<String> {
  var names: Set<String> = []
  for pc in fast.sectionStart..<fast.code.count {
    let instruction = fast.code[pc]
    switch instruction.opcode {
    case .call, .reasonOf: names.insert(policy.image.definitions[Int(instruction.bc)].name)
    case .callAt: names.insert(policy.image.definitions[Int(fast.code[pc + 1].bc)].name)
    default: break
    }
  }
  return names
}

@Test func onlyCallsNeededInOnePlaceOutsideLoopsAreInlined() throws {
  let policy = try compiledSource(inliningPolicy)
  guard let fast = try Machine.inlinedCodeOrError(for: policy.image) else {
    Issue.record("nothing inlined")
    return
  }
  let called = calledInFastSection(policy, fast)
  // `once` and `rate` (inside it) and `share` are needed once: inlined. `twice` is needed by
  // two decisions, `looped` in a loop, `earlier` as of another date, `flagged` records a
  // failed condition: each still called.
  #expect(!called.contains("once") && !called.contains("rate") && !called.contains("share"))
  #expect(called.isSuperset(of: ["twice", "looped", "earlier", "flagged"]))
  // Calls replaced in the fast section: `rate` in `once`, `base_rate` in `earlier`, and in
  // `total` `once` (with its `rate`, a second copy) and `share`.
  #expect(fast.inlinedCalls == 5, "\(called)")
  // The image's own code is untouched: the fast section comes after it, and every fast
  // instruction names an image instruction it was copied from.
  #expect(Array(fast.code[..<fast.sectionStart]) == policy.image.code)
  #expect(fast.origins.allSatisfy { Int($0) < policy.image.code.count })
  // What `regula disasm --inlined` prints is verified code.
  try Verifier.verify(policy.image.withFastSection(fast))
}

@Test func inlinedCodeDecidesAndFailsAsTheImageCodeDoes() throws {
  let policy = try compiledSource(inliningPolicy)
  let item = #"{"amount": 250, "flag": true}"#
  let cases: [(json: String, asOf: String, expected: String)] = [
    (#"{"x": 4, "y": 2, "items": [\#(item), \#(item)]}"#, "2024-06-01", "decided"),
    (#"{"x": 4, "y": 2, "items": []}"#, "2021-06-01", "decided"),
    // Division by zero in `share`, inlined into `total`: the error names `share`.
    (#"{"x": 4, "y": 0, "items": []}"#, "2024-06-01", "share"),
    // `rate` has no version in force in 2019: `total` is not computable.
    (#"{"x": 4, "y": 2, "items": []}"#, "2019-06-01", "not computable"),
    // `y` is missing: `share` (inlined) cannot be decided, nor `total`.
    (#"{"x": 4, "items": []}"#, "2024-06-01", "missing"),
  ]
  for (json, day, expected) in cases {
    var outcomes: [String] = []
    for mode in ["inlined", "image", "traced"] {
      var evaluator = Evaluator(policy: policy)
      evaluator.machine.runsInlinedCode = mode != "image"
      evaluator.machine.isTracing = mode == "traced"
      do {
        let record = try evaluator.decide(
          json: Array(json.utf8), asOf: date(day), jurisdiction: "national")
        outcomes.append(record.json)
      } catch {
        outcomes.append("\(error) " + errorPlace(error))
      }
    }
    #expect(outcomes[0] == outcomes[1], "\(json) as of \(day)")
    #expect(outcomes[0] == outcomes[2], "\(json) as of \(day)")
    switch expected {
    case "decided": #expect(outcomes[0].contains(#""kind":"decided""#), "\(outcomes[0])")
    case "missing": #expect(outcomes[0].contains(#""missing_facts":["y"]"#), "\(outcomes[0])")
    case "not computable":
      #expect(outcomes[0].contains("`rate` has no version in force"), "\(outcomes[0])")
    default: #expect(outcomes[0].contains("division by zero (in `share`)"), "\(outcomes[0])")
    }
  }
}

@Test func everyRepositoryPolicyHasVerifiedInlinedCode() throws {
  for path in repositoryPolicies {
    guard let policy = compilePolicy(root.appendingPathComponent(path).path) else {
      Issue.record("\(path) does not compile")
      continue
    }
    // Each has rules needed in one place: the fast section exists and verifies.
    do {
      let fast = try Machine.inlinedCodeOrError(for: policy.image)
      #expect((fast?.inlinedCalls ?? 0) > 0, "\(path)")
      if let fast { #expect(jumpsLeftToShorten(fast).isEmpty, "\(path)") }
    } catch {
      Issue.record("\(path): the inlined code does not verify: \(error)")
    }
  }
}

@Test func aFailedInstructionIsTheOneAtFaultInEitherCode() throws {
  let policy = try compiledSource(inliningPolicy)
  let share = try #require(policy.image.definitions.firstIndex { $0.name == "share" })
  let input = Value.record([.int(ExactInt(4)), .int(ExactInt(0)), .list([])])
  for inlined in [true, false] {
    var machine = try Machine(verifying: policy.image)
    machine.runsInlinedCode = inlined
    machine.reset()
    let loaded = machine.load(input, as: .record(policy.image.inputRecord))
    do {
      try machine.run(input: loaded, asOf: date("2024-06-01"), jurisdiction: 0)
      Issue.record("no error")
    } catch .runtime(let message, let instruction) {
      // The division itself, in the image's code, owned by `share`: not the instruction after
      // it, nor a fast-section index.
      #expect(message == "division by zero")
      #expect(policy.image.code[instruction].opcode == .divideRound, "inlined: \(inlined)")
      #expect(Int(policy.image.debug[instruction].definition) == share, "inlined: \(inlined)")
    } catch {
      Issue.record("\(error)")
    }
  }
}

/// The fast section's jumps that `Inliner.withShorterJumps` should have shortened: a jump to
/// a `jump` or a `return` or to the next word, or a `jumpIfTrue`/`jumpIfFalse` over a `jump`
/// (their pcs).
func jumpsLeftToShorten(_ fast: FastCode) -> [Int] {
  let code = fast.code
  var found: [Int] = []
  var pc = fast.sectionStart
  while pc < code.count {
    let instruction = code[pc]
    let size = instruction.opcode.hasExtraWord ? 2 : 1
    switch instruction.opcode {
    case .jump:
      let target = Int(instruction.bc)
      if target == pc + 1 || [.jump, .return].contains(code[target].opcode) { found.append(pc) }
    case .jumpIfTrue, .jumpIfFalse:
      if pc + 1 < code.count, code[pc + 1].opcode == .jump, Int(instruction.bc) == pc + 2 {
        found.append(pc)
      }
    default: break
    }
    pc += size
  }
  return found
}

let loopLoadsPolicy = """
  policy loop_loads
    source law "Law"
    from 2019-01-01

  record Member {
    age: Int
    income: Money
    disabled: Bool
  }

  input application {
    members: List<Member>
  }

  rule counted: Money cite law "Art. 1" = sum(
    if m.disabled then round(m.income / 2, down) else m.income for m in application.members
  )
  decision elderly: Int cite law "Art. 2" =
    count(m in application.members where m.age >= 60 or m.disabled)
  decision any_old: Bool cite law "Art. 3" = any(m in application.members where m.age >= 80)
  decision per_head: Money cite law "Art. 4" =
    if count(application.members) > 0
    then round(counted / count(application.members), down) else 0 fen
  """

/// The fast section's words inside each loop (between a backward jump's target and the jump).
func loopWords(_ code: [Instruction], from start: Int) -> [Instruction] {
  var inside = Set<Int>()
  for index in start..<code.count where code[index].opcode != .extra {
    for next in code.successors(of: index) where next <= index && next >= start {
      inside.formUnion(next...index)
    }
  }
  return inside.sorted().map { code[$0] }.filter { $0.opcode != .extra }
}

/// A constant loaded in a loop, whose register holds nothing else, is loaded once before the
/// definition's entry instead; a `move` to a register nothing reads (the member an `any … where`
/// or `count … where` binds) goes. The decisions stay the image code's.
@Test func loopInvariantLoadsLeaveTheirLoops() throws {
  let policy = try compiledSource(loopLoadsPolicy)
  let fast = try #require(try Machine.inlinedCodeOrError(for: policy.image))
  let imageLoops = loopWords(policy.image.code, from: 0)
  let fastLoops = loopWords(fast.code, from: fast.sectionStart)
  // The image's loops load the constants 2, 60 and 80 and bind members with `move`s (the
  // fast loops keep only `any`'s load of its answer, on its way out).
  let invariant = { (word: Instruction) -> Bool in
    word.opcode == .constant && [2, 60, 80].contains(policy.image.constants[Int(word.bc)].word)
  }
  #expect(imageLoops.filter(invariant).count == 3)
  #expect(imageLoops.contains { $0.opcode == .move })
  #expect(!fastLoops.isEmpty)
  #expect(!fastLoops.contains(where: invariant), "\(fastLoops.map(\.opcode))")
  #expect(!fastLoops.contains { $0.opcode == .move }, "\(fastLoops.map(\.opcode))")
  try Verifier.verify(policy.image.withFastSection(fast))
  let member = { (age: Int, income: Int, disabled: Bool) in
    #"{"age": \#(age), "income": \#(income), "disabled": \#(disabled)}"#
  }
  for members in [
    [], [member(30, 1000, false)], [member(61, 999, true), member(85, 3, false)],
    [member(10, 7, true), member(59, 0, false), member(60, 5, false)],
  ] {
    let json = Array(#"{"members": [\#(members.joined(separator: ","))]}"#.utf8)
    var outcomes: [String] = []
    for inlined in [true, false] {
      var evaluator = Evaluator(policy: policy)
      evaluator.machine.runsInlinedCode = inlined
      let record = try evaluator.decide(
        json: json, asOf: date("2024-06-01"), jurisdiction: "national")
      outcomes.append(record.json)
    }
    #expect(outcomes[0] == outcomes[1])
  }
}
