// `regula test`: run the `test` blocks of policies with the reference interpreter.
import ArgumentParser
import Foundation
import RegulaIR

struct TestCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "test", abstract: "Run the test cases written beside policies.",
    discussion:
      "Prints each failure with the decision, expected and actual values, and ends with `N passed, M failed`."
  )

  @Argument(
    help: "Policy files or folders to search for .regula files (default: the current folder).")
  var paths: [String] = ["."]

  func run() throws {
    var passed = 0
    var failed = 0
    for file in ruleFiles(paths) {
      let (compiled, sources) = Pipeline.compile(path: file, read: { readFile($0) })
      guard let program = compiled.output else {
        printError(DiagnosticRenderer(sources: sources).render(compiled.diagnostics) + "\n")
        failed += 1
        continue
      }
      guard !program.tests.isEmpty, let root = sources.files.last else { continue }
      let header = Parser.parse(root).syntax.header
      let from = header.validity.flatMap { try? CivilDate(iso8601: $0.from.description) }
      let results = TestRunner.run(
        program, defaultAsOf: from ?? program.from)
      let renderer = DiagnosticRenderer(sources: sources)
      for result in results {
        if result.passed {
          passed += 1
          continue
        }
        failed += 1
        let position = renderer.position(of: result.span)
        print("FAIL \(JSONText.quote(result.name)) (\(position.path):\(position.line))")
        for failure in result.failures { print("  \(failure)") }
      }
    }
    print("\(passed) passed, \(failed) failed")
    if failed > 0 { throw ExitCode(1) }
  }
}

/// The `.regula` files named or found under the given paths, sorted.
func ruleFiles(_ paths: [String]) -> [String] {
  var files: [String] = []
  for path in paths {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      files.append(path)
      continue
    }
    guard isDirectory.boolValue else {
      files.append(path)
      continue
    }
    let found = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? [])
      .filter { $0.hasSuffix(".regula") && !$0.hasPrefix(".build") && !$0.contains("/.build") }
    files += found.map { path == "." ? $0 : "\(path)/\($0)" }
  }
  return files.sorted()
}
