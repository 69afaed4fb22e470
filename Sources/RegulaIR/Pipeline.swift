// The front half of the compiler as one call: check, lower, and run the IR passes.

/// Compiles a policy to optimised IR.
public enum Pipeline {
  /// Checks `path` (reading imports with `read`), lowers it and runs the passes.
  ///
  /// - Parameter optimize: false skips constant folding and dead-definition removal, to see
  ///   the IR exactly as lowered.
  /// - Returns: the staged IR (nil output when checking or lowering reported an error) and the
  ///   source manager that renders the diagnostics.
  public static func compile(path: String, read: @escaping FileReader, optimize: Bool = true) -> (
    result: Staged<IRProgram>, sources: SourceManager
  ) {
    let (checked, sources) = TypeChecker.check(path: path, read: read)
    guard let program = checked.output else {
      return (Staged(output: nil, diagnostics: checked.diagnostics), sources)
    }
    let lowered = Lowering.lower(program)
    guard var ir = lowered.output else {
      return (Staged(output: nil, diagnostics: checked.diagnostics + lowered.diagnostics), sources)
    }
    if optimize { ir = ir.foldingConstants().removingDeadDefinitions() }
    if let (id, depth) = ir.evaluationDepthViolation() {
      let definition = ir.definitions[id]
      let diagnostic = Diagnostic(
        .evaluationTooDeep, at: definition.span,
        message:
          "evaluating `\(definition.name)` can nest \(depth) levels deep, over the limit of "
          + "\(IRProgram.maximumEvaluationDepth) (expression levels summed along its chain of calls)",
        help: "shorten the chain of rules that call each other, or flatten deep expressions")
      return (Staged(output: nil, diagnostics: checked.diagnostics + [diagnostic]), sources)
    }
    return (Staged(output: ir, diagnostics: checked.diagnostics), sources)
  }
}

/// Runs a policy's `test` blocks with the reference interpreter, and optionally checks a second
/// engine (the bytecode VM) against it on every expectation.
public enum TestRunner {
  /// A second engine: the value (as JSON text of the definition's type) and reason code of
  /// definition `definition` for `input`, as of `asOf`, in `jurisdiction`; it throws when it
  /// stops (its error's description is reported).
  public typealias Engine =
    (_ input: Value, _ asOf: CivilDate, _ jurisdiction: String, _ definition: Int) throws -> (
      json: String, reason: String?
    )

  /// A check of a test's whole application on a second engine: nil when it gives the same
  /// whole record as the interpreter (every decision, reason, failed condition, input read and
  /// missing fact), else the difference.
  public typealias RecordCheck =
    (_ input: Value, _ asOf: CivilDate, _ jurisdiction: String) -> String?

  /// One test's result: its failures (none when it passed) and what it covered.
  public struct Result: Sendable {
    /// The test's name.
    public var name: String
    /// Where to report the test: the span of its `given` block.
    public var span: SourceSpan
    /// One message per mismatch or error, such as `benefit: expected 100, got 90`.
    public var failures: [String]
    /// True when no expectation failed.
    public var passed: Bool { failures.isEmpty }
    /// The names of the definitions this test evaluated, for coverage.
    public var evaluated: Set<String> = []
    /// The spans of the `first of` cases taken and the `all of` conditions checked.
    public var exercised: Set<SourceSpan> = []
  }

  /// Runs every test of `program` with the reference interpreter.
  ///
  /// - Parameter defaultAsOf: the date for tests without `as of`; a test with neither fails.
  /// - Parameter defaultJurisdiction: the jurisdiction for tests without one; nil for the
  ///   policy's level.
  /// - Returns: one result per test, in declaration order.
  /// - Parameter engine: when given, every expectation is also evaluated by it, and a value,
  ///   reason or error that differs from the interpreter's is a failure of the test.
  /// - Parameter records: when given, every test's application is also decided whole by it,
  ///   and a record that differs from the interpreter's is a failure of the test.
  public static func run(
    _ program: IRProgram, defaultAsOf: CivilDate?, defaultJurisdiction: String? = nil,
    engine: Engine? = nil, records: RecordCheck? = nil
  ) -> [Result] {
    let defaultJurisdiction = defaultJurisdiction ?? program.level
    // The interpreter recurses: on a thread whose stack holds the deepest evaluation allowed.
    return LargeStack.run {
      program.tests.map {
        run(
          $0, program, defaultAsOf: defaultAsOf, defaultJurisdiction: defaultJurisdiction,
          engine: engine, records: records)
      }
    }
  }

