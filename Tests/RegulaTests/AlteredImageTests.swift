// Compiled files that verify but were altered — by accident or on purpose — run safely: the VM
// ends every evaluation in a decision or an error, never a crash, however the instructions and
// constants that the verifier cannot judge were changed.
import Foundation
import Regula
import Testing

/// Instructions (opcodes, operands) and constants of compiled policies changed at random; every
/// altered image the verifier accepts is run on applications. A crash fails the whole run.
@Test(arguments: 0..<2)
func alteredImagesThatVerifyRunSafely(shard: Int) throws {
  var subjects: [(image: PolicyImage, applications: [[UInt8]])] = []
  subjects.append(
    (try w1Policy().image, try w1SampleLines().prefix(6).map { Array($0.utf8) }))
  var generator = ProgramGenerator(seed: 0xA17E_0000 + UInt64(shard))
  for _ in 0..<12 {
    let source = generator.program()
    let policy = try compiledRandom(source)
    subjects.append((policy.image, (0..<4).map { _ in Array(generator.application().utf8) }))
  }
  var random = SplitMix64(seed: 0xC0DE_0000 + UInt64(shard))
  let opcodes = Opcode.allCases
  var verified = 0
  var decided = 0
  var stopped = 0
  var inBlocks = 0
  // A longer campaign: REGULA_ALTERED_ROUNDS=5000 swift test --filter alteredImages.
  let rounds = ProcessInfo.processInfo.environment["REGULA_ALTERED_ROUNDS"].flatMap(Int.init) ?? 250
  for subject in subjects {
    for _ in 0..<rounds {
      var image = subject.image
      for _ in 0...(random.next() % 2) {
        let index = Int(random.next() % UInt64(image.code.count))
        let old = image.code[index]
        let small = UInt16(random.next() % 12)
        switch random.next() % 7 {
        case 0:
          image.code[index] = Instruction(
            opcodes[Int(random.next() % UInt64(opcodes.count))], old.a, old.b, old.c)
        case 1: image.code[index] = Instruction(old.opcode, small, old.b, old.c)
        case 2: image.code[index] = Instruction(old.opcode, old.a, small, old.c)
        case 3: image.code[index] = Instruction(old.opcode, old.a, old.b, small)
        case 4:
          // A constant given another type (the verifier checks the value against it).
          guard !image.constantTypes.isEmpty else { continue }
          image.constantTypes[Int(random.next() % UInt64(image.constantTypes.count))] = UInt32(
            random.next() % UInt64(image.types.count + 1))
        case 5:
          // An item of a constant list changed.
          guard !image.constantLists.isEmpty else { continue }
          let list = Int(random.next() % UInt64(image.constantLists.count))
          guard !image.constantLists[list].isEmpty else { continue }
          let item = Int(random.next() % UInt64(image.constantLists[list].count))
          image.constantLists[list][item] = Register(
            word: Int64(random.next() % 9) - 1, tag: random.next() % 3 == 0 ? -3 : 0)
        default:
          guard !image.constants.isEmpty else { continue }
          let tags: [Int64] = [0, 0, 1, 3, Register.bigTag, Register.unknownTag, Register.noneTag]
          let words: [Int64] = [0, 1, 2, -1, 7, 40, .max, .min, 1 << 40]
          image.constants[Int(random.next() % UInt64(image.constants.count))] = Register(
            word: words[Int(random.next() % UInt64(words.count))],
            tag: tags[Int(random.next() % UInt64(tags.count))])
        }
      }
      guard (try? Verifier.verify(image)) != nil,
        let policy = try? CompiledPolicy.load(
          image.compiledFile(compilerVersion: "altered").encoded())
      else { continue }
      verified += 1
      var evaluator = Evaluator(policy: policy)
      evaluator.machine.stepLimit = 50_000
      for application in subject.applications {
        do {
          let record = try evaluator.decide(json: application, asOf: date("2024-06-01"))
          _ = record.json
          decided += 1
        } catch {
          #expect(!error.description.isEmpty)
          stopped += 1
        }
        // The trace replays the same altered code.
        _ = try? evaluator.explain(json: application, asOf: date("2024-06-01"))
      }
      // The applications in one block (forced: a lane that reaches an opcode the block loop
      // does not run is set aside), which trusts the verifier as the dispatch loop does.
      evaluator.machine.blocksForced = true
      evaluator.machine.reset()
      let inputs = subject.applications.compactMap {
        try? evaluator.machine.loadApplication(json: $0)
      }
      let lanes = inputs.withUnsafeBufferPointer {
        evaluator.machine.runBlock(inputs: $0, asOf: date("2024-06-01"), jurisdiction: 0)
      }
      var records = BlockRecords()
      evaluator.machine.copyBlockRecords(decided: lanes, into: &records)
      for lane in inputs.indices where lanes & (1 << UInt64(lane)) != 0 {
        evaluator.machine.adoptBlockLane(lane, of: records)
        _ = evaluator.machine.decisionValues
        inBlocks += 1
      }
    }
  }
  // Enough altered images get past the verifier, and both outcomes occur, or the test would
  // exercise little of the VM.
  #expect(verified > 300, "only \(verified) altered images verified")
  #expect(decided > 100 && stopped > 100, "decided \(decided), stopped \(stopped)")
  #expect(inBlocks > 100, "only \(inBlocks) applications decided in blocks")
}

