// The reference interpreter: a small, obviously correct evaluator of the IR. It is the oracle
// the VM is tested against, so clarity wins over speed everywhere in this file.

/// Why an evaluation produced no decision.
public enum EvaluationError: Error, Sendable, Hashable, CustomStringConvertible {
  /// Facts the evaluation needed that the application did not give, as field paths.
  case missingFacts([String])
  /// A runtime failure (division by zero, an ambiguous date, no version in force, a conflict).
  case runtime(message: String, span: SourceSpan)
  /// An evaluation bound was hit.
  case limit(message: String, span: SourceSpan)
  /// A definition the evaluation needed has no version in force on the date in the
  /// jurisdiction: the decision that needs it is not computable (the others are decided).
  case notComputable(String)

  /// The message alone, without the span.
  public var description: String {
    switch self {
    case .missingFacts(let paths):
      "missing facts: " + paths.map { "`\($0)`" }.joined(separator: ", ")
    case .runtime(let message, _), .limit(let message, _): message
    case .notComputable(let message): message
    }
  }
}

/// The outcome of one evaluation: every decision's value and reason, and the decision record.
public struct Outcome: Sendable {
  /// One decision's value, with its type (to print it) and reason code.
  public struct Decision: Sendable, Hashable {
    /// The decision's name.
    public var name: String
    /// The decision's value.
    public var value: Value
    /// The decision's type, to print `value` with `Value.json(_:in:)`.
    public var type: RType
    /// The reason code: nil for a plain value; for `first of` and `all of`, the code given (empty
    /// when the case taken names none, `ok` when every condition held).
    public var reason: String?
    /// The positioned paths of the absent facts that left the decision undecided (its value is
    /// then `.unknown`); empty when it was decided.
    public var missingFacts: [String] = []
    /// Why the decision is not computable (a definition it needs has no version in force),
    /// its value then `.unknown`; nil otherwise.
    public var notComputable: String? = nil
  }
  /// The decisions asked for (every decision of the program by default), in definition order.
  /// Each is decided on its own: one that needs an absent fact is undecided (`missingFacts`),
  /// and the others are still decided.
  public var decisions: [Decision]
  /// `all of` conditions that failed, as (definition, reason code).
  public var failedConditions: [(definition: String, reason: String)]
  /// The definitions evaluated, in the order they were first needed.
  public var evaluated: [String]
  /// Input fields read, as paths with list positions written `[]`.
  public var inputsRead: [String]
  /// The as-of date the program was evaluated on.
  public var asOf: CivilDate
  /// The jurisdiction code the program was evaluated for.
  public var jurisdiction: String

  /// Every absent fact that left a decision undecided, each once, in the order met.
  public var missingFacts: [String] {
    var seen = Set<String>()
    return decisions.flatMap(\.missingFacts).filter { seen.insert($0).inserted }
  }
}

extension IRProgram {
  /// Throws unless `date` is within the policy's own `from … until …` (and is the date the
  /// program was specialised for, if it was).
  public func checkInForce(_ date: CivilDate) throws(EvaluationError) {
    if let specialisedAsOf, specialisedAsOf != date {
      throw .runtime(
        message:
          "the policy `\(name)` was specialised for \(specialisedAsOf) and cannot be evaluated as of \(date)",
        span: SourceSpan(file: .init(0), bytes: 0..<0))
    }
    let before = from.map { date < $0 } ?? false
    let after = until.map { $0 < date } ?? false
    guard before || after else { return }
    let range = (from.map { "from \($0)" } ?? "") + (until.map { " until \($0)" } ?? "")
    throw .runtime(
      message: "the policy `\(name)` is not in force on \(date) (it is in force \(range))",
      span: SourceSpan(file: .init(0), bytes: 0..<0))
  }
}

