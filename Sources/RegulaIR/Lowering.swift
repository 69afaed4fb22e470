// The one entry pass into the IR: resolves names to indices and slots, literals to values,
// builtin names and mode words to `Builtin`, and test inputs to records.

/// Lowers a checked program to the IR.
public enum Lowering {
  /// Lowers `program`; the output is nil when lowering reports an error (a literal out of range).
  ///
  /// - Complexity: O(n) in the size of the checked program.
  public static func lower(_ program: CheckedProgram) -> Staged<IRProgram> {
    var lowerer = Lowerer(program: program)
    let lowered = lowerer.lowerProgram()
    return Staged(
      output: lowerer.diagnostics.isEmpty ? lowered : nil, diagnostics: lowerer.diagnostics)
  }
}

struct Lowerer {
  let program: CheckedProgram
  var diagnostics: [Diagnostic] = []
  var definitionIDs: [String: DefinitionID] = [:]
  var locals: [String: Int] = [:]
  var nextSlot = 0
  /// The functions by name, as indexes into `program.functions`.
  var functionIDs: [String: Int] = [:]
  /// Expression nodes produced by inlining so far, against `inliningBudget`.
  var inlinedNodes = 0
  /// Each function's body size (`size(of:)`), counted once.
  var functionSizes: [Int] = []
  var inliningReported = false
  /// The functions whose bodies are being inlined, innermost last: the checker refuses
  /// recursion, and this refuses it again rather than inline without end.
  var inlining: [Int] = []
  /// Trace nodes for `PARAMETER as of DATE` reads and scale applications, numbered after the
  /// policy's functions.
  var tracedBuiltins: [IRFunction] = []

  /// The most expression nodes inlining may produce: a chain of functions each calling the
  /// next twice would otherwise grow exponentially.
  static let inliningBudget = 2_000_000

  init(program: CheckedProgram) {
    self.program = program
    for (index, definition) in program.definitions.enumerated() {
      definitionIDs[definition.name] = index
    }
    for (index, function) in program.functions.enumerated() { functionIDs[function.name] = index }
    functionSizes = program.functions.map { Self.size(of: $0.body) }
  }

  mutating func lowerProgram() -> IRProgram {
    let definitions = program.definitions.map { lowerDefinition($0) }
    var cities: [String] = []
    for definition in program.definitions {
      for variant in definition.variants
      where variant.jurisdiction.depth == 2 && !cities.contains(variant.jurisdiction.code) {
        cities.append(variant.jurisdiction.code)
      }
    }
    let tests = program.tests.map { lowerTest($0) }
    var bounds: [String: IRBounds] = [:]
    for record in program.records + (program.input.map { [$0] } ?? []) {
      for field in record.fields {
        guard let constraint = field.constraint else { continue }
        // Each bound given must be a constant (the checker's literals always are).
        let low = constraint.low.map { constantValue(lower($0)) }
        let high = constraint.high.map { constantValue(lower($0)) }
        if low != .some(nil), high != .some(nil), low != nil || high != nil {
          bounds["\(record.name).\(field.name)"] = IRBounds(
            isLength: constraint.kind == .length, low: low ?? nil, high: high ?? nil)
        }
      }
    }
    var lowered = IRProgram(
      name: program.header.name.text, enums: program.enums, records: program.records,
      input: program.input,
      definitions: definitions, cities: cities, tests: tests, bounds: bounds)
    lowered.jurisdictions = program.jurisdictions
    lowered.functions =
      program.functions.map {
        IRFunction(
          name: $0.name, parameters: $0.parameters.map(\.name), citation: $0.citation,
          span: $0.span)
      } + tracedBuiltins
    lowered.sources = program.sources.map { ($0.name.text, $0.document, $0.span.file) }
    lowered.labels = program.labels
    let decision = program.definitions.first { $0.kind == .decision }
    let header = program.policyHeader ?? program.header
    lowered.level =
      header.level?.code ?? decision?.variants.first?.jurisdiction.code ?? "national"
    if header.kind == .policy, let validity = header.validity {
      lowered.from = date(validity.from)
      lowered.until = validity.until.flatMap(date)
    }
    return lowered
  }

