import ArgumentParser
import Foundation
// `regula test`: run the `test` blocks of policies with the reference interpreter, and check
// that the bytecode VM gives the same value and reason for every expectation and the same
// whole decision record for every test's application.
import Regula
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

  @Flag(help: "Report the definitions and cited provisions that no test case exercised.")
  var coverage = false

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
      guard !program.tests.isEmpty else { continue }
      // The policy's own `from` (a test module's header has none: the imported policy's).
      let from = program.from
      // Every expectation is also evaluated by the VM, the engine services run.
      let engine: TestRunner.Engine
      let records: TestRunner.RecordCheck
      do {
        let policy = try CompiledPolicy.compile(
          program: program,
          sourceFiles: CompiledPolicy.sourceNames(sources.files.map(\.path), root: file),
          lineStarts: sources.files.map(\.lineStarts))
        var evaluator = Evaluator(policy: policy)
        engine = { input, asOf, jurisdiction, definition in
          let (value, reason) = try evaluator.evaluate(
            definition: definition, application: input, asOf: asOf, jurisdiction: jurisdiction)
          return (value.json(program.definitions[definition].type, in: program), reason)
        }
        var whole = Evaluator(policy: policy)
        records = { input, asOf, jurisdiction in
          policy.engineDifference(input, asOf: asOf, jurisdiction: jurisdiction, with: &whole)
        }
      } catch {
        // `eval` and `build` refuse this policy, so its tests do not pass.
        printError("error: \(file): the policy cannot be compiled to bytecode: \(error)\n")
        failed += 1
        continue
      }
      let results = TestRunner.run(
        program, defaultAsOf: from ?? program.from, engine: engine, records: records)
      let renderer = DiagnosticRenderer(sources: sources)
      if coverage { printCoverage(program, results, renderer) }
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

extension TestCommand {
  /// One line per definition and per cited provision that no case exercised, with totals.
  func printCoverage(
    _ program: IRProgram, _ results: [TestRunner.Result], _ renderer: DiagnosticRenderer
  ) {
    let evaluated = results.reduce(into: Set<String>()) { $0.formUnion($1.evaluated) }
    let exercised = results.reduce(into: Set<SourceSpan>()) { $0.formUnion($1.exercised) }
    var sites: [(citation: Citation, span: SourceSpan, covered: Bool)] = []
    for definition in program.definitions {
      let used = evaluated.contains(definition.name)
      if let citation = definition.citation { sites.append((citation, definition.span, used)) }
      for variant in definition.variants {
        if let citation = variant.citation, citation != definition.citation {
          sites.append((citation, variant.span, used))
        }
        for version in variant.versions {
          switch version.body {
          case .value: break
          case .firstOf(let cases):
            for item in cases {
              if let citation = item.citation {
                sites.append((citation, item.span, exercised.contains(item.span)))
              }
            }
          case .allOf(let conditions):
            for item in conditions {
              if let citation = item.citation {
                sites.append((citation, item.span, exercised.contains(item.span)))
              }
            }
          }
        }
      }
    }
    let unused = program.definitions.filter { !evaluated.contains($0.name) }
    let uncovered = sites.filter { !$0.covered }
    print(
      "coverage \(program.name): \(program.definitions.count - unused.count) of \(program.definitions.count) definitions, "
        + "\(sites.count - uncovered.count) of \(sites.count) cited provisions exercised")
    for definition in unused {
      let position = renderer.position(of: definition.span)
      print(
        "  not exercised: \(definition.kind.rawValue) `\(definition.name)` (\(position.path):\(position.line))"
      )
    }
    for site in uncovered {
      let position = renderer.position(of: site.span)
      let source = site.citation.source.map { "\($0.text) " } ?? ""
      print(
        "  not exercised: cite \(source)\(JSONText.quote(site.citation.text)) (\(position.path):\(position.line))"
      )
    }
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