extension IRProgram {
  /// Throws at the first enum case of the application (fields in declaration order, list
  /// elements in order) that is not in force on `date`, naming its positioned path. A policy
  /// without dated cases reads nothing.
  public func checkCasesInForce(_ input: Value, on date: CivilDate) throws(EvaluationError) {
    guard enums.contains(where: { !$0.caseValidities.isEmpty }), let schema = self.input else {
      return
    }
    func walk(_ value: Value, _ type: RType, _ path: String) throws(EvaluationError) {
      switch (type, value) {
      case (.optional(let wrapped), _): try walk(value, wrapped, path)
      case (.enumeration(let name), .enumCase(let index)):
        guard let info = enums.first(where: { $0.name == name }),
          index < info.caseValidities.count, let validity = info.caseValidities[index],
          let from = Self.civilDate(validity.from)
        else { return }
        let until = validity.until.flatMap(Self.civilDate)
        guard date < from || until.map({ $0 < date }) ?? false else { return }
        throw .runtime(
          message: IRProgram.caseNotInForceMessage(
            path: path, name: enumOutputNames(name)[index], enumName: name, on: date,
            from: from, until: until),
          span: SourceSpan(file: .init(0), bytes: 0..<0))
      case (.record(let name), .record(let values)):
        for (field, item) in zip(recordFields(name), values) {
          try walk(item, field.type, path.isEmpty ? field.name : "\(path).\(field.name)")
        }
      case (.list(let element), .list(let items)):
        for (position, item) in items.enumerated() {
          try walk(item, element, "\(path)[\(position)]")
        }
      default: return
      }
    }
    try walk(input, .record(schema.name), "")
  }

  static func civilDate(_ literal: DateLiteral) -> CivilDate? {
    try? CivilDate(year: Int64(literal.year), month: Int64(literal.month), day: Int64(literal.day))
  }

  /// The error for an application's enum case given on a day it is not in force.
  public static func caseNotInForceMessage(
    path: String, name: String, enumName: String, on date: CivilDate, from: CivilDate,
    until: CivilDate?
  ) -> String {
    "`\(path)`: the case `\(name)` of `\(enumName)` is not in force on \(date) (it is in force "
      + "from \(from)\(until.map { " until \($0)" } ?? ""))"
  }

  /// The error of `NAME as of DATE` for a DATE outside the policy's `from … until …`.
  public static func notInForceAsOfMessage(_ date: CivilDate) -> String {
    "a definition read `as of` \(date) cannot be evaluated: the policy is not in force on that date"
  }
}

/// Bounds on one evaluation.
public struct EvaluationLimits: Sendable {
  /// Expression nodes evaluated.
  public var steps = 10_000_000
  /// Creates the default limits.
  public init() {}
}

/// Evaluates definitions of an `IRProgram` for one application.
public struct Interpreter {
  let program: IRProgram
  let input: Value
  /// The date versions are chosen on: the evaluation's, or another while a definition is
  /// evaluated `as of` it.
  var asOf: CivilDate
  let limits: EvaluationLimits
  var jurisdiction: String
  var memo: [MemoKey: (value: Value, reason: String?)] = [:]
  var slots: [Int: (value: Value, path: String?)] = [:]
  var inputsRead = Set<String>()
  var evaluated: [String] = []
  var failedConditions: [(definition: String, reason: String)] = []
  /// The `first of` cases taken and the `all of` conditions checked, by span (for coverage).
  public internal(set) var exercised = Set<SourceSpan>()
  /// Definitions evaluated, by name (for coverage).
  public var evaluatedDefinitions: [String] { evaluated }
  var steps = 0
  var current: DefinitionID?

  struct MemoKey: Hashable {
    var definition: DefinitionID
    var jurisdiction: String
  }
  /// The jurisdictions some variant is written for, with the provinces of such cities: where
  /// the VM keeps a memo slot of its own (`memoJurisdiction`); computed when first needed.
  var slotCodes: Set<String>?
  /// How many `NAME as of DATE` evaluations are under way.
  var asOfDepth = 0
  /// The memo entries made while `asOfDepth > 0`, in order: each `as of` read removes from the
  /// memo it returns to every entry made inside it, at any depth (as the VM, whose memo slots
  /// the other dates' values replace).
  var writtenOnOtherDates: [MemoKey] = []

  /// The jurisdiction whose memo slot `code` shares: the most specific one of its chain that
  /// some variant is written for (or the province of such a city), else `national`. Two codes
  /// that decide alike share a slot, as in the VM, so both engines evaluate a definition again
  /// exactly when the other does.
  mutating func memoJurisdiction(_ code: String) -> String {
    if slotCodes == nil {
      var codes: Set<String> = ["national"]
      for definition in program.definitions {
        for variant in definition.variants { codes.insert(variant.jurisdiction.code) }
      }
      for code in codes where code.contains(".") {
        codes.insert(String(code.split(separator: ".")[0]))
      }
      slotCodes = codes
    }
    return chain(code).first { slotCodes?.contains($0) ?? false } ?? "national"
  }

