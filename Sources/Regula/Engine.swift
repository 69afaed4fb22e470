// The embedding API: compile a policy from source or load a compiled file, then decide
// applications given as JSON with the VM, and get each decision's record.

/// A compiled policy: immutable, `Sendable`, shared by every evaluator and thread.
public struct CompiledPolicy: Sendable {
  /// The verified bytecode image.
  public let image: PolicyImage
  /// The IR the image was compiled from, when compiled from source (the reference
  /// interpreter's input); nil for a policy loaded from a compiled file.
  public let program: IRProgram?
  /// The version of the compiler that built the image: this build's `RegulaVersion.string`
  /// for a policy compiled from source, the file's header for a loaded one.
  public let compilerVersion: String
  /// The code untraced evaluations run, with single-use calls inlined
  /// (`Machine.inlinedCode(for:)`): derived and verified once here, shared by every evaluator.
  public let inlinedCode: FastCode?

  init(image: PolicyImage, program: IRProgram?, compilerVersion: String = RegulaVersion.string) {
    self.image = image
    self.program = program
    self.compilerVersion = compilerVersion
    inlinedCode = Machine.inlinedCode(for: image)
  }

  /// Compiles the policy at `path`, reading it and its imports with `read`.
  ///
  /// Runs the whole front end, then the bytecode compiler and the verifier, so a policy it
  /// returns is safe to give to any number of evaluators.
  ///
  /// - Parameter path: the policy's root file (its imports are relative to its folder).
  /// - Parameter read: reads a source file by path; imports are read through it too.
  /// - Returns: the staged policy (nil output, with at least one error diagnostic, when
  ///   checking, compiling or verification fails; warnings otherwise) and the source manager
  ///   that renders those diagnostics and maps trace offsets to lines.
  public static func compile(path: String, read: @escaping FileReader) -> (
    result: Staged<CompiledPolicy>, sources: SourceManager
  ) {
    let (compiled, sources) = Pipeline.compile(path: path, read: read)
    guard let program = compiled.output else {
      return (Staged(output: nil, diagnostics: compiled.diagnostics), sources)
    }
    do {
      let image = try BytecodeCompiler.compile(
        program, sourceFiles: sourceNames(sources.files.map(\.path), root: path),
        lineStarts: sources.files.map(\.lineStarts), sources: sources.files.map(\.bytes))
      try Verifier.verify(image)
      return (
        Staged(
          output: CompiledPolicy(image: image, program: program), diagnostics: compiled.diagnostics),
        sources
      )
    } catch {
      // The checked program is sound; what failed is a limit of the bytecode (operand widths,
      // frame sizes), which belongs to the policy as a whole: reported at its start.
      let span = SourceSpan(file: .init(0), bytes: 0..<0)
      let diagnostic = Diagnostic(
        .cannotCompile, at: span,
        message: "the policy cannot be compiled to bytecode: \(error)")
      return (Staged(output: nil, diagnostics: compiled.diagnostics + [diagnostic]), sources)
    }
  }

  /// The names a compiled policy keeps for its source files (for trace positions): each path
  /// relative to the folder of the root file `root`, so that the same policy compiled from
  /// any working folder, by a relative or an absolute path, names its files the same way.
  /// A path that cannot be made relative (it climbs out of a folder it does not name) is kept.
  public static func sourceNames(_ paths: [String], root: String) -> [String] {
    let folder = Paths.directory(of: Paths.normalize(root))
    return paths.map { Paths.relative($0, from: folder) ?? $0 }
  }

  /// Compiles a program the front end has already checked and lowered (`Pipeline.compile`),
  /// then verifies the image.
  ///
  /// - Throws: the compiler's or the verifier's error when the program breaks a limit of the
  ///   bytecode (reported as R0601 by `compile(path:read:)`).
  ///
  /// - Parameter program: the checked, lowered program.
  /// - Parameter sourceFiles: the names the compiled policy keeps for its source files.
  /// - Parameter lineStarts: per source file, the byte offsets where lines start
  ///   (`SourceFile.lineStarts`), so that traces name lines; empty to leave them unknown.
  /// - Parameter knownLines: debug entries of an image compiled from the same sources, whose
  ///   lines are used where `lineStarts` has none (a specialised policy keeps its lines).
  /// - Parameter sources: per source file, its bytes, so that the trace's probes carry the
  ///   source text of the conditions they observe; empty to leave them without text.
  /// - Parameter knownExplanations: the explanations of an image compiled from the same
  ///   sources, whose probe texts and positions are used where `sources` has none.
  public static func compile(
    program: IRProgram, sourceFiles: [String], lineStarts: [[Int]] = [],
    knownLines: [DebugEntry] = [], sources: [[UInt8]] = [], knownExplanations: Explanations? = nil
  ) throws -> CompiledPolicy {
    let image = try BytecodeCompiler.compile(
      program, sourceFiles: sourceFiles, lineStarts: lineStarts, knownLines: knownLines,
      sources: sources, knownExplanations: knownExplanations)
    try Verifier.verify(image)
    return CompiledPolicy(image: image, program: program)
  }

