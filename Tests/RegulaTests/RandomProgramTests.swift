// The VM and the reference interpreter agree on seeded random programs and applications,
// including values at the Int64 edges that force the exact (GMP) path.
// `REGULA_DIFF_PROGRAMS=1000000 swift test --filter RandomProgramTests` is the long mode.
import Foundation
import Regula
import Testing

/// 2,000 programs by default (about half a minute in a debug build); CI runs 10,000
/// (`.ci/run` sets `REGULA_DIFF_PROGRAMS`), the long mode 1,000,000.
let programCount = Int(ProcessInfo.processInfo.environment["REGULA_DIFF_PROGRAMS"] ?? "") ?? 2_000

@Test func vmAgreesWithTheInterpreterOnRandomPrograms() throws {
  var generator = ProgramGenerator(seed: 0xD1FF_0001)
  var compared = 0
  var errors = 0
  var undecided = 0
  var notComputable = 0
  var refused = 0
  var disagreements: [String] = []
  var unseen = Set(generatedConstructs.map(\.construct))
  var inlinedPrograms = 0
  for programIndex in 0..<programCount {
    let source = generator.program()
    if !unseen.isEmpty {
      for (construct, marker) in generatedConstructs where source.contains(marker) {
        unseen.remove(construct)
      }
    }
    let files = [
      "random.regula": Array(source.utf8), "lib.regula": Array(ProgramGenerator.library.utf8),
    ]
    let (result, sources) = CompiledPolicy.compile(path: "random.regula") { files[$0] }
    guard let policy = result.output else {
      Issue.record(
        Comment(
          rawValue:
            "program \(programIndex) does not compile:\n\(source)\n\(DiagnosticRenderer(sources: sources).render(result.diagnostics))"
        ))
      return
    }
    // `bothAnswers` compares the inlined code with the image's: count the programs where
    // there is something to compare.
    if (policy.inlinedCode?.inlinedCalls ?? 0) > 0 { inlinedPrograms += 1 }
    for _ in 0..<3 {
      let json = generator.application()
      let (place, day) = generator.placeAndDate()
      let input: Value
      do {
        input = try InputReader(program: policy.program!).read(
          try JSONReader.parse(Array(json.utf8)))
      } catch let refusal {
        // An application outside the declared bounds: the VM's readers refuse it with the
        // same message (and the fast reader declines it).
        var evaluator = Evaluator(policy: policy)
        var machined = "accepted"
        do {
          _ = try evaluator.decide(json: Array(json.utf8), asOf: date(day), jurisdiction: place)
        } catch .application(let error) {
          machined = "\(error)"
        } catch {
          machined = "\(error)"
        }
        compared += 1
        refused += 1
        if "\(refusal)" != machined && disagreements.count < 3 {
          disagreements.append(
            "seed program \(programIndex)\n\(source)\ninput \(json)\ninterpreter: \(refusal)\nvm:          \(machined)"
          )
        }
        continue
      }
      let (interpreted, machined) = bothAnswers(
        policy, input: input, asOf: date(day), jurisdiction: place)
      compared += 1
      if interpreted.hasPrefix("error") { errors += 1 }
      if interpreted.contains(#""kind":"missing_facts""#) { undecided += 1 }
      if interpreted.contains(#""not_computable":"#) { notComputable += 1 }
      if interpreted != machined && disagreements.count < 3 {
        disagreements.append(
          "seed program \(programIndex) at \(place) as of \(day)\n\(source)\ninput \(json)\ninterpreter: \(interpreted)\nvm:          \(machined)"
        )
      }
    }
  }
  #expect(disagreements.isEmpty, Comment(rawValue: disagreements.joined(separator: "\n\n")))
  #expect(unseen.isEmpty, "constructs never generated: \(unseen.sorted())")
  print(
    "constructs generated (\(generatedConstructs.count)): "
      + generatedConstructs.map(\.construct).joined(separator: ", "))
  #expect(compared == programCount * 3)
  // Most evaluations must produce decisions, or the comparison would only test error paths.
  #expect(errors * 2 < compared, "\(errors) of \(compared) evaluations ended in errors")
  // Applications that leave a fact out must leave some decisions undecided.
  #expect(undecided * 50 > compared, "\(undecided) of \(compared) records had missing facts")
  // Decisions that need a parameter not yet in force are not computable, now and then.
  #expect(notComputable * 100 > compared, "\(notComputable) of \(compared) not computable")
  // Bounds refuse some applications (both readers compared), not most.
  #expect(refused > 0 && refused * 4 < compared, "\(refused) of \(compared) refused by bounds")
  // The inlined code is compared with the image's on a share of the programs (about three in
  // ten: most generated rules are needed in several places, and those are not inlined).
  #expect(inlinedPrograms * 5 > programCount, "\(inlinedPrograms) of \(programCount) inlined")
  print(
    "random programs: \(programCount), whole records compared: \(compared), of which errors: "
      + "\(errors), with undecided decisions: \(undecided), with decisions not computable: "
      + "\(notComputable), refused by bounds: \(refused), with calls inlined: \(inlinedPrograms)")
}

/// The fast JSON path reads exactly what the tree reader reads, and declines what it cannot.
@Test func theFastReaderAgreesWithTheTreeReader() throws {
  var generator = ProgramGenerator(seed: 0xFA57)
  let source = generator.program()
  let policy = try compiledRandom(source)
  var machine = Machine(image: policy.image)
  let input = SchemaType.record(policy.image.inputRecord)
  var fastCount = 0
  var documents = (0..<2_000).map { _ in generator.application() }
  documents += [
    #"{"i":1,"i":2}"#, #"{"i":01}"#, #"{"i":1.5}"#, #"{"d":"1."}"#, #"{"d":1.}"#,
    // A Decimal string that is not one: unterminated, a control character, invalid UTF-8.
    #"{"d":"1}"#, "{\"d\":\"1\t}", "{\"d\":\"\u{00FF}\"1}",
    #"{"color":"re\u0064"}"#,
    #"{"unknown":1}"#, #"{"items":[{"amount":1,"count":1,"color":"red","flag":true,"x":1}]}"#,
    #"{"day":"2024-02-30"}"#,
    #"{"maybe":null,"months":-1}"#, #"{"i":9223372036854775808}"#, "{}", "[]", "", #"{"i":1} x"#,
  ]
  for json in documents {
    machine.reset()
    let empty = machine.facts.mark()
    let fastRegister = machine.loadApplicationFast(json: Array(json.utf8))
    let fast = fastRegister.map { machine.json($0, input) }
    // A document either reader declines leaves the facts as they were: a block reads 64
    // applications side by side, with no reset between them.
    if fastRegister == nil {
      #expect(machine.facts.mark() == empty, "the fast reader left facts behind: \(json)")
    }
    machine.reset()
    let treeRegister = try? machine.loadApplicationKeepingFacts(json: Array(json.utf8))
    if treeRegister == nil {
      #expect(machine.facts.mark() == empty, "the tree reader left facts behind: \(json)")
    }
    let tree = treeRegister.map { machine.json($0, input) }
    if let fast {
      fastCount += 1
      #expect(fast == tree, "fast and tree readers differ on \(json)")
    }
  }
  // The generated applications are mostly plain: the fast path must take most of them.
  #expect(fastCount > 1_000)
}
