// The VM and the reference interpreter agree on seeded random programs and applications,
// including values at the Int64 edges that force the exact (GMP) path.
// `REGULA_DIFF_PROGRAMS=1000000 swift test --filter RandomProgramTests` is the long mode.
import Foundation
import Regula
import Testing

let programCount = Int(ProcessInfo.processInfo.environment["REGULA_DIFF_PROGRAMS"] ?? "") ?? 10_000

@Test func vmAgreesWithTheInterpreterOnRandomPrograms() throws {
  var generator = ProgramGenerator(seed: 0xD1FF_0001)
  var compared = 0
  var errors = 0
  var disagreements: [String] = []
  for programIndex in 0..<programCount {
    let source = generator.program()
    let files = ["random.regula": Array(source.utf8)]
    let (result, sources) = CompiledPolicy.compile(path: "random.regula") { files[$0] }
    guard let policy = result.output else {
      Issue.record(
        Comment(
          rawValue:
            "program \(programIndex) does not compile:\n\(source)\n\(DiagnosticRenderer(sources: sources).render(result.diagnostics))"
        ))
      return
    }
    for _ in 0..<3 {
      let json = generator.application()
      let input = try InputReader(program: policy.program!).read(
        try JSONReader.parse(Array(json.utf8)))
      let (interpreted, machined) = bothAnswers(
        policy, input: input, asOf: date("2024-06-01"), jurisdiction: "national")
      compared += 1
      if interpreted.hasPrefix("runtime") || interpreted.hasPrefix("missing") { errors += 1 }
      if interpreted != machined && disagreements.count < 3 {
        disagreements.append(
          "seed program \(programIndex)\n\(source)\ninput \(json)\ninterpreter: \(interpreted)\nvm:          \(machined)"
        )
      }
    }
  }
  #expect(disagreements.isEmpty, Comment(rawValue: disagreements.joined(separator: "\n\n")))
  #expect(compared == programCount * 3)
  // Most evaluations must produce decisions, or the comparison would only test error paths.
  #expect(errors * 2 < compared, "\(errors) of \(compared) evaluations ended in errors")
  print(
    "random programs: \(programCount), evaluations compared: \(compared), of which errors: \(errors)"
  )
}
