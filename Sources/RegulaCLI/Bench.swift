// `regula bench`: measurements reported as medians of repeated runs (never timed tests).
import ArgumentParser
import Foundation
import RegulaSema

struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run a benchmark and print medians.",
    subcommands: [FrontendBench.self, W1Bench.self, PoliciesBench.self])
}

/// Generates a large policy and reports how long checking it takes.
struct FrontendBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "frontend", abstract: "Check a generated policy of N rules; print the median time."
  )

  @Option(help: "How many rules the generated policy has.")
  var rules = 10_000

  @Option(help: "How many timed runs to take the median of.")
  var runs = 5

  func run() throws {
    let source = FrontendBench.generatePolicy(rules: rules)
    let files = ["bench.regula": source]
    var times: [Duration] = []
    var definitions = 0
    for _ in 0..<runs {
      let clock = ContinuousClock()
      let start = clock.now
      let (result, _) = TypeChecker.check(path: "bench.regula", files: files)
      times.append(clock.now - start)
      guard let program = result.output else {
        printError(
          "error: the generated policy did not check: \(result.diagnostics.first?.message ?? "")\n")
        throw ExitCode(1)
      }
      definitions = program.definitions.count
    }
    let median = W1Bench.median(times)
    let lines = source.split(separator: "\n").count
    print("front end: \(definitions) definitions, \(lines) lines, \(source.utf8.count) bytes")
    print("check (lex, parse, resolve, type-check, order): median \(median) over \(runs) runs")
  }

  /// A policy whose rules use records, tables, aggregates, matches and money, each reading
  /// a few earlier rules, so the dependency graph is deep and wide.
  static func generatePolicy(rules: Int) -> String {
    var lines = [
      "policy generated", "enum Kind { a, b, c }",
      "record Item { amount: Money  kind: Kind  months: Months }",
      "input application { items: List<Item>  kind: Kind  start: Date }",
      "parameter rate: Decimal by Kind = { a: 1%, b: 2%, otherwise: 3% }",
      "rule r0: Money = sum(i.amount for i in application.items)",
    ]
    for index in 1..<max(rules, 1) {
      let previous = "r\(index - 1)"
      let older = "r\(index / 2)"
      switch index % 4 {
      case 0:
        lines.append(
          "rule r\(index): Money = round(\(previous) * rate[application.kind], half_even) + \(older)"
        )
      case 1:
        lines.append(
          "rule r\(index): Money = if count(i in application.items where i.kind == b) > \(index % 7) then \(previous) else \(older)"
        )
      case 2:
        lines.append(
          "rule r\(index): Money = match application.kind { a: \(previous), b, c: \(older) + 1 yuan }"
        )
      default:
        lines.append(
          "rule r\(index): Money = max(\(previous), \(older), round(\(previous) / 3, down))")
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
