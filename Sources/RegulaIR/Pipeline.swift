// The front half of the compiler as one call: check, lower, and run the IR passes.

/// Compiles a policy to optimised IR.
public enum Pipeline {
  /// Checks `path` (reading imports with `read`), lowers it and runs the passes.
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
    return (Staged(output: ir, diagnostics: checked.diagnostics), sources)
  }
}

/// Runs a policy's `test` blocks with the reference interpreter.
public enum TestRunner {
  /// One test's result: nil failure text when it passed.
  public struct Result: Sendable {
    public var name: String
    public var span: SourceSpan
    public var failures: [String]
    public var passed: Bool { failures.isEmpty }
    /// Definitions this test evaluated, and the cases and conditions it exercised.
    public var evaluated: Set<String> = []
    public var exercised: Set<SourceSpan> = []
  }

  public static func run(
    _ program: IRProgram, defaultAsOf: CivilDate?, defaultJurisdiction: String? = nil
  ) -> [Result] {
    let defaultJurisdiction = defaultJurisdiction ?? program.level
    return program.tests.map {
      run($0, program, defaultAsOf: defaultAsOf, defaultJurisdiction: defaultJurisdiction)
    }
  }

  static func run(
    _ test: IRTest, _ program: IRProgram, defaultAsOf: CivilDate?, defaultJurisdiction: String
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
    do {
      input =
        try test.given.map { expr throws(EvaluationError) in try builder.evaluate(expr) }
        ?? .record([])
    } catch {
      result.failures.append("the test's `given` could not be evaluated: \(error)")
      return result
    }
    do { try program.checkInForce(asOf) } catch {
      result.failures.append("\(error)")
      return result
    }
    var interpreter = Interpreter(
      program: program, input: input, asOf: asOf, jurisdiction: jurisdiction)
    for expectation in test.expectations {
      let definition = program.definitions[expectation.definition]
      do {
        let (actual, reason) = try interpreter.evaluateDefinition(expectation.definition)
        let expected = try builder.evaluate(expectation.value)
        result.failures += interpreter.differences(
          expected: expected, actual: actual, type: definition.type, path: definition.name)
        if let wanted = expectation.reason, wanted != reason {
          result.failures.append(
            "\(definition.name): expected reason `\(wanted)`, got `\(reason ?? "")`")
        }
      } catch {
        result.failures.append("\(definition.name): \(error)")
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
      return [
        "\(path): expected \(expected.json(type, in: program)), got \(actual.json(type, in: program))"
      ]
    }
  }
}
