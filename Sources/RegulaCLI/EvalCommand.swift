// `regula eval`: decide one application with the reference interpreter.
import ArgumentParser
import Foundation
import RegulaBytecode
import RegulaIR

struct EvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Decide one application and print the decisions and the decision record.",
    discussion:
      "Exit codes: 0 decided, 1 the application or the policy has errors, 2 facts are missing.")

  @Argument(help: "The policy file.")
  var policy: String

  @Option(help: "The application as JSON: a file, or - for standard input.")
  var input: String

  @Option(
    help: "Evaluate as of this date (YYYY-MM-DD); default: the application's `application_date`.")
  var asOf: String?

  @Option(help: "The jurisdiction code (national, SH, GD.SZ); default: the policy's level.")
  var jurisdiction: String?

  func run() throws {
    let (compiled, sources) = Pipeline.compile(path: policy, read: { readFile($0) })
    guard let program = compiled.output else {
      printError(DiagnosticRenderer(sources: sources).render(compiled.diagnostics) + "\n")
      throw ExitCode(1)
    }
    let bytes =
      input == "-" ? Array(FileHandle.standardInput.readDataToEndOfFile()) : readFile(input)
    guard let bytes else {
      printError("error: cannot read `\(input)`\n")
      throw ExitCode(1)
    }
    let application: Value
    do {
      application = try InputReader(program: program).read(try JSONReader.parse(bytes))
    } catch let error as JSONError {
      printError("error: \(input): invalid JSON at \(error)\n")
      throw ExitCode(1)
    } catch {
      printError("error: \(input): \(error)\n")
      throw ExitCode(1)
    }
    let date = try resolveAsOf(program: program, application: application)
    let place = jurisdiction ?? program.level
    do {
      let outcome = try Interpreter.evaluate(
        program, input: application, asOf: date, jurisdiction: place)
      let hash = SHA256.hex(SHA256.hash(sources.files.flatMap(\.bytes)))
      print(DecisionRecordJSON.render(outcome, program: program, policyHash: hash))
    } catch .missingFacts(let paths) {
      printError("error: missing facts: " + paths.map { "`\($0)`" }.joined(separator: ", ") + "\n")
      throw ExitCode(2)
    } catch {
      let position = DiagnosticRenderer(sources: sources).position(of: spanOf(error))
      printError("error: \(position.path):\(position.line):\(position.column): \(error)\n")
      throw ExitCode(1)
    }
  }

  func spanOf(_ error: EvaluationError) -> SourceSpan {
    switch error {
    case .runtime(_, let span), .limit(_, let span): span
    case .missingFacts: SourceSpan(file: .init(0), bytes: 0..<0)
    }
  }

  func resolveAsOf(program: IRProgram, application: Value) throws -> CivilDate {
    if let asOf {
      guard let date = try? CivilDate(iso8601: asOf) else {
        printError("error: `--as-of \(asOf)` is not a date YYYY-MM-DD\n")
        throw ExitCode(1)
      }
      return date
    }
    if let index = program.input?.fields.firstIndex(where: {
      $0.name == "application_date" && $0.type == .date
    }),
      case .record(let values) = application, case .date(let date) = values[index]
    {
      return date
    }
    printError("error: give `--as-of YYYY-MM-DD`: the application has no `application_date`\n")
    throw ExitCode(1)
  }
}

/// The decision record as JSON (schema `regula.decision/1`).
enum DecisionRecordJSON {
  static func render(_ outcome: Outcome, program: IRProgram, policyHash: String) -> String {
    let decisions = outcome.decisions.map { decision in
      var fields = ["\"value\":\(decision.value.json(decision.type, in: program))"]
      if let reason = decision.reason { fields.append("\"reason\":\(JSONText.quote(reason))") }
      return "\(JSONText.quote(decision.name)):{" + fields.joined(separator: ",") + "}"
    }
    let failed = outcome.failedConditions.map {
      "{\"definition\":\(JSONText.quote($0.definition)),\"reason\":\(JSONText.quote($0.reason))}"
    }
    let parts = [
      "\"schema\":\"regula.decision/1\"",
      "\"policy\":\(JSONText.quote(program.name))",
      "\"policy_hash\":\(JSONText.quote(policyHash))",
      "\"as_of\":\(JSONText.quote(outcome.asOf.description))",
      "\"jurisdiction\":\(JSONText.quote(outcome.jurisdiction))",
      "\"decisions\":{" + decisions.joined(separator: ",") + "}",
      "\"failed_conditions\":[" + failed.joined(separator: ",") + "]",
      "\"evaluated\":[" + outcome.evaluated.map(JSONText.quote).joined(separator: ",") + "]",
      "\"inputs_read\":[" + outcome.inputsRead.map(JSONText.quote).joined(separator: ",") + "]",
    ]
    return "{" + parts.joined(separator: ",") + "}"
  }
}