  mutating func lowerDefinition(_ definition: CheckedDefinition) -> IRDefinition {
    let variants = definition.variants.map { variant -> IRVariant in
      let kind: IRVariant.Kind
      switch variant.kind {
      case .base: kind = .base
      case .override: kind = .override
      case .exception(_, let condition, let reason):
        var lowered = lower(condition)
        // A dated exception holds only on its days: the date test first, so that the
        // condition is not evaluated (nor its facts needed) on another day.
        if let validity = variant.validity {
          lowered = IRExpr(
            kind: .binary(.and, validityTest(validity), lowered), type: .bool,
            span: condition.span)
        }
        kind = .exception(condition: lowered, reason: reason?.text)
      }
      return IRVariant(
        kind: kind, jurisdiction: variant.jurisdiction,
        versions: lowerVersions(variant.body, citation: variant.citation),
        citation: variant.citation, span: variant.span)
    }
    var lowered = IRDefinition(
      name: definition.name, kind: definition.kind, type: definition.type,
      citation: definition.citation,
      span: definition.span, variants: variants, hasReason: definition.hasReason)
    lowered.places = definition.places
    return lowered
  }

  /// `PARAMETER as of DATE`: the date bound once, then the version whose range holds it, tried
  /// in order (the checker allows only constant versions and one variant); none holding stops
  /// the evaluation.
  mutating func lowerAsOf(_ variant: Variant, _ date: IRExpr, type: RType, at span: SourceSpan)
    -> IRExpr.Kind
  {
    let slot = nextSlot
    nextSlot += 1
    let day = IRExpr(kind: .local(slot), type: .date, span: span)
    var chain = IRExpr(kind: .call(.noVersionAsOf, []), type: type, span: span)
    for version in lowerVersions(variant.body, citation: variant.citation).reversed() {
      guard case .value(let value) = version.body else { continue }
      guard let test = Self.rangeTest(from: version.from, until: version.until, day, at: span)
      else {
        chain = value
        continue
      }
      chain = IRExpr(kind: .ifThenElse(test, value, chain), type: type, span: span)
    }
    return .letIn(slot: slot, date, chain)
  }

  /// `from <= as_of_date() and as_of_date() <= until` (the second part only with `until`),
  /// positioned at the `from … until …` clause for traces.
  func validityTest(_ validity: Validity) -> IRExpr {
    let today = IRExpr(kind: .call(.asOfDate, []), type: .date, span: validity.span)
    return Self.rangeTest(
      from: date(validity.from), until: validity.until.flatMap(date), today, at: validity.span)
      ?? IRExpr(kind: .constant(.bool(true)), type: .bool, span: validity.span)
  }

  /// `from <= day and day <= until`, each part only with its bound; nil with neither.
  static func rangeTest(from: CivilDate?, until: CivilDate?, _ day: IRExpr, at span: SourceSpan)
    -> IRExpr?
  {
    func node(_ kind: IRExpr.Kind, _ type: RType) -> IRExpr {
      IRExpr(kind: kind, type: type, span: span)
    }
    var parts: [IRExpr] = []
    if let from {
      parts.append(node(.binary(.lessEqual, node(.constant(.date(from)), .date), day), .bool))
    }
    if let until {
      parts.append(node(.binary(.lessEqual, day, node(.constant(.date(until)), .date)), .bool))
    }
    guard let first = parts.first else { return nil }
    return parts.dropFirst().reduce(first) { node(.binary(.and, $0, $1), .bool) }
  }

  mutating func lowerVersions(_ body: Body, citation: Citation?) -> [IRVersion] {
    guard case .versions(let versions) = body.kind else {
      return [IRVersion(from: nil, until: nil, body: lowerBody(body), citation: citation)]
    }
    return versions.map { version in
      IRVersion(
        from: date(version.validity.from), until: version.validity.until.flatMap(date),
        body: lowerBody(version.body), citation: version.citation ?? citation)
    }
  }

  func date(_ literal: DateLiteral) -> CivilDate? {
    try? CivilDate(year: Int64(literal.year), month: Int64(literal.month), day: Int64(literal.day))
  }