  /// Creates an interpreter for one application: `input` is the input record (from
  /// `InputReader`), and `jurisdiction` a code such as `GD.SZ` (a bare city code is resolved
  /// through the program's cities).
  ///
  /// Unlike `evaluate(_:input:asOf:jurisdiction:limits:)`, it does not check that the policy
  /// is in force on `asOf`.
  public init(
    program: IRProgram, input: Value, asOf: CivilDate, jurisdiction: String,
    limits: EvaluationLimits = .init()
  ) {
    self.program = program
    self.input = input
    self.asOf = asOf
    self.jurisdiction = jurisdiction
    self.limits = limits
  }

  /// Evaluates every decision of the program, or those named in `only`, each on its own: a
  /// decision that needs an absent fact is undecided (`Outcome.Decision.missingFacts`) and the
  /// others are decided.
  ///
  /// - Throws: `EvaluationError.runtime` or `.limit` (these stop the whole evaluation).
  public static func evaluate(
    _ program: IRProgram, input: Value, asOf: CivilDate, jurisdiction: String = "national",
    limits: EvaluationLimits = .init(), only: Set<String>? = nil
  ) throws(EvaluationError) -> Outcome {
    // The interpreter recurses: on a thread whose stack holds the deepest evaluation allowed
    // (`IRProgram.maximumEvaluationDepth`), whatever the caller's thread.
    try LargeStack.run { () -> Result<Outcome, EvaluationError> in
      do throws(EvaluationError) {
        return .success(
          try evaluateHere(
            program, input: input, asOf: asOf, jurisdiction: jurisdiction, limits: limits,
            only: only))
      } catch {
        return .failure(error)
      }
    }.get()
  }

  /// `evaluate` on the calling thread.
  static func evaluateHere(
    _ program: IRProgram, input: Value, asOf: CivilDate, jurisdiction: String,
    limits: EvaluationLimits, only: Set<String>?
  ) throws(EvaluationError) -> Outcome {
    try program.checkInForce(asOf)
    guard let place = program.jurisdiction(jurisdiction) else {
      throw .runtime(
        message: IRProgram.unknownJurisdictionMessage(jurisdiction, among: program.jurisdictions),
        span: SourceSpan(file: .init(0), bytes: 0..<0))
    }
    // After the jurisdiction, as `Evaluator.decide` checks them.
    try program.checkCasesInForce(input, on: asOf)
    var interpreter = Interpreter(
      program: program, input: input, asOf: asOf, jurisdiction: place, limits: limits)
    var decisions: [Outcome.Decision] = []
    for (id, definition) in program.definitions.enumerated() where definition.kind == .decision {
      if let only, !only.contains(definition.name) { continue }
      do {
        let (value, reason) = try interpreter.evaluateDefinition(id)
        decisions.append(
          Outcome.Decision(
            name: definition.name, value: value, type: definition.type, reason: reason))
      } catch {
        var decision = Outcome.Decision(
          name: definition.name, value: .unknown, type: definition.type, reason: nil)
        switch error {
        case .missingFacts(let paths): decision.missingFacts = paths
        case .notComputable(let message): decision.notComputable = message
        case .runtime, .limit: throw error
        }
        decisions.append(decision)
      }
    }
    return interpreter.outcome(decisions)
  }

  func outcome(_ decisions: [Outcome.Decision]) -> Outcome {
    Outcome(
      decisions: decisions, failedConditions: failedConditions, evaluated: evaluated,
      inputsRead: inputsRead.sorted(),
      asOf: asOf, jurisdiction: jurisdiction)
  }

  // MARK: Definitions and jurisdictions

  /// The jurisdictions consulted for `code`, most specific first: `GD.SZ`, `GD`, `national`.
  func chain(_ code: String) -> [String] {
    if code == "national" { return ["national"] }
    var full = code
    if !code.contains("."), let city = program.cities.first(where: { $0.hasSuffix(".\(code)") }) {
      full = city
    }
    let parts = full.split(separator: ".").map(String.init)
    return parts.count == 2 ? [full, parts[0], "national"] : [full, "national"]
  }