  /// The policy specialised for one as-of date (`IRProgram.specialised(asOf:)`): every
  /// definition keeps only the version in force on `asOf`, so its code tests no dates, and
  /// evaluators refuse any other as-of date. For a service that decides every application as
  /// of the same day.
  ///
  /// - Throws: `CompileError` for a policy loaded from a compiled file (there is no program to
  ///   specialise: build it with `regula build --as-of`), for a date outside the policy's own
  ///   `from … until …`, or when the program breaks a limit of the bytecode.
  public func specialised(asOf: CivilDate) throws -> CompiledPolicy {
    guard let program else {
      throw CompileError(
        message: "a policy loaded from a compiled file cannot be specialised; specialise it "
          + "when compiling from source")
    }
    do { try program.checkInForce(asOf) } catch {
      throw CompileError(
        message: "the policy `\(program.name)` is not in force on \(asOf), so it cannot be "
          + "specialised for that date")
    }
    return try CompiledPolicy.compile(
      program: program.specialised(asOf: asOf), sourceFiles: image.sourceFiles,
      knownLines: image.debug, knownExplanations: image.explanations)
  }

  /// Loads a compiled file (`regula build`): decodes it, checks its hash, and verifies it.
  ///
  /// Use this in services: it skips the front end, and the image it returns has passed the
  /// verifier, so a corrupted or hostile file is refused here rather than trusted by the VM.
  ///
  /// - Throws: `LoadError.file` when the bytes are not a well-formed compiled file (including a
  ///   content-hash mismatch); `LoadError.verification` when the image decodes but is unsafe.
  /// - Complexity: O(n) in `bytes.count`.
  public static func load(_ bytes: [UInt8]) throws(LoadError) -> CompiledPolicy {
    let image: PolicyImage
    let file: CompiledFile
    do {
      file = try CompiledFile.decode(bytes)
      image = try PolicyImage(decoding: file)
    } catch {
      throw .file(error)
    }
    do { try Verifier.verify(image) } catch { throw .verification(error) }
    return CompiledPolicy(image: image, program: nil, compilerVersion: file.compilerVersion)
  }

  /// The compiled file's bytes, with this policy's `compilerVersion` in the header.
  ///
  /// - Complexity: O(n) in the size of the image; the file is built afresh on each call.
  public func encoded() -> [UInt8] {
    image.compiledFile(compilerVersion: compilerVersion).encoded()
  }

  /// The policy's identity, which names it in decision records (`policy_hash`): lowercase
  /// hex of SHA-256 over a domain tag, the compiler version, and the compiled content (code,
  /// constants, schema, citations, positions, validity) — never a path. The same sources
  /// compiled by the same compiler hash the same from any folder, by any path, from the CLI,
  /// a compiled file or the library; a change to any source byte that reaches the compiled
  /// policy, or another compiler version, changes it (Docs/bytecode.md, "Policy identity").
  /// `Evaluator` computes it once, at creation.
  ///
  /// - Complexity: O(n) in the size of the image; re-encodes it on each call.
  public var contentHash: String {
    var anonymous = image
    anonymous.sourceFiles = []
    let content = anonymous.compiledFile(compilerVersion: "").contentHash
    let tag = Array("regula.policy/2\u{0}\(compilerVersion)\u{0}".utf8)
    return SHA256.hex(SHA256.hash(tag + content))
  }
}

/// Why a compiled file was refused.
public enum LoadError: Error, Sendable, CustomStringConvertible {
  /// The bytes are not a well-formed compiled file: truncated, wrong magic or format version,
  /// a malformed section, or a content hash that does not match.
  case file(CompiledFileError)
  /// The file decodes, but its image fails `Verifier.verify(_:)`: running it could read out of
  /// range or loop without counting steps, so it is never run.
  case verification(VerificationError)
  /// A one-line message for logs and the command line.
  public var description: String {
    switch self {
    case .file(let error): "not a valid compiled policy: \(error)"
    case .verification(let error): "the compiled policy does not verify: \(error)"
    }
  }
}