/// A hostile image that squares a number in a loop stops at the number-size limit instead of
/// exhausting memory: `sum` over a list, its `add` turned into `multiply r0, r0, r0`.
@Test func squaringInALoopStopsAtTheNumberSizeLimit() throws {
  let source = """
    policy p
    input application { items: List<Int> }
    decision s: Int = sum(x + 2 for x in application.items)
    """
  let files = ["p.regula": Array(source.utf8)]
  var image = try #require(
    CompiledPolicy.compile(path: "p.regula") { files[$0] }.result.output?.image)
  let accumulate = try #require(image.code.lastIndex { $0.opcode == .add })
  let total = image.code[accumulate].a
  image.code[accumulate] = Instruction(.multiply, total, total, total)
  // The accumulator starts at 3 instead of 0, so that squaring grows it.
  let start = try #require(
    image.code.firstIndex { $0.opcode == .constant && $0.a == total })
  image.constants.append(.integer(3))
  image.types.append(.int)
  image.constantTypes.append(UInt32(image.types.count - 1))
  image.code[start] = Instruction(.constant, total, wide: UInt32(image.constants.count - 1))
  let policy = try CompiledPolicy.load(image.compiledFile(compilerVersion: "hostile").encoded())
  var evaluator = Evaluator(policy: policy)
  let items = Array(repeating: "1", count: 40).joined(separator: ",")
  do {
    _ = try evaluator.decide(json: Array("{\"items\":[\(items)]}".utf8), asOf: date("2024-06-01"))
    Issue.record("3 squared 40 times (about 6·10^11 digits) was computed")
  } catch {
    #expect(error.description.contains("limit `number_size`"), "\(error)")
  }
}

/// A hostile image whose constant is a record that contains itself (`next` is the record):
/// it verifies, since every item has its type, but rendering and comparing it stop at a depth
/// limit instead of recursing until the stack overflows. (A list cannot be appended to itself:
/// the verifier rejects `append` of a list under construction to itself.)
@Test func aValueThatContainsItselfRendersWithoutEndlessRecursion() throws {
  let source = """
    policy p
    record Node { next: Node?, v: Int }
    input application { n: Node }
    decision d: Node = application.n
    """
  let files = ["p.regula": Array(source.utf8)]
  var image = try #require(
    CompiledPolicy.compile(path: "p.regula") { files[$0] }.result.output?.image)
  let entry = Int(image.definitions[0].entries[0])
  let result = image.code[entry].a
  let list = image.constantLists.count
  image.constantLists.append([.integer(Int64(list)), .integer(1)])
  image.constants.append(.integer(Int64(list)))
  image.types.append(.record(0))
  image.constantTypes.append(UInt32(image.types.count - 1))
  var appended = image
  image.code[entry] = Instruction(.constant, result, wide: UInt32(image.constants.count - 1))
  image.code[entry + 1] = Instruction(.return, result, PolicyImage.noText)
  image.code[entry + 2] = Instruction(.return, result, PolicyImage.noText)
  // The same value built by appending a list to itself does not verify.
  appended.definitions[0].entries = [UInt32(appended.code.count)]
  appended.types.append(.list(.record(0)))
  appended.code += [
    Instruction(.listBuilder, result),
    Instruction(.extra, 0, wide: UInt32(appended.types.count - 1)),
    Instruction(.append, result, result), Instruction(.return, result, PolicyImage.noText),
  ]
  appended.debug += Array(repeating: appended.debug[entry], count: 4)
  do {
    try Verifier.verify(appended)
    Issue.record("a list appended to itself verified")
  } catch {
    #expect(error.description.contains("under construction"), "\(error)")
  }
  let policy = try CompiledPolicy.load(image.compiledFile(compilerVersion: "loop").encoded())
  var evaluator = Evaluator(policy: policy)
  let record = try evaluator.decide(
    json: Array(#"{"n":{"next":null,"v":1}}"#.utf8), asOf: date("2024-06-01"))
  #expect(record.json.contains("null"))
  // The reference form of the same value (for differential tests) stops at the limit too.
  let (values, _) = try evaluator.decideWithReasons(
    .record([.record([.none, .int(1)])]), asOf: date("2024-06-01"))
  #expect(values.count == 1)
}
