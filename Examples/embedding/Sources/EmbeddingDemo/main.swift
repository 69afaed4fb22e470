// Compiles the W1 policy, shares it between two evaluators (one per thread in a real
// service), decides an application given as JSON bytes, and prints the decision record.
import Foundation
import Regula

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
  FileHandle.standardError.write(Data("usage: EmbeddingDemo POLICY APPLICATION.json\n".utf8))
  exit(64)
}
let (compiled, sources) = CompiledPolicy.compile(path: arguments[1]) { path in
  FileManager.default.contents(atPath: path).map { Array($0) }
}
guard let policy = compiled.output else {
  FileHandle.standardError.write(
    Data(DiagnosticRenderer(sources: sources).render(compiled.diagnostics).utf8))
  exit(1)
}
guard let application = FileManager.default.contents(atPath: arguments[2]) else {
  FileHandle.standardError.write(Data("cannot read \(arguments[2])\n".utf8))
  exit(1)
}
// The compiled policy is immutable and Sendable: every evaluator (thread) shares it.
let shared: CompiledPolicy = policy
var evaluator = Evaluator(policy: shared)
do {
  let record = try evaluator.decide(
    json: Array(application), asOf: try CivilDate(iso8601: "2024-06-01"))
  for decision in record.decisions {
    print("\(decision.name) = \(decision.json)" + (decision.reason.map { " (\($0))" } ?? ""))
  }
  print(record.json)
} catch {
  FileHandle.standardError.write(Data("no decision: \(error)\n".utf8))
  exit(2)
}