/// Why an application got no decision.
public enum DecisionError: Error, Sendable, CustomStringConvertible {
  /// The application does not fit the input schema (wrong type, bad value, unknown field).
  case application(ApplicationError)
  /// A decision asked for by name (`Evaluator.select(decisions:)`) that the policy does not
  /// have; `valid` lists its decisions.
  case unknownDecision(String, valid: [String])
  /// A runtime failure or a limit, with the definition and source position when known.
  case evaluation(message: String, definition: String?)
  /// The jurisdiction code asked for is not one the policy accepts; `valid` lists those.
  case unknownJurisdiction(String, valid: [String])

  /// The stable name of the outcome in machine-readable output (`kind` in `json`).
  public var kind: String {
    switch self {
    case .application: "input_error"
    case .unknownDecision: "unknown_decision"
    case .evaluation: "runtime_error"
    case .unknownJurisdiction: "unknown_jurisdiction"
    }
  }

  /// The error as one JSON document (schema `regula.error/1`): `kind`, the human `message`,
  /// and the parts a program needs — the field `path` of an input error, the `definition` of a
  /// runtime error, the valid jurisdiction codes or decision names. (Missing facts are not an
  /// error: the record lists them, see `DecisionRecord.missingFacts`.)
  public var json: String {
    var fields = [
      "\"schema\":\"regula.error/1\"", "\"kind\":\"\(kind)\"",
      "\"message\":\(JSONWriter.quote(description))",
    ]
    switch self {
    case .application(let error): fields.append("\"path\":\(JSONWriter.quote(error.path))")
    case .unknownDecision(let name, let valid):
      fields.append("\"decision\":\(JSONWriter.quote(name))")
      fields.append("\"valid\":[\(valid.map(JSONWriter.quote).joined(separator: ","))]")
    case .evaluation(_, let definition):
      fields.append("\"definition\":\(definition.map(JSONWriter.quote) ?? "null")")
    case .unknownJurisdiction(let code, let valid):
      fields.append("\"jurisdiction\":\(JSONWriter.quote(code))")
      fields.append("\"valid\":[\(valid.map(JSONWriter.quote).joined(separator: ","))]")
    }
    return "{" + fields.joined(separator: ",") + "}"
  }

  /// A one-line message for logs and the command line, naming the definition when known.
  public var description: String {
    switch self {
    case .application(let error): "\(error)"
    case .unknownDecision(let name, let valid):
      "the policy has no decision `\(name)`; its decisions are "
        + valid.map { "`\($0)`" }.joined(separator: ", ")
    case .evaluation(let message, let definition):
      definition.map { "\(message) (in `\($0)`)" } ?? message
    case .unknownJurisdiction(let code, let valid):
      IRProgram.unknownJurisdictionMessage(code, among: valid)
    }
  }
}

/// The decision record kept for every evaluation (schema `regula.decision/2`).
public struct DecisionRecord: Sendable {
  /// One decision's outcome, as it appears under `decisions` in the record.
  public struct Decision: Sendable {
    /// The decision's name as declared in the policy: the key in the record's `decisions`.
    public var name: String
    /// The value as JSON text.
    public var json: String
    /// The reason code of the `first of` case or `all of` condition that decided; nil when the
    /// decision gives none.
    public var reason: String?
    /// The positioned paths of the absent facts that left the decision undecided; empty when
    /// it was decided. An undecided decision has no value (`json` is `null`).
    public var missingFacts: [String]

    /// Creates an entry; `json` must already be valid JSON text, since `DecisionRecord.json`
    /// embeds it unquoted.
    public init(
      name: String, json: String, reason: String?, missingFacts: [String] = [],
      notComputable: String? = nil
    ) {
      self.name = name
      self.json = json
      self.reason = reason
      self.missingFacts = missingFacts
      self.notComputable = notComputable
    }

    /// Why the decision is not computable: a definition it needs has no version in force on
    /// the date (`not computable: `rate` has no version in force on 1985-06-01 in
    /// `national``); nil when it is computable. It then has no value (`json` is `null`).
    public var notComputable: String?

