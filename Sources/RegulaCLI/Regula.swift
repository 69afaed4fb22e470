// The `regula` command: check, format and inspect rule files.
import ArgumentParser
import Foundation
import Regula
import RegulaSema

@main
struct Regula: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "regula",
    abstract: "Compile, check and format Regula rule files.",
    discussion: "Exit codes: 0 success, 1 diagnostics or failed checks, 64 usage errors.",
    version: RegulaVersion.string,
    subcommands: [
      Check.self, Format.self, Dump.self, TestCommand.self, EvalCommand.self, BatchCommand.self,
      BuildCommand.self, DisasmCommand.self, Bench.self, ServeCommand.self, TokenCommand.self,
      AuditCommand.self, LanguageServerCommand.self,
    ])

  /// Runs the command, with standard output checked when the process exits.
  static func main() {
    checkStandardOutputAtExit()
    main(nil)
  }
}

/// The compiler version printed by `--version` and recorded in compiled files.
/// Reads a file as bytes, or nil if it cannot be read.
func readFile(_ path: String) -> [UInt8]? {
  FileManager.default.contents(atPath: path).map { Array($0) }
}

/// Writes text to standard error.
func printError(_ text: String) {
  FileHandle.standardError.write(Data(text.utf8))
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case text, json
}

struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Type-check rule files and report every error.")

  @Option(help: "How to print diagnostics: text or json.")
  var format: OutputFormat = .text

  @Flag(
    help:
      "Also warn about every decision, reason code and cited provision without a zh or en label (for --audience)."
  )
  var labels = false

  @Argument(help: "The policy or module files to check.")
  var files: [String]

  func run() throws {
    var failed = false
    var jsonItems: [String] = []
    for path in files {
      let (result, sources) = TypeChecker.check(path: path, read: { readFile($0) })
      let renderer = DiagnosticRenderer(sources: sources)
      failed = failed || result.diagnostics.containsErrors
      if labels && !result.diagnostics.containsErrors { warnAboutLabels(path) }
      switch format {
      case .text:
        if !result.diagnostics.isEmpty { printError(renderer.render(result.diagnostics) + "\n") }
        let errors = result.diagnostics.filter { $0.severity == .error }.count
        let definitions = result.output?.definitions.count ?? 0
        print(
          errors == 0
            ? "\(path): ok, \(definitions) definitions"
            : "\(path): \(errors) error\(errors == 1 ? "" : "s")")
      case .json:
        let text = renderer.renderJSON(result.diagnostics).trimmingCharacters(
          in: .whitespacesAndNewlines)
        if text != "[]" { jsonItems.append(String(text.dropFirst().dropLast())) }
      }
    }
    if format == .json { print("[" + jsonItems.joined(separator: ",\n") + "]") }
    if failed { throw ExitCode(1) }
  }

  /// One warning per label an account in zh or en would need and the policy lacks, at the
  /// place that needs it.
  func warnAboutLabels(_ path: String) {
    let (compiled, sources) = CompiledPolicy.compile(path: path, read: { readFile($0) })
    guard let policy = compiled.output else { return }
    var count = 0
    for language in ["zh", "en"] {
      for (what, span) in policy.missingLabels(language) {
        let file = sources[span.file]
        let line = file.location(of: span.bytes.lowerBound).line
        printError("warning: \(file.path):\(line): \(what) has no `\(language)` label\n")
        count += 1
      }
    }
    print("\(path): \(count) missing label\(count == 1 ? "" : "s") (zh, en)")
  }
}

struct Format: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fmt", abstract: "Rewrite rule files in canonical form.")

  @Flag(
    help:
      "Change nothing; print what formatting would change, as a diff, and exit 1 if any file is not in canonical form."
  )
  var check = false

  @Argument(help: "The files to format.")
  var files: [String]

  func run() throws {
    var failed = false
    for path in files {
      guard let bytes = readFile(path) else {
        printError("error: cannot read `\(path)`\n")
        failed = true
        continue
      }
      var sources = SourceManager()
      let id = sources.add(path: path, bytes: bytes)
      let parsed = Parser.parse(sources[id])
      if parsed.diagnostics.containsErrors {
        printError(DiagnosticRenderer(sources: sources).render(parsed.diagnostics) + "\n")
        failed = true
        continue
      }
      let formatted = Formatter.format(parsed.syntax, file: sources[id])
      if Array(formatted.utf8) == bytes { continue }
      if check {
        print("\(path): not formatted")
        print(
          TextDiff.unified(
            old: String(decoding: bytes, as: UTF8.self), new: formatted, oldName: path,
            newName: "\(path) (formatted)"),
          terminator: "")
        failed = true
      } else {
        do { try Data(formatted.utf8).write(to: URL(fileURLWithPath: path)) } catch {
          printError("error: cannot write `\(path)`: \(error.localizedDescription)\n")
          failed = true
        }
      }
    }
    if failed { throw ExitCode(1) }
  }
}

struct Dump: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Print one stage's form of a file: tokens, syntax or checked.")

  enum Stage: String, ExpressibleByArgument, CaseIterable {
    case tokens, syntax, checked
  }

  @Option(help: "The stage to print: tokens, syntax or checked.")
  var stage: Stage = .syntax

  @Argument(help: "The file to print.")
  var file: String

  func run() throws {
    guard let bytes = readFile(file) else {
      printError("error: cannot read `\(file)`\n")
      throw ExitCode(1)
    }
    switch stage {
    case .tokens, .syntax:
      var sources = SourceManager()
      let id = sources.add(path: file, bytes: bytes)
      let text =
        stage == .tokens ? TokenPrinter.print(sources[id]) : parsedTree(sources[id], sources)
      print(text, terminator: "")
    case .checked:
      let (result, sources) = TypeChecker.check(path: file, read: { readFile($0) })
      guard let program = result.output else {
        printError(DiagnosticRenderer(sources: sources).render(result.diagnostics) + "\n")
        throw ExitCode(1)
      }
      print(CheckedPrinter.print(program), terminator: "")
    }
  }

  func parsedTree(_ file: SourceFile, _ sources: SourceManager) -> String {
    let parsed = Parser.parse(file)
    if !parsed.diagnostics.isEmpty {
      printError(DiagnosticRenderer(sources: sources).render(parsed.diagnostics) + "\n")
    }
    return SyntaxPrinter.print(parsed.syntax, file: file)
  }
}