  /// A definition's value and reason code in the current jurisdiction, computed once.
  public mutating func evaluateDefinition(_ id: DefinitionID) throws(EvaluationError) -> (
    Value, String?
  ) {
    let key = MemoKey(definition: id, jurisdiction: memoJurisdiction(jurisdiction))
    if let cached = memo[key] { return cached }
    let definition = program.definitions[id]
    if !evaluated.contains(definition.name) { evaluated.append(definition.name) }
    let saved = current
    current = id
    defer { current = saved }
    for level in chain(jurisdiction) {
      if let result = try evaluate(definition, at: level) {
        memo[key] = result
        if asOfDepth > 0 { writtenOnOtherDates.append(key) }
        return result
      }
    }
    // Worded as the VM's `fail 4` and `fail 0`, naming the jurisdiction whose definitions it
    // was looked up among. Defined at no level (exceptions aside): an error, not a date gap.
    let levels = chain(jurisdiction)
    let defined = definition.variants.contains { variant in
      !isException(variant) && levels.contains(variant.jurisdiction.code)
    }
    guard defined else {
      throw .runtime(
        message:
          "`\(definition.name)` is not defined in `\(memoJurisdiction(jurisdiction))` (nor at any "
          + "less specific level)",
        span: definition.span)
    }
    throw .notComputable(
      "not computable: `\(definition.name)` has no version in force on \(asOf) in "
        + "`\(memoJurisdiction(jurisdiction))`")
  }

  /// The value from the variants at one level: an exception that holds, else an override or
  /// the base definition in force; nil when this level has nothing in force.
  mutating func evaluate(_ definition: IRDefinition, at level: String) throws(EvaluationError) -> (
    Value, String?
  )? {
    let variants = definition.variants.filter { $0.jurisdiction.code == level }
    var holding: [(IRVariant, String?)] = []
    for variant in variants {
      guard case .exception(let condition, let reason) = variant.kind else { continue }
      if try evaluateBool(condition) { holding.append((variant, reason)) }
    }
    if holding.count > 1 {
      throw .runtime(
        message:
          "two exceptions to `\(definition.name)` hold at once in `\(level)` (conflict; no silent pick)",
        span: holding[1].0.span)
    }
    if let (variant, reason) = holding.first, let version = inForce(variant.versions) {
      let (value, _) = try evaluateBody(version.body, definition: definition)
      return (value, reason ?? "")
    }
    for variant in variants where !isException(variant) {
      if let version = inForce(variant.versions) {
        return try evaluateBody(version.body, definition: definition)
      }
    }
    return nil
  }

  func isException(_ variant: IRVariant) -> Bool {
    if case .exception = variant.kind { return true }
    return false
  }

  func inForce(_ versions: [IRVersion]) -> IRVersion? {
    versions.first { version in
      (version.from.map { $0 <= asOf } ?? true) && (version.until.map { asOf <= $0 } ?? true)
    }
  }

  mutating func evaluateBody(_ body: IRBody, definition: IRDefinition) throws(EvaluationError) -> (
    Value, String?
  ) {
    switch body {
    case .value(let expr):
      return (try evaluate(expr), nil)
    case .firstOf(let cases):
      for item in cases {
        if let condition = item.condition, !(try evaluateBool(condition)) { continue }
        exercised.insert(item.span)
        return (try evaluate(item.value), item.reason ?? "")
      }
      throw .runtime(message: "no case of `\(definition.name)` applies", span: definition.span)
    case .allOf(let conditions):
      for item in conditions {
        exercised.insert(item.span)
        if try evaluateBool(item.condition) { continue }
        failedConditions.append((definition.name, item.reason))
        return (.bool(false), item.reason)
      }
      return (.bool(true), "ok")
    }
  }

  mutating func evaluateBool(_ expr: IRExpr) throws(EvaluationError) -> Bool {
    if case .bool(let value) = try evaluate(expr) { return value }
    throw .runtime(message: "internal error: a condition did not give a Bool", span: expr.span)
  }
}