    /// True when the decision has a value (no fact it needs is absent, and it is computable).
    public var isDecided: Bool { missingFacts.isEmpty && notComputable == nil }
  }
  /// The policy's name.
  public var policy: String
  /// The policy's `CompiledPolicy.contentHash`: which compiled policy decided, for audits.
  public var policyHash: String
  /// The date the policy was applied as of: the one given, else the application's
  /// `application_date`.
  public var asOf: CivilDate
  /// The jurisdiction code decided for: the one given, else the policy's default level.
  public var jurisdiction: String
  /// The decisions asked for (every decision of the policy by default), in definition order;
  /// each decided on its own, so one that needs an absent fact does not stop the others.
  public var decisions: [Decision]
  /// The `all of` conditions that failed, as (definition name, reason code), in the order the
  /// evaluation met them. A failed condition is an outcome, not an error.
  public var failedConditions: [(definition: String, reason: String)]
  /// The input paths the evaluation read, sorted, with list positions written `[]`
  /// (`members[].age`); empty when the caller asked not to list them.
  public var inputsRead: [String]

  /// Creates a record from its parts, for services that rebuild records (from storage, say).
  public init(
    policy: String, policyHash: String, asOf: CivilDate, jurisdiction: String,
    decisions: [Decision],
    failedConditions: [(definition: String, reason: String)], inputsRead: [String]
  ) {
    self.policy = policy
    self.policyHash = policyHash
    self.asOf = asOf
    self.jurisdiction = jurisdiction
    self.decisions = decisions
    self.failedConditions = failedConditions
    self.inputsRead = inputsRead
  }

  /// Every absent fact that left a decision undecided, each once, in the order the decisions
  /// met them: empty when every decision asked for was decided.
  public var missingFacts: [String] {
    var seen = Set<String>()
    return decisions.flatMap(\.missingFacts).filter { seen.insert($0).inserted }
  }

  /// The outcome's stable name: `decided`; `missing_facts` when a decision is undecided for
  /// an absent fact; else `not_computable` when one is not computable.
  public var kind: String {
    if decisions.contains(where: { !$0.missingFacts.isEmpty }) { return "missing_facts" }
    return decisions.contains { $0.notComputable != nil } ? "not_computable" : "decided"
  }

  /// The record as one line of JSON (schema `regula.decision/2`).
  public var json: String {
    let decided = decisions.map { decision in
      if let why = decision.notComputable, decision.missingFacts.isEmpty {
        return "\(JSONWriter.quote(decision.name)):{\"not_computable\":\(JSONWriter.quote(why))}"
      }
      guard decision.isDecided else {
        return "\(JSONWriter.quote(decision.name)):{\"missing_facts\":["
          + decision.missingFacts.map(JSONWriter.quote).joined(separator: ",") + "]}"
      }
      return "\(JSONWriter.quote(decision.name)):{\"value\":\(decision.json)"
        + (decision.reason.map { ",\"reason\":\(JSONWriter.quote($0))" } ?? "") + "}"
    }
    let failed = failedConditions.map {
      "{\"definition\":\(JSONWriter.quote($0.definition)),\"reason\":\(JSONWriter.quote($0.reason))}"
    }
    return
      "{\"schema\":\"regula.decision/2\",\"kind\":\"\(kind)\",\"policy\":\(JSONWriter.quote(policy)),"
      + "\"policy_hash\":\(JSONWriter.quote(policyHash)),\"as_of\":\(JSONWriter.quote(asOf.description)),"
      + "\"jurisdiction\":\(JSONWriter.quote(jurisdiction)),\"decisions\":{\(decided.joined(separator: ","))},"
      + "\"failed_conditions\":[\(failed.joined(separator: ","))],"
      + "\"inputs_read\":[\(inputsRead.map(JSONWriter.quote).joined(separator: ","))],"
      + "\"missing_facts\":[\(missingFacts.map(JSONWriter.quote).joined(separator: ","))]}"
  }
}