  mutating func lowerBody(_ body: Body) -> IRBody {
    switch body.kind {
    case .expression(let expr): return .value(lower(expr))
    case .firstOf(let cases):
      return .firstOf(cases.map { lowerCase($0) })
    case .allOf(let conditions):
      return .allOf(
        conditions.map {
          IRCondition(
            condition: lower($0.condition), reason: $0.reason.text, citation: $0.citation,
            span: $0.span)
        })
    case .versions, .brackets:
      // INVARIANT: the parser only allows versions at the top of a body, and the checker
      // turned brackets into versions.
      return .value(IRExpr(kind: .constant(.none), type: .error, span: body.span))
    }
  }

  /// A `first of` case. One that binds (`VALUE when some NAME = EXPR and CONDITION`) holds
  /// when `match EXPR { some NAME: CONDITION, none: false }` does, and gives
  /// `match EXPR { some NAME: VALUE }`: EXPR is evaluated again for the value (it reads
  /// nothing that can change), and its `none` arm cannot be reached.
  mutating func lowerCase(_ item: Case) -> IRCase {
    guard let binding = item.binding else {
      return IRCase(
        value: lower(item.value), condition: item.condition.map { lower($0) },
        reason: item.reason?.text, citation: item.citation, span: item.span)
    }
    let subject = lower(binding.value)
    let (slot, previous) = bind(binding.name.text)
    let rest =
      item.condition.map { lower($0) }
      ?? IRExpr(kind: .constant(.bool(true)), type: .bool, span: binding.span)
    let value = lower(item.value)
    unbind(binding.name.text, previous: previous)
    let holds = IRExpr(
      kind: .match(
        subject,
        [
          IRArm(pattern: .some(slot: slot), value: rest),
          IRArm(
            pattern: .none,
            value: IRExpr(kind: .constant(.bool(false)), type: .bool, span: binding.span)),
        ]),
      type: .bool, span: binding.span)
    let given = IRExpr(
      kind: .match(subject, [IRArm(pattern: .some(slot: slot), value: value)]), type: value.type,
      span: item.value.span)
    return IRCase(
      value: given, condition: holds, reason: item.reason?.text, citation: item.citation,
      span: item.span)
  }

  mutating func lowerTest(_ test: TestDecl) -> IRTest {
    var given: IRExpr?
    if let input = program.input, case .braces(let entries) = test.given.kind {
      let fields = input.fields.map { field -> IRExpr in
        if let entry = entries.first(where: { $0.key?.text == field.name }) {
          return lower(entry.value)
        }
        return IRExpr(kind: .constant(.unknown), type: field.type, span: test.given.span)
      }
      given = IRExpr(kind: .record(fields), type: .record(input.name), span: test.given.span)
    }
    let expectations = test.expectations.compactMap {
      expectation -> (DefinitionID, IRExpr?, String?, SourceSpan)? in
      guard let id = definitionIDs[expectation.name.text] else { return nil }
      return (id, expectation.value.map { lower($0) }, expectation.reason?.text, expectation.span)
    }
    return IRTest(
      name: test.name, asOf: test.asOf.flatMap(date), jurisdiction: test.jurisdiction?.text,
      given: given,
      expectations: expectations.map { (definition: $0.0, value: $0.1, reason: $0.2, span: $0.3) },
      span: test.given.span)
  }

  // MARK: Expressions

  mutating func bind(_ name: String) -> (slot: Int, previous: Int?) {
    let slot = nextSlot
    nextSlot += 1
    let previous = locals[name]
    locals[name] = slot
    return (slot, previous)
  }

  mutating func unbind(_ name: String, previous: Int?) { locals[name] = previous }

  func type(of expr: Expr) -> RType { program.types[expr.id] ?? .error }

  mutating func lower(_ expr: Expr) -> IRExpr {
    let lowered = IRExpr(kind: lowerKind(expr), type: type(of: expr), span: expr.span)
    guard let widened = program.widenings[expr.id] else { return lowered }
    return IRExpr(kind: .call(.widen, [lowered]), type: widened, span: expr.span)
  }

