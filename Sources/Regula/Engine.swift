// The embedding API: compile a policy, then decide applications with the VM.

/// A compiled policy: immutable, `Sendable`, shared by every evaluator and thread.
public struct CompiledPolicy: Sendable {
  public let image: PolicyImage
  /// The IR the image was compiled from (for the reference interpreter and input reading).
  public let program: IRProgram

  /// Compiles the policy at `path`, reading it and its imports with `read`.
  public static func compile(path: String, read: @escaping FileReader) -> (
    result: Staged<CompiledPolicy>, sources: SourceManager
  ) {
    let (compiled, sources) = Pipeline.compile(path: path, read: read)
    guard let program = compiled.output else {
      return (Staged(output: nil, diagnostics: compiled.diagnostics), sources)
    }
    do {
      let image = try BytecodeCompiler.compile(program, sourceFiles: sources.files.map(\.path))
      return (
        Staged(
          output: CompiledPolicy(image: image, program: program), diagnostics: compiled.diagnostics),
        sources
      )
    } catch {
      let span = SourceSpan(file: .init(0), bytes: 0..<0)
      let diagnostic = Diagnostic(
        .invalidNumber, at: span, message: "cannot compile: \(error.message)")
      return (Staged(output: nil, diagnostics: compiled.diagnostics + [diagnostic]), sources)
    }
  }
}

/// Decides applications of one policy. Owns a machine: use one evaluator per thread.
public struct Evaluator {
  public let policy: CompiledPolicy
  public var machine: Machine

  public init(policy: CompiledPolicy) {
    self.policy = policy
    machine = Machine(image: policy.image)
  }

  /// Decides an application already read into a `Value` of the input record.
  public mutating func decide(
    _ application: Value, asOf: CivilDate, jurisdiction: String = "national"
  ) throws(VMError) -> [Value] {
    machine.reset()
    let input = machine.load(application, as: .record(policy.image.inputRecord))
    let outcome = try machine.evaluate(
      input: input, asOf: asOf, jurisdiction: machine.jurisdictionIndex(jurisdiction))
    let decisions = policy.image.definitions.filter { $0.kind == .decision }
    return zip(outcome.values, decisions).map { machine.value($0, as: $1.type) }
  }

  /// Decides and returns the VM outcome with reasons.
  public mutating func decideWithReasons(
    _ application: Value, asOf: CivilDate, jurisdiction: String = "national"
  ) throws(VMError) -> (values: [Value], reasons: [String?]) {
    machine.reset()
    let input = machine.load(application, as: .record(policy.image.inputRecord))
    let outcome = try machine.evaluate(
      input: input, asOf: asOf, jurisdiction: machine.jurisdictionIndex(jurisdiction))
    let decisions = policy.image.definitions.filter { $0.kind == .decision }
    return (zip(outcome.values, decisions).map { machine.value($0, as: $1.type) }, outcome.reasons)
  }
}