/// Decides applications of one policy with the VM. Owns a machine: one evaluator per thread.
public struct Evaluator {
  /// The policy this evaluator decides.
  public let policy: CompiledPolicy
  /// The evaluator's own VM. After each call its facts, trace and decision registers describe
  /// the last application decided, and the next call overwrites them.
  public var machine: Machine
  let policyHash: String
  let decisionIndexes: [Int]
  let applicationDateField: Int?
  /// Bytes the renderers copy: quoted texts and enum cases, decision keys, the record's start.
  let rendering: Rendering
  /// The constant parts of trace JSON, made when first needed (`traceJSON()`).
  var tracePieces: TracePieces?
  /// The policy's level: the jurisdiction when the caller gives none.
  let defaultJurisdiction: String
  /// The policy's own `from … until …` as days since 1970 (open ends at the Int64 extremes).
  let validFrom: Int64
  let validUntil: Int64
  /// The last jurisdiction code looked up, and its index.
  var lastPlace: (code: String, index: Int, canonical: String)?

  /// Creates an evaluator with a machine sized for `policy`.
  ///
  /// Create one per thread and reuse it: the machine's buffers are allocated here, and the
  /// policy hash computed, once.
  ///
  /// - Complexity: O(n) in the size of the image.
  public init(policy: CompiledPolicy) {
    self.policy = policy
    machine = Machine(image: policy.image, inlinedCode: policy.inlinedCode)
    policyHash = policy.contentHash
    decisionIndexes = policy.image.definitions.indices.filter {
      policy.image.definitions[$0].kind == .decision
    }
    let input = policy.image.records[policy.image.inputRecord]
    applicationDateField = input.fields.firstIndex {
      $0.name == "application_date" && $0.type == .date
    }
    rendering = Rendering(image: policy.image, policyHash: policyHash)
    defaultJurisdiction = policy.image.defaultJurisdiction
    // A specialised policy is in force on its one as-of date only (as far as it can tell).
    let special = policy.image.specialisedAsOf
    validFrom = max(policy.image.validFrom ?? .min, special ?? .min)
    validUntil = min(policy.image.validUntil ?? .max, special ?? .max)
  }

  /// Decides one application given as JSON. The as-of date defaults to the application's
  /// `application_date`; the jurisdiction to the policy's level.
  ///
  /// - Parameter bytes: the application, one JSON object (at most 16 MiB).
  /// - Parameter asOf: the date to decide as of; nil for the application's `application_date`.
  /// - Parameter jurisdiction: a jurisdiction code the policy accepts (`SH`, `GD.SZ`); nil
  ///   for the policy's level.
  /// - Parameter listingInputsRead: false leaves the record's `inputsRead` empty and saves
  ///   collecting and sorting the paths (for batch runs that do not keep them).
  /// - Throws: `DecisionError.application` when the JSON does not fit the input schema or no
  ///   as-of date is known;
  ///   `.evaluation` on a runtime failure, a limit, or an as-of date outside the policy's
  ///   own `from … until …`.
  public mutating func decide(
    json bytes: [UInt8], asOf: CivilDate? = nil, jurisdiction: String? = nil,
    listingInputsRead: Bool = true
  ) throws(DecisionError)
    -> DecisionRecord
  {
    let (date, place) = try bytes.withUnsafeBufferPointer { buffer throws(DecisionError) in
      try evaluate(json: buffer, asOf: asOf, jurisdiction: jurisdiction)
    }
    return record(asOf: date, jurisdiction: place, listingInputsRead: listingInputsRead)
  }

  /// Decides one application from JSON bytes the caller owns (a line of a larger buffer) and
  /// leaves the outcome in `machine`: decision registers and reasons, failed conditions and
  /// inputs read. Render it with `record(asOf:jurisdiction:listingInputsRead:)`,
  /// `appendRecordJSON(asOf:jurisdiction:to:)` or `appendDecisionJSON(_:to:)`.
  ///
  /// Once the evaluator is warm, a valid application on the fast reader's path is decided
  /// without allocating (texts longer than 15 bytes excepted: each is one string).
  ///
  /// - Returns: the as-of date and the jurisdiction code the decision was made for.
  /// - Throws: as `decide(json:asOf:jurisdiction:listingInputsRead:)`.
  public mutating func evaluate(
    json buffer: UnsafeBufferPointer<UInt8>, asOf: CivilDate? = nil, jurisdiction: String? = nil
  ) throws(DecisionError) -> (asOf: CivilDate, jurisdiction: String) {
    // Refused before the reset: a document over the limit leaves the last outcome as it was.
    try checkSize(buffer)
    machine.reset()
    let loaded = try load(json: buffer, asOf: asOf, jurisdiction: jurisdiction)
    try run(loaded.input, asOf: loaded.asOf, jurisdiction: loaded.jurisdictionIndex)
    return (loaded.asOf, loaded.jurisdiction)
  }