  mutating func lowerKind(_ expr: Expr) -> IRExpr.Kind {
    switch expr.kind {
    case .literal(let literal): return .constant(literalValue(literal, at: expr.span))
    case .quantity(let literal, let unit):
      return .constant(quantityValue(literal, unit, at: expr.span))
    case .name(let name): return lowerName(name, expr: expr)
    case .field(let base, let name):
      if case .enumCase(let enumName, let caseName)? = program.resolutions[expr.id] {
        return .constant(
          .enumCase(
            program.enums.first { $0.name == enumName }?.index(ofCase: caseName) ?? 0))
      }
      return lowerField(base, name)
    case .index(let base, let key): return .index(lower(base), lower(key))
    case .at(let base, let place):
      guard case .name(let name) = base.kind, let id = definitionIDs[name] else {
        return .constant(.none)
      }
      return .definitionAt(id, lower(place))
    case .asOf(let base, let date): return lowerAsOfRead(base, date, expr: expr)
    case .unary(let op, let operand): return .unary(op, lower(operand))
    case .binary(let op, let left, let right): return .binary(op, lower(left), lower(right))
    case .ifThenElse(let c, let t, let e): return .ifThenElse(lower(c), lower(t), lower(e))
    case .letIn(let name, let value, let body):
      let loweredValue = lower(value)
      let (slot, previous) = bind(name.text)
      defer { unbind(name.text, previous: previous) }
      return .letIn(slot: slot, loweredValue, lower(body))
    case .match(let subject, let arms): return lowerMatch(subject, arms)
    case .call(let name, let arguments):
      if let function = functionIDs[name.text] {
        return lowerFunctionCall(function, arguments, at: expr.span)
      }
      return lowerCall(name.text, arguments, at: expr.span)
    case .aggregate(let aggregate): return lowerAggregate(aggregate)
    case .list(let items): return .list(items.map { lower($0) })
    case .braces(let entries): return lowerBraces(entries, type: type(of: expr), at: expr.span)
    case .reasonOf(let name): return .reasonOf(definitionIDs[name.text] ?? 0)
    case .error: return .constant(.none)
    }
  }

  /// A call of a function, inlined: the arguments in the caller's scope, each bound to a
  /// fresh slot, then the body with only the parameters in scope.
  /// `NAME as of DATE`: a parameter of constant versions reads its version on DATE; anything
  /// else is evaluated as a whole on DATE. Out of line, so that the frame of `lowerKind`, which
  /// recurses once per level of an expression, stays small.
  @inline(never)
  mutating func lowerAsOfRead(_ base: Expr, _ date: Expr, expr: Expr) -> IRExpr.Kind {
    guard case .name(let name) = base.kind, let definition = program.definition(name),
      let variant = definition.variants.first
    else { return .constant(.none) }
    if case .evaluatedAsOf? = program.resolutions[expr.id], let id = definitionIDs[name] {
      // Traced as a node named by the definition, showing the date, with the definition's
      // own node (evaluated on that date) inside.
      tracedBuiltins.append(
        IRFunction(
          name: name, parameters: [], citation: definition.citation, span: definition.span))
      return .inlined(
        function: program.functions.count + tracedBuiltins.count - 1,
        IRExpr(kind: .definitionAsOf(id, lower(date)), type: type(of: expr), span: expr.span))
    }
    // Traced as a node of its own, named by the parameter, with its citation.
    tracedBuiltins.append(
      IRFunction(name: name, parameters: [], citation: definition.citation, span: definition.span)
    )
    let read = lowerAsOf(variant, lower(date), type: type(of: expr), at: expr.span)
    return .inlined(
      function: program.functions.count + tracedBuiltins.count - 1,
      IRExpr(kind: read, type: type(of: expr), span: expr.span))
  }

  mutating func lowerFunctionCall(_ index: Int, _ arguments: [Expr], at span: SourceSpan)
    -> IRExpr.Kind
  {
    let function = program.functions[index]
    guard !inlining.contains(index) else {
      diagnostics.append(
        Diagnostic(
          .dependencyCycle, at: span, message: "`\(function.name)` calls itself",
          help: "functions cannot be recursive; compute the value from the inputs instead"))
      return .constant(.none)
    }
    let lowered = arguments.map { lower($0) }
    inlinedNodes += functionSizes[index]
    guard inlinedNodes <= Self.inliningBudget else {
      if !inliningReported {
        inliningReported = true
        diagnostics.append(
          Diagnostic(
            .cannotCompile, at: span,
            message:
              "inlining the calls of `\(function.name)` would make the policy too large "
              + "(over \(Self.inliningBudget) expression nodes)",
            help: "functions calling each other several times multiply; "
              + "compute a shared part once in a rule"))
      }
      return .constant(.none)
    }
    let saved = locals
    locals = [:]
    let slots = function.parameters.map { bind($0.name).slot }
    inlining.append(index)
    var body = lower(function.body)
    inlining.removeLast()
    locals = saved
    for (slot, argument) in zip(slots, lowered).reversed() {
      body = IRExpr(kind: .letIn(slot: slot, argument, body), type: body.type, span: body.span)
    }
    return .inlined(function: index, body)
  }

