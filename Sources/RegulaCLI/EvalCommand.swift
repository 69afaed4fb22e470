// `regula eval`: decide one application and print its decision record.
import ArgumentParser
import Foundation
import Regula

enum Engine: String, ExpressibleByArgument, CaseIterable {
  case vm, interpreter
}

extension Audience: ExpressibleByArgument {}

/// How `regula eval` prints: the record (and trace) as text or JSON, or the HTML report.
enum EvalFormat: String, ExpressibleByArgument, CaseIterable {
  case text, json, html
}

struct EvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Decide one application and print the decisions and the decision record.",
    discussion:
      "Exit codes: 0 decided, 1 the application or the policy has errors, 2 facts are missing, "
      + "3 a decision is not computable (a definition it needs has no version in force).")

  @Argument(help: "The policy: a rule file or a compiled file (`regula build`).")
  var policy: String

  @Option(help: "The application as JSON: a file, or - for standard input.")
  var input: String

  @Option(
    help: "Evaluate as of this date (YYYY-MM-DD); default: the application's `application_date`.")
  var asOf: String?

  @Option(help: "The jurisdiction code (national, SH, GD.SZ); default: the policy's level.")
  var jurisdiction: String?

  @Option(help: "vm (default) or interpreter (the reference interpreter, rule files only).")
  var engine: Engine = .vm

  @Option(
    name: .customLong("decision"),
    help: "Decide only this decision (repeat for several); default: every decision.")
  var decisions: [String] = []

  @Flag(
    help:
      "Also print the full trace: every definition, condition, comparison, element and lookup evaluated, with values in their units, reasons, citations and source positions (with --format json: one regula.trace/2 document holding the record)."
  )
  var explain = false

  @Option(
    help:
      "Tell the decision to its reader instead: citizen (the outcome, each reason in a sentence with its provision, what was counted), caseworker (and the conditions checked with their values) or auditor (and the full trace with the policy hash), in --lang, with the policy's labels."
  )
  var audience: Audience?

  @Option(
    help:
      "The language of --audience (default: zh); with --format html, the report opens with the citizen's account in it."
  )
  var lang: String?

  @Flag(
    help:
      "With the trace, for each decision whose reason is not ok, the smallest change to one input (a number, date, duration or Bool it read) that would change it, each verified by deciding again (implies --explain)."
  )
  var counterfactual = false

  @Option(
    help:
      "How to print the record: text (for people), json, or html (the report, with --explain); default: text on a terminal."
  )
  var format: EvalFormat?

  /// Prints the record as `--format` asks (text on a terminal unless told otherwise, else
  /// JSON); a record with an undecided decision also names the missing facts on standard
  /// error and exits 2.
  func show(_ record: DecisionRecord) throws {
    print(isJSON ? record.json : record.text, terminator: isJSON ? "\n" : "")
    try exitForMissingFacts(record)
  }

  /// Names the missing facts on standard error and exits 2 when a decision is undecided;
  /// names what is not computable and exits 3 when a decision is not computable.
  func exitForMissingFacts(_ record: DecisionRecord) throws {
    guard record.missingFacts.isEmpty else {
      printError(
        "error: \(input): missing facts: "
          + record.missingFacts.map { "`\($0)`" }.joined(separator: ", ") + "\n")
      throw ExitCode(2)
    }
    let notComputable = record.decisions.filter { $0.notComputable != nil }
    guard notComputable.isEmpty else {
      for decision in notComputable {
        printError("error: \(input): `\(decision.name)`: \(decision.notComputable ?? "")\n")
      }
      throw ExitCode(3)
    }
  }

  var isJSON: Bool { (format ?? (isatty(1) == 1 ? .text : .json)) == .json }

  /// Reports an outcome that is not a decision: the message on standard error, and with JSON
  /// output also one `regula.error/1` document on standard output, so that a program reading
  /// stdout gets one JSON document for every outcome. Exits 1.
  func fail(_ error: DecisionError) -> ExitCode {
    printError("error: \(input): \(error)\n")
    if isJSON { print(error.json) }
    return ExitCode(1)
  }

  func run() throws {
    let compiled: CompiledPolicy
    do { compiled = try loadPolicy(policy) } catch { throw ExitCode(1) }
    let bytes =
      input == "-" ? Array(FileHandle.standardInput.readDataToEndOfFile()) : readFile(input)
    guard let bytes else {
      throw fail(.application(ApplicationError(path: "", message: "cannot read `\(input)`")))
    }
    var date: CivilDate?
    if let asOf {
      guard let parsed = try? CivilDate(iso8601: asOf) else {
        throw fail(
          .application(
            ApplicationError(path: "", message: "`--as-of \(asOf)` is not a date YYYY-MM-DD")))
      }
      date = parsed
    }
    if engine == .interpreter {
      try interpret(compiled, bytes, date)
      return
    }
    var evaluator = Evaluator(policy: compiled)
    let record: DecisionRecord
    var trace: Trace?
    var whyNot: [WhyNot]?
    do {
      if !decisions.isEmpty { try evaluator.select(decisions: decisions) }
      if counterfactual {
        whyNot = try evaluator.counterfactuals(json: bytes, asOf: date, jurisdiction: jurisdiction)
          .whyNot
      }
      if explain || counterfactual || audience != nil {
        (record, trace) = try evaluator.explain(
          json: bytes, asOf: date, jurisdiction: jurisdiction)
      } else {
        record = try evaluator.decide(json: bytes, asOf: date, jurisdiction: jurisdiction)
      }
    } catch {
      throw fail(error)
    }
    guard let trace else {
      if format == .html {
        printError("error: --format html is the report of a trace: add --explain\n")
        throw ExitCode(1)
      }
      try show(record)
      return
    }
    // One document per request: JSON is the trace document with the record inside it.
    if let audience {
      let account = evaluator.account(
        record: record, trace: trace, audience: audience, language: lang ?? "zh")
      if isJSON {
        print(
          "{\"schema\":\"regula.account/1\",\"audience\":\(JSONWriter.quote(audience.rawValue)),"
            + "\"language\":\(JSONWriter.quote(lang ?? "zh")),\"text\":\(JSONWriter.quote(account.text)),"
            + "\"missing_labels\":["
            + account.missingLabels.map(JSONWriter.quote).joined(separator: ",")
            + "],\"record\":\(record.json)}")
      } else {
        print(account.text, terminator: "")
      }
    } else if format == .html {
      let page =
        lang.map {
          evaluator.report(record: record, trace: trace, whyNot: whyNot, language: $0)
        } ?? trace.html(record: record, whyNot: whyNot)
      print(page, terminator: "")
    } else if isJSON {
      print(trace.json(record: record, whyNot: whyNot))
    } else {
      print(record.text, terminator: "")
      if let whyNot {
        print("what would change it")
        for line in whyNot.flatMap(\.sentences) { print("  " + line) }
        if whyNot.isEmpty { print("  every decision's reason is ok (or it gives none)") }
      }
      print("trace")
      print(trace.text(), terminator: "")
    }
    try exitForMissingFacts(record)
  }

  /// The same decision with the reference interpreter, printed in the same record format.
  func interpret(_ compiled: CompiledPolicy, _ bytes: [UInt8], _ asOf: CivilDate?) throws {
    guard let program = compiled.program else {
      printError("error: the interpreter needs the rule file, not a compiled file\n")
      throw ExitCode(1)
    }
    if let jurisdiction, program.jurisdiction(jurisdiction) == nil {
      throw fail(.unknownJurisdiction(jurisdiction, valid: program.jurisdictions))
    }
    let names = program.definitions.filter { $0.kind == .decision }.map(\.name)
    if let unknown = decisions.first(where: { !names.contains($0) }) {
      throw fail(.unknownDecision(unknown, valid: names))
    }
    let record: DecisionRecord
    do {
      let application = try InputReader(program: program).read(try JSONReader.parse(bytes))
      guard let date = asOf ?? applicationDate(program, application) else {
        throw fail(
          .application(
            ApplicationError(
              path: "",
              message: "no as-of date: give `--as-of YYYY-MM-DD`, or an `application_date` field")
          ))
      }
      let outcome = try Interpreter.evaluate(
        program, input: application, asOf: date, jurisdiction: jurisdiction ?? program.level,
        only: decisions.isEmpty ? nil : Set(decisions))
      let decided = outcome.decisions.map {
        DecisionRecord.Decision(
          name: $0.name, json: program.json(of: $0.value, $0.type, decision: $0.name),
          reason: $0.reason,
          missingFacts: $0.missingFacts, notComputable: $0.notComputable)
      }
      record = DecisionRecord(
        policy: program.name, policyHash: compiled.contentHash, asOf: date,
        jurisdiction: outcome.jurisdiction,
        decisions: decided, failedConditions: outcome.failedConditions,
        inputsRead: outcome.inputsRead)
    } catch let error as ExitCode {
      throw error
    } catch let error as EvaluationError {
      throw fail(.evaluation(message: error.description, definition: nil))
    } catch let error as JSONError {
      // Worded as the VM's reader words it (`Evaluator.decide`).
      throw fail(.application(ApplicationError(path: "", message: "invalid JSON at \(error)")))
    } catch let error as InputError {
      // The path stays a field of the error document, as the VM's reader gives it.
      throw fail(.application(ApplicationError(path: error.path, message: error.message)))
    } catch {
      throw fail(.application(ApplicationError(path: "", message: "\(error)")))
    }
    try show(record)
  }

  func applicationDate(_ program: IRProgram, _ application: Value) -> CivilDate? {
    guard
      let index = program.input?.fields.firstIndex(where: {
        $0.name == "application_date" && $0.type == .date
      }),
      case .record(let values) = application, case .date(let date) = values[index]
    else { return nil }
    return date
  }
}