  /// The error for a document over `JSONReader.maximumDocumentBytes` (limit `line_size`).
  func checkSize(_ buffer: UnsafeBufferPointer<UInt8>) throws(DecisionError) {
    guard buffer.count <= JSONReader.maximumDocumentBytes else {
      throw .application(
        ApplicationError(
          path: "",
          message:
            "the application has \(buffer.count) bytes, over the limit `line_size` of "
            + "\(JSONReader.maximumDocumentBytes) bytes"))
    }
  }

  /// An application read into the machine's facts, with the date and jurisdiction it is to
  /// be decided for (`load(json:asOf:jurisdiction:)`).
  public struct LoadedApplication: Sendable {
    /// The application's input record, a handle into the machine's facts.
    public var input: Register
    /// The as-of date: the one given, else the application's `application_date`.
    public var asOf: CivilDate
    /// The jurisdiction code as records name it, and its index in the policy.
    public var jurisdiction: String
    public var jurisdictionIndex: Int
  }

  /// The first half of `evaluate(json:asOf:jurisdiction:)`: reads the application into the
  /// machine's facts beside those read since the last `machine.reset()` (the applications of a
  /// block, say) and works out its date and jurisdiction, with the same checks and errors,
  /// without deciding. Decide it with `decide(_:)`, or with others at once
  /// (`Machine.runBlock`). An application refused leaves nothing in the facts.
  ///
  /// - Throws: as `decide(json:asOf:jurisdiction:listingInputsRead:)`, but for the
  ///   evaluation's own errors.
  public mutating func load(
    json buffer: UnsafeBufferPointer<UInt8>, asOf: CivilDate? = nil, jurisdiction: String? = nil
  ) throws(DecisionError) -> LoadedApplication {
    try checkSize(buffer)
    let mark = machine.facts.mark()
    do {
      return try loadChecked(json: buffer, asOf: asOf, jurisdiction: jurisdiction)
    } catch {
      // Refused (unreadable, no date, not in force, an unknown jurisdiction): what was read
      // of it goes.
      machine.facts.restore(mark)
      throw error
    }
  }

  /// `load` once the size is checked.
  mutating func loadChecked(
    json buffer: UnsafeBufferPointer<UInt8>, asOf: CivilDate?, jurisdiction: String?
  ) throws(DecisionError) -> LoadedApplication {
    let input: Register
    if let fast = machine.loadApplicationFast(json: buffer) {
      input = fast
    } else {
      // The tree reader gives the precise error (or reads what the fast path declined).
      do { input = try machine.loadApplicationKeepingFacts(json: Array(buffer)) } catch {
        throw .application(error)
      }
    }
    // Written without `??` and without calls on `self` on the common path: each would copy
    // the machine (a large struct) to pass it.
    let date: CivilDate
    if let asOf {
      date = asOf
    } else if let given = applicationDate(input) {
      date = given
    } else {
      throw .application(
        ApplicationError(
          path: "", message: "no as-of date: give one, or an `application_date` field"))
    }
    var place: String
    if let jurisdiction { place = jurisdiction } else { place = defaultJurisdiction }
    let day = date.daysSince1970
    if day < validFrom || day > validUntil { try checkInForce(date) }
    let placeIndex: Int
    if let last = lastPlace, last.code == place {
      placeIndex = last.index
      place = last.canonical
    } else {
      guard let index = machine.jurisdictionIndex(place),
        let canonical = machine.canonicalJurisdiction(place)
      else {
        throw .unknownJurisdiction(place, valid: policy.image.jurisdictionCodes.map(\.code))
      }
      lastPlace = (place, index, canonical)
      placeIndex = index
      place = canonical
    }
    return LoadedApplication(
      input: input, asOf: date, jurisdiction: place, jurisdictionIndex: placeIndex)
  }

  /// Decides an application `load(json:asOf:jurisdiction:)` read (since the last reset), one
  /// at a time: the outcome is left in `machine`, as `evaluate(json:asOf:jurisdiction:)`
  /// leaves it.
  ///
  /// - Throws: `DecisionError.evaluation` on a runtime failure or a limit.
  public mutating func decide(_ loaded: LoadedApplication) throws(DecisionError) {
    machine.beginEvaluation()
    try run(loaded.input, asOf: loaded.asOf, jurisdiction: loaded.jurisdictionIndex)
  }