  /// The number of expression nodes in `expr`, a measure of what inlining it costs.
  static func size(of expr: Expr) -> Int {
    var found = 1
    switch expr.kind {
    case .literal, .quantity, .name, .reasonOf, .error: break
    case .field(let base, _): found += size(of: base)
    case .index(let a, let b), .at(let a, let b), .asOf(let a, let b), .binary(_, let a, let b),
      .letIn(_, let a, let b):
      found += size(of: a) + size(of: b)
    case .unary(_, let a): found += size(of: a)
    case .ifThenElse(let a, let b, let c): found += size(of: a) + size(of: b) + size(of: c)
    case .match(let subject, let arms):
      found += size(of: subject) + arms.reduce(0) { $0 + size(of: $1.value) }
    case .call(_, let items), .list(let items): found += items.reduce(0) { $0 + size(of: $1) }
    case .aggregate(let aggregate):
      found +=
        size(of: aggregate.source) + (aggregate.element.map(size) ?? 0)
        + (aggregate.filter.map(size) ?? 0)
    case .braces(let entries): found += entries.reduce(0) { $0 + size(of: $1.value) }
    }
    return found
  }

  func lowerName(_ name: String, expr: Expr) -> IRExpr.Kind {
    switch program.resolutions[expr.id] {
    case .local?: return .local(locals[name] ?? 0)
    case .input?: return .input
    case .definition(let definition)?: return .definition(definitionIDs[definition] ?? 0)
    case .enumCase(let enumName, let caseName)?:
      return .constant(
        .enumCase(program.enums.first { $0.name == enumName }?.index(ofCase: caseName) ?? 0))
    case .enumType?, .evaluatedAsOf?, nil: return .constant(.none)
    }
  }

  mutating func lowerField(_ base: Expr, _ name: Identifier) -> IRExpr.Kind {
    let loweredBase = lower(base)
    guard case .record(let recordName) = loweredBase.type else { return .constant(.none) }
    let fields =
      recordName == program.input?.name
      ? program.input?.fields : program.records.first { $0.name == recordName }?.fields
    let index = fields?.firstIndex { $0.name == name.text } ?? 0
    // A field with a default holds `none` when the application left it out: the read gives
    // the default then.
    if let field = fields?[index], field.name == name.text, let value = field.defaultValue {
      let read = IRExpr(
        kind: .field(loweredBase, index: index, name: name.text), type: .optional(field.type),
        span: name.span)
      return .binary(.coalesce, read, lower(value))
    }
    return .field(loweredBase, index: index, name: name.text)
  }

  mutating func lowerMatch(_ subject: Expr, _ arms: [MatchArm]) -> IRExpr.Kind {
    let loweredSubject = lower(subject)
    var cases: EnumInfo?
    if case .enumeration(let name) = loweredSubject.type {
      cases = program.enums.first { $0.name == name }
    }
    var lowered: [IRArm] = []
    for arm in arms {
      let pattern: IRArm.Pattern
      var bound: (String, Int?)?
      switch arm.patterns.first?.kind {
      case .otherwise?: pattern = .otherwise
      case .none?: pattern = .none
      case .some(let name)?:
        let (slot, previous) = bind(name.text)
        bound = (name.text, previous)
        pattern = .some(slot: slot)
      case .enumCase?, nil:
        pattern = .cases(
          arm.patterns.compactMap {
            if case .enumCase(let name) = $0.kind { cases?.index(ofCase: name) } else { nil }
          })
      }
      lowered.append(IRArm(pattern: pattern, value: lower(arm.value)))
      if let (name, previous) = bound { unbind(name, previous: previous) }
    }
    return .match(loweredSubject, lowered)
  }