  static func run(
    _ test: IRTest, _ program: IRProgram, defaultAsOf: CivilDate?, defaultJurisdiction: String,
    engine: Engine?, records: RecordCheck?
  ) -> Result {
    var result = Result(name: test.name, span: test.span, failures: [])
    guard let asOf = test.asOf ?? defaultAsOf else {
      result.failures.append("the test has no `as of` date and the policy has no `from` date")
      return result
    }
    let jurisdiction = test.jurisdiction ?? defaultJurisdiction
    var builder = Interpreter(
      program: program, input: .none, asOf: asOf, jurisdiction: jurisdiction)
    let input: Value
    let given: Value
    do {
      given =
        try test.given.map { expr throws(EvaluationError) in try builder.evaluate(expr) }
        ?? .record([])
    } catch {
      result.failures.append("the test's `given` could not be evaluated: \(error)")
      return result
    }
    // The application goes through the reader `eval` uses, written as the JSON it stands for:
    // a test decides exactly what `eval` would (bounds and list lengths checked, an optional
    // left out is `none`, a required field left out a missing fact), or fails as `eval` fails.
    if let schema = program.input {
      do {
        input = try InputReader(program: program).read(
          try JSONReader.parse(Array(given.json(.record(schema.name), in: program).utf8)))
      } catch {
        result.failures.append("the test's `given` is not an application `eval` accepts: \(error)")
        return result
      }
    } else {
      input = given
    }
    do {
      try program.checkInForce(asOf)
      try program.checkCasesInForce(input, on: asOf)
    } catch {
      result.failures.append("\(error)")
      return result
    }
    if let records, let difference = records(input, asOf, jurisdiction) {
      result.failures.append(difference)
    }
    var interpreter = Interpreter(
      program: program, input: input, asOf: asOf, jurisdiction: jurisdiction)
    for expectation in test.expectations {
      let definition = program.definitions[expectation.definition]
      var interpreted: (json: String, reason: String?)?
      var interpreterError: String?
      do {
        let (actual, reason) = try interpreter.evaluateDefinition(expectation.definition)
        interpreted = (actual.json(definition.type, in: program), reason)
        guard let value = expectation.value else {
          result.failures.append(
            "\(definition.name): expected not computable, got \(interpreted?.json ?? "?")")
          continue
        }
        let expected = try builder.evaluate(value)
        result.failures += interpreter.differences(
          expected: expected, actual: actual, type: definition.type, path: definition.name)
        if let wanted = expectation.reason, wanted != reason {
          result.failures.append(
            "\(definition.name): expected reason `\(wanted)`, got `\(reason ?? "")`")
        }
      } catch {
        interpreterError = "\(error)"
        // Not computable is what `expect NAME not computable` expects.
        var isExpected = false
        if case .notComputable = error { isExpected = expectation.value == nil }
        if !isExpected { result.failures.append("\(definition.name): \(error)") }
      }
      guard let engine else { continue }
      // The engine services run must agree with the reference interpreter; a difference is a
      // defect of Regula, reported with the test so that it is never silent.
      do {
        let machined = try engine(input, asOf, jurisdiction, expectation.definition)
        if let interpreted,
          interpreted.json != machined.json || interpreted.reason != machined.reason
        {
          result.failures.append(
            "\(definition.name): the VM gives \(machined.json) (reason `\(machined.reason ?? "")`) "
              + "where the interpreter gives \(interpreted.json) (reason "
              + "`\(interpreted.reason ?? "")`): a defect of Regula, please report it")
        } else if interpreterError != nil {
          result.failures.append(
            "\(definition.name): the VM gives \(machined.json) where the interpreter stops: "
              + "a defect of Regula, please report it")
        }
      } catch {
        if interpreted != nil {
          result.failures.append(
            "\(definition.name): the VM stops (\(error)) where the interpreter gives a value: "
              + "a defect of Regula, please report it")
        }
      }
    }
    result.evaluated = Set(interpreter.evaluatedDefinitions)
    result.exercised = interpreter.exercised
    return result
  }
}

extension Interpreter {
  /// `path: expected X, got Y` for each field or item where two values differ.
  func differences(expected: Value, actual: Value, type: RType, path: String) -> [String] {
    if equal(expected, actual) { return [] }
    switch (expected, actual, type) {
    case (.record(let wanted), .record(let got), .record(let name)) where wanted.count == got.count:
      let fields = program.recordFields(name)
      return zip(fields, zip(wanted, got)).flatMap { field, pair in
        differences(
          expected: pair.0, actual: pair.1, type: field.type, path: "\(path).\(field.name)")
      }
    case (.list(let wanted), .list(let got), .list(let element)) where wanted.count == got.count:
      return zip(wanted.indices, zip(wanted, got)).flatMap { index, pair in
        differences(expected: pair.0, actual: pair.1, type: element, path: "\(path)[\(index)]")
      }
    case (_, _, .optional(let wrapped)) where expected != .none && actual != .none:
      return differences(expected: expected, actual: actual, type: wrapped, path: path)
    default:
      return ["\(path): expected \(written(expected, type)), got \(written(actual, type))"]
    }
  }

  /// A value as a test message shows it: amounts in yuan as a drafter writes them, with the
  /// fen the record holds (`600 yuan (60000 fen)`), durations with their unit, others as JSON.
  func written(_ value: Value, _ type: RType) -> String {
    switch value {
    case .money(let money):
      let fen = money.fen.description
      let negative = fen.hasPrefix("-")
      var digits = negative ? String(fen.dropFirst()) : fen
      while digits.count < 3 { digits = "0" + digits }
      var yuan = String(digits.dropLast(2))
      let cents = String(digits.suffix(2))
      if cents != "00" { yuan += "." + (cents.hasSuffix("0") ? String(cents.prefix(1)) : cents) }
      return "\(negative ? "-" : "")\(yuan) yuan (\(fen) fen)"
    case .days(let days): return days.description
    case .months(let months): return months.description
    case .years(let years): return years.description
    default: return value.json(type, in: program)
    }
  }
}