  /// Runs the machine on a loaded application, its errors as `DecisionError`s naming the
  /// definition at fault.
  mutating func run(_ input: Register, asOf: CivilDate, jurisdiction: Int) throws(DecisionError) {
    do {
      try machine.run(input: input, asOf: asOf, jurisdiction: jurisdiction)
    } catch {
      switch error {
      case .missingFacts(let paths):
        // `Machine.run` decides around missing facts (`undecided`); it never throws them.
        throw .evaluation(
          message: "internal error: missing facts \(paths) escaped", definition: nil)
      case .notComputable(let message, _):
        // Nor definitions not in force (`notComputable`).
        throw .evaluation(message: "internal error: \(message) escaped", definition: nil)
      case .runtime(let message, let instruction), .limit(let message, let instruction):
        throw .evaluation(message: message, definition: definitionName(at: instruction))
      }
    }
  }

  /// The text of a top-level input field of the last application decided (such as its `id`).
  ///
  /// Nil when the schema has no such Text field or the application did not give it.
  public func inputText(_ name: String) -> String? {
    let record = policy.image.records[policy.image.inputRecord]
    guard let index = record.fields.firstIndex(where: { $0.name == name && $0.type == .text }),
      let value = machine.facts.checkedItem(machine.currentInput, index), value.tag == 0,
      value.word >= 0, value.word < Int64(machine.facts.texts.count)
    else { return nil }
    return machine.facts.texts[Int(value.word)]
  }

  func applicationDate(_ input: Register) -> CivilDate? {
    guard let field = applicationDateField, let value = machine.facts.checkedItem(input, field),
      value.tag == 0
    else {
      return nil
    }
    return try? CivilDate(daysSince1970: value.word)
  }

  func checkInForce(_ date: CivilDate) throws(DecisionError) {
    let day = date.daysSince1970
    if let special = policy.image.specialisedAsOf, special != day {
      throw .evaluation(message: specialisedMessage(special, day), definition: nil)
    }
    let before = policy.image.validFrom.map { day < $0 } ?? false
    let after = policy.image.validUntil.map { $0 < day } ?? false
    guard before || after else { return }
    throw .evaluation(
      message: "the policy `\(policy.image.name)` is not in force on \(date)", definition: nil)
  }

  func definitionName(at instruction: Int) -> String? {
    guard instruction >= 0, instruction < policy.image.debug.count else { return nil }
    let id = Int(policy.image.debug[instruction].definition)
    return id < policy.image.definitions.count ? policy.image.definitions[id].name : nil
  }

  func record(asOf: CivilDate, jurisdiction: String, listingInputsRead: Bool) -> DecisionRecord {
    var missing: [Int: [String]] = [:]
    for (position, paths) in machine.undecided { missing[position] = paths }
    var notComputable: [Int: String] = [:]
    for (position, message) in machine.notComputable { notComputable[position] = message }
    let decisions = decisionIndexes.enumerated().compactMap {
      position, id -> DecisionRecord.Decision? in
      guard machine.decisionSelected[position] else { return nil }
      let definition = policy.image.definitions[id]
      if let paths = missing[position] {
        return DecisionRecord.Decision(
          name: definition.name, json: "null", reason: nil, missingFacts: paths)
      }
      if let message = notComputable[position] {
        return DecisionRecord.Decision(
          name: definition.name, json: "null", reason: nil, notComputable: message)
      }
      let reason = machine.decisionReasons[position]
      let json = machine.json(machine.decisionValues[position], definition.type)
      return DecisionRecord.Decision(
        name: definition.name,
        json: DecisionRecord.json(json, places: definition.places),
        reason: reason >= 0 ? machine.facts.texts[Int(reason)] : nil)
    }
    return DecisionRecord(
      policy: policy.image.name, policyHash: policyHash, asOf: asOf, jurisdiction: jurisdiction,
      decisions: decisions,
      failedConditions: machine.failedConditions,
      inputsRead: listingInputsRead ? machine.inputsRead : [])
  }

  /// The names of the policy's decisions, in definition order.
  public var decisionNames: [String] { decisionIndexes.map { policy.image.definitions[$0].name } }

  /// Decides only the decisions named (in definition order, whatever the order of `names`),
  /// or every decision again when `names` is nil. Records then list only those: a decision
  /// not asked for reads no facts and cannot be left undecided.
  ///
  /// - Throws: `DecisionError.unknownDecision` for a name that is not a decision of the
  ///   policy (the selection is then unchanged).
  public mutating func select(decisions names: [String]?) throws(DecisionError) {
    let all = decisionNames
    guard let names else {
      machine.decisionSelected = Array(repeating: true, count: all.count)
      return
    }
    for name in names where !all.contains(name) {
      throw .unknownDecision(name, valid: all)
    }
    machine.decisionSelected = all.map { names.contains($0) }
  }