  mutating func lowerAggregate(_ aggregate: Aggregate) -> IRExpr.Kind {
    let source = lower(aggregate.source)
    let (slot, previous) = bind(aggregate.binder.text)
    defer { unbind(aggregate.binder.text, previous: previous) }
    return .aggregate(
      aggregate.kind, slot: slot, source: source, element: aggregate.element.map { lower($0) },
      filter: aggregate.filter.map { lower($0) })
  }

  /// The entries by key (the first of a key given twice, as the checker reports).
  static func entriesByKey(_ entries: [Entry]) -> [String: Entry] {
    var byName: [String: Entry] = [:]
    for entry in entries {
      if let key = entry.key?.text, byName[key] == nil { byName[key] = entry }
    }
    return byName
  }

  mutating func lowerBraces(_ entries: [Entry], type: RType, at span: SourceSpan) -> IRExpr.Kind {
    var target = type
    if case .optional(let wrapped) = type { target = wrapped }
    switch target {
    case .record(let name):
      let fields = program.records.first { $0.name == name }?.fields ?? program.input?.fields ?? []
      let byName = Self.entriesByKey(entries)
      return .record(
        fields.map { field in
          byName[field.name].map { lower($0.value) }
            ?? (field.defaultValue == nil
              ? IRExpr(kind: .constant(.unknown), type: field.type, span: span)
              // Left out of a test's `given`, an input field with a default holds `none`, as
              // when an application leaves it out.
              : IRExpr(kind: .constant(.none), type: .optional(field.type), span: span))
        })
    case .table(let key, _):
      let cases = program.enums.first { $0.name == key }?.cases ?? []
      let fallback = entries.first { $0.key == nil }
      // By key, so that a table over an enum of 100,000 cases lowers in linear time.
      let byName = Self.entriesByKey(entries)
      return .table(
        cases.map { name in
          (byName[name] ?? fallback).map { lower($0.value) }
            ?? IRExpr(kind: .constant(.none), type: .error, span: span)
        })
    default:
      return .constant(.none)
    }
  }

  // MARK: Literals

  mutating func literalValue(_ literal: Literal, at span: SourceSpan) -> Value {
    switch literal {
    case .integer(let text):
      guard let value = try? ExactInt(parsing: text) else { return invalid(text, at: span) }
      return .int(value)
    case .decimal(let text), .percent(let text):
      guard let value = try? ExactDecimal(parsing: text) else { return invalid(text, at: span) }
      return .decimal(value)
    case .text(let text): return .text(text)
    case .date(let literal):
      return date(literal).map(Value.date) ?? invalid(literal.description, at: span)
    case .bool(let value): return .bool(value)
    case .none: return .none
    }
  }

  mutating func quantityValue(_ literal: Literal, _ unit: Unit, at span: SourceSpan) -> Value {
    let text: String
    switch literal {
    case .integer(let digits), .decimal(let digits): text = digits.filter { $0 != "_" }
    default: return invalid("", at: span)
    }
    switch unit {
    case .days, .months, .years:
      guard let count = Int64(text) else { return invalid(text, at: span) }
      return unit == .days
        ? .days(Days(count)) : unit == .months ? .months(Months(count)) : .years(Years(count))
    case .fen:
      guard let fen = try? ExactInt(parsing: text) else { return invalid(text, at: span) }
      return .money(Money(fen: fen))
    case .yuan:
      guard let money = try? Money(yuan: text) else { return invalid(text, at: span) }
      return .money(money)
    }
  }

  /// The value of a bound: a literal, possibly negated.
  func constantValue(_ expr: IRExpr) -> Value? {
    switch expr.kind {
    case .constant(let value): return value
    case .unary(.negate, let inner):
      switch constantValue(inner) {
      case .int(let value)?: return .int(-value)
      case .decimal(let value)?: return .decimal(-value)
      case .money(let value)?: return .money(-value)
      case .days(let value)?: return .days(Days(-value.count))
      case .months(let value)?: return .months(Months(-value.count))
      case .years(let value)?: return .years(Years(-value.count))
      default: return nil
      }
    default: return nil
    }
  }

  mutating func invalid(_ text: String, at span: SourceSpan) -> Value {
    diagnostics.append(
      Diagnostic(
        .invalidNumber, at: span, message: "the literal `\(text)` is out of range",
        help: "durations are limited to 64-bit counts"))
    return .none
  }
}