  /// Evaluates one definition (a rule or a decision) of the policy for an application given as
  /// a reference `Value`: what `regula test` checks the VM with.
  ///
  /// - Returns: the definition's value and reason code.
  /// - Throws: `VMError` when the evaluation stops.
  public mutating func evaluate(
    definition: Int, application: Value, asOf: CivilDate, jurisdiction: String
  ) throws(VMError) -> (value: Value, reason: String?) {
    machine.reset()
    let input = machine.load(application, as: .record(policy.image.inputRecord))
    machine.begin(input: input, asOf: asOf)
    let (register, reason) = try machine.evaluateDefinition(
      definition, jurisdiction: try place(jurisdiction))
    let type = policy.image.definitions[definition].type
    return (machine.value(register, as: type), reason >= 0 ? machine.facts.texts[Int(reason)] : nil)
  }

  /// The jurisdiction index for `code`, or the engines' shared error for a code the policy
  /// does not accept.
  func place(_ code: String) throws(VMError) -> Int {
    guard let index = machine.jurisdictionIndex(code) else {
      throw .runtime(
        message: IRProgram.unknownJurisdictionMessage(
          code, among: policy.image.jurisdictionCodes.map(\.code)),
        instruction: -1)
    }
    return index
  }

  /// Decides an application already read into a reference `Value` (for differential tests).
  ///
  /// Unlike `decide`, it does not check that the policy is in force on `asOf`, the jurisdiction
  /// defaults to `national` rather than to the policy's level, and errors are the VM's own.
  /// An undecided decision's value is `.unknown`; `machine.undecided` gives its missing facts.
  ///
  /// - Returns: each decision's value and reason code, in definition order.
  /// - Throws: `VMError` when the evaluation stops (a runtime failure or a limit).
  public mutating func decideWithReasons(
    _ application: Value, asOf: CivilDate, jurisdiction: String = "national"
  )
    throws(VMError) -> (values: [Value], reasons: [String?])
  {
    machine.reset()
    let input = machine.load(application, as: .record(policy.image.inputRecord))
    try machine.run(input: input, asOf: asOf, jurisdiction: try place(jurisdiction))
    let undecided = Set(machine.undecided.map(\.position) + machine.notComputable.map(\.position))
    let decisions = policy.image.definitions.filter { $0.kind == .decision }
    let values = decisions.indices.map { position in
      undecided.contains(position)
        ? Value.unknown
        : machine.value(machine.decisionValues[position], as: decisions[position].type)
    }
    let reasons = machine.decisionReasons.map { $0 >= 0 ? machine.facts.texts[Int($0)] : nil }
    return (values, reasons)
  }
}

extension DecisionRecord {
  /// A Decimal's JSON text (`"88.1"`, `"90"`) written with exactly `places` digits after the
  /// point (`"88.10"`, `"90.00"`), for a decision declared `places N` (the checker proved the
  /// value has no more); `null` and any other text as they are. A whole number written as a
  /// JSON number (the interpreter keeps an Int widened to Decimal as an Int) is written the
  /// same way.
  public static func json(_ json: String, places: Int) -> String {
    let quoted = json.count >= 3 && json.first == "\"" && json.last == "\""
    let number = quoted ? json.dropFirst().dropLast() : Substring(json)
    guard !number.isEmpty, number != "-",
      number.allSatisfy({ $0 == "." || $0 == "-" || ("0"..."9").contains($0) }),
      quoted || !number.contains(".")
    else {
      return json
    }
    let parts = number.split(separator: ".", omittingEmptySubsequences: false)
    let fraction = parts.count > 1 ? parts[1] : ""
    guard parts.count <= 2, fraction.count <= places else { return json }
    if places == 0 { return "\"\(parts[0])\"" }
    return "\"\(parts[0]).\(fraction)\(String(repeating: "0", count: places - fraction.count))\""
  }

  /// `json` with a definition's declared places applied, or as it is when it declares none.
  public static func json(_ json: String, places: UInt8?) -> String {
    places.map { Self.json(json, places: Int($0)) } ?? json
  }
}
