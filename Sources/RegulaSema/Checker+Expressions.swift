// Expression typing: one small helper per expression form, dispatched by an exhaustive
// switch. Every node's type goes into `types`; an error type stops cascades.

extension Checker {
  /// Types `expr`; `expected` only guides bare enum cases, `none`, and empty literals.
  mutating func check(_ expr: Expr, expected: RType?, scope: Scope) -> RType {
    let type = checkKind(expr, expected: expected, scope: scope)
    types[expr.id] = type
    return type
  }

  mutating func checkKind(_ expr: Expr, expected: RType?, scope: Scope) -> RType {
    switch expr.kind {
    case .literal(let literal): return checkLiteral(literal, expected: expected)
    case .quantity(let literal, let unit): return checkQuantity(literal, unit, at: expr.span)
    case .name(let name): return checkName(name, expr: expr, expected: expected, scope: scope)
    case .field(let base, let name): return checkField(base, name, expr: expr, scope: scope)
    case .index(let base, let key): return checkIndex(base, key, scope: scope)
    case .at(let base, let place): return checkAt(base, place, scope: scope)
    case .asOf(let base, let date): return checkAsOf(base, date, scope: scope, id: expr.id)
    case .unary(let op, let operand): return checkUnary(op, operand, at: expr.span, scope: scope)
    case .binary(let op, let left, let right):
      return checkBinary(op, left, right, at: expr.span, scope: scope)
    case .ifThenElse(let c, let t, let e): return checkIf(c, t, e, expected: expected, scope: scope)
    case .letIn(let name, let value, let body):
      var inner = scope
      inner[name.text] = check(value, expected: nil, scope: scope)
      return check(body, expected: expected, scope: inner)
    case .match(let subject, let arms):
      return checkMatch(subject, arms, at: expr.span, expected: expected, scope: scope)
    case .call(let name, let arguments):
      return checkCall(name, arguments, at: expr.span, expected: expected, scope: scope)
    case .aggregate(let aggregate): return checkAggregate(aggregate, at: expr.span, scope: scope)
    case .list(let items): return checkList(items, expected: expected, scope: scope)
    case .braces(let entries):
      return checkBraces(entries, at: expr.span, expected: expected, scope: scope)
    case .reasonOf(let name): return checkReasonOf(name)
    case .error: return .error
    }
  }

  /// Durations are 64-bit counts (Docs/language.md §11): a literal count that does not fit is
  /// an error here, not a wrapped or refused value at run time.
  mutating func checkDurationCount(_ digits: String, _ unit: String, at span: SourceSpan) {
    let plain = digits.filter { $0 != "_" }
    guard Int64(plain) == nil else { return }
    report(
      .invalidNumber, at: span,
      "\(plain) \(unit) does not fit a duration (at most 9223372036854775807 \(unit))",
      help: "durations are whole counts between -9223372036854775808 and 9223372036854775807")
  }

  func checkLiteral(_ literal: Literal, expected: RType?) -> RType {
    switch literal {
    case .integer: return .int
    case .decimal, .percent: return .decimal
    case .text: return .text
    case .date: return .date
    case .bool: return .bool
    case .none:
      if case .optional = expected { return expected! }
      return .noneLiteral
    }
  }

  mutating func checkQuantity(_ literal: Literal, _ unit: Unit, at span: SourceSpan) -> RType {
    if case .integer(let text) = literal, unit == .days || unit == .months || unit == .years {
      checkDurationCount(text, unit.rawValue, at: span)
    }
    switch (literal, unit) {
    case (.integer, .days): return .days
    case (.integer, .months): return .months
    case (.integer, .years): return .years
    case (.integer, .fen), (.integer, .yuan): return .money
    case (.decimal(let text), .yuan) where Self.fractionDigits(text) <= 2: return .money
    case (.decimal, .yuan):
      report(
        .unroundedMoney, at: span, "an amount in yuan has at most two decimal places (whole fen)",
        help: "write the exact amount in fen, or round a computed amount with `round(…, MODE)`")
    case (.decimal, _):
      report(
        .invalidOperands, at: span,
        "`\(unit.rawValue)` counts whole units; a decimal is not allowed here",
        help: "durations are whole days, months or years; money in fen is a whole number")
    default:
      report(.invalidOperands, at: span, "a unit follows a number")
    }
    return .error
  }

  static func fractionDigits(_ text: String) -> Int {
    guard let dot = text.firstIndex(of: ".") else { return 0 }
    return text[text.index(after: dot)...].filter(\.isNumber).count
  }

  // MARK: Names

  mutating func checkName(_ name: String, expr: Expr, expected: RType?, scope: Scope) -> RType {
    if let local = scope[name] {
      resolutions[expr.id] = .local(name)
      return local
    }
    var expectedEnum = expected
    if case .optional(let wrapped)? = expected { expectedEnum = wrapped }
    if case .enumeration(let enumName)? = expectedEnum,
      enums[enumName]?.hasCase(name) == true
    {
      resolutions[expr.id] = .enumCase(enumName: enumName, caseName: name)
      return .enumeration(enumName)
    }
    if name == inputName, let inputName, isVisible(inputName, in: currentFile) {
      resolutions[expr.id] = .input(inputName)
      return .record(inputName)
    }
    if let entry = definitions[name], entry.parameters != nil, isVisible(name, in: currentFile) {
      let parameters = (functionParameters[name] ?? []).map(\.name).joined(separator: ", ")
      report(
        .functionNotCalled, at: expr.span, "`\(name)` is a function; call it with its arguments",
        help: "write `\(name)(\(parameters))` with a value for each parameter")
      return .error
    }
    if definitions[name] != nil, isVisible(name, in: currentFile) {
      resolutions[expr.id] = .definition(name)
      if let currentDefinition { dependencies[currentDefinition, default: []].insert(name) }
      return definitionTypes[name] ?? .error
    }
    if enums[name] != nil, isVisible(name, in: currentFile) {
      report(
        .typeMismatch, at: expr.span, "`\(name)` is an enum type, not a value",
        help: "name one of its cases, as in `\(name).\(enums[name]!.cases.first ?? "case")`")
      return .error
    }
    return checkBareCase(name, expr: expr, expected: expected, scope: scope)
  }

  /// A bare enum case with no expected type: accepted when exactly one visible enum has it.
  mutating func checkBareCase(_ name: String, expr: Expr, expected: RType?, scope: Scope) -> RType {
    // The expected type already failed to resolve: that error is the root cause.
    if expected == .error { return .error }
    let owners = typeOrder.filter {
      enums[$0]?.hasCase(name) == true && isVisible($0, in: currentFile)
    }
    if owners.count == 1 {
      resolutions[expr.id] = .enumCase(enumName: owners[0], caseName: name)
      return .enumeration(owners[0])
    }
    if owners.count > 1 {
      report(
        .cannotInferEnumCase, at: expr.span, "`\(name)` is a case of several enums",
        help: "name the enum, as in `\(owners[0]).\(name)`")
      return .error
    }
    reportUndefinedName(name, at: expr.span, expected: expected, scope: scope)
    return .error
  }

  mutating func reportUndefinedName(
    _ name: String, at span: SourceSpan, expected: RType?, scope: Scope
  ) {
    var candidates = Array(scope.keys) + definitionOrder.filter { isVisible($0, in: currentFile) }
    if let inputName { candidates.append(inputName) }
    if case .enumeration(let enumName)? = expected { candidates += enums[enumName]?.cases ?? [] }
    var help = Suggestions.help(Suggestions.closest(to: name, among: candidates))
    if help == nil, owner[name] != nil {
      help = "`\(name)` is defined in another file; add it to an `import`"
    } else if help == nil, case .enumeration(let enumName)? = expected {
      help =
        "`\(enumName)` has the cases "
        + (enums[enumName]?.cases.map { "`\($0)`" }.joined(separator: ", ") ?? "")
    }
    report(.undefinedName, at: span, "undefined name `\(name)`", help: help)
  }

  // MARK: Fields, tables, jurisdictions

  func recordInfo(_ name: String) -> RecordInfo? {
    name == inputName ? input : records[name]
  }

  mutating func checkField(_ base: Expr, _ name: Identifier, expr: Expr, scope: Scope) -> RType {
    if case .name(let enumName) = base.kind, scope[enumName] == nil, definitions[enumName] == nil,
      enumName != inputName, let info = enums[enumName], isVisible(enumName, in: currentFile)
    {
      types[base.id] = .enumeration(enumName)
      resolutions[base.id] = .enumType(enumName)
      guard info.hasCase(name.text) else {
        report(
          .undefinedEnumCase, at: name.span, "`\(enumName)` has no case `\(name.text)`",
          help: Suggestions.help(Suggestions.closest(to: name.text, among: info.cases)))
        return .error
      }
      resolutions[expr.id] = .enumCase(enumName: enumName, caseName: name.text)
      return .enumeration(enumName)
    }
    let baseType = check(base, expected: nil, scope: scope)
    return fieldType(of: baseType, name, at: base.span)
  }

  mutating func fieldType(of baseType: RType, _ name: Identifier, at span: SourceSpan) -> RType {
    switch baseType {
    case .error: return .error
    case .record(let recordName):
      guard let info = recordInfo(recordName) else { return .error }
      if let field = info.field(name.text) { return field.type }
      report(
        .undefinedField, at: name.span, "`\(recordName)` has no field `\(name.text)`",
        help: Suggestions.help(Suggestions.closest(to: name.text, among: info.fields.map(\.name))))
      return .error
    case .optional(.record):
      report(
        .unhandledOptional, at: span, "this value may be `none` (its type is `\(baseType)`)",
        help: "`match` on `none` and `some` before reading `.\(name.text)`")
      return .error
    default:
      report(
        .notARecord, at: name.span, "`\(baseType)` has no fields; `.\(name.text)` needs a record",
        help:
          "fields belong to records: read it from the application (`application.\(name.text)`) or from a record value"
      )
      return .error
    }
  }

  mutating func checkIndex(_ base: Expr, _ key: Expr, scope: Scope) -> RType {
    let baseType = check(base, expected: nil, scope: scope)
    guard case .table(let keyEnum, let value) = baseType else {
      if !baseType.isError {
        report(
          .invalidOperands, at: base.span,
          "only tables can be looked up with `[…]`; this is `\(baseType)`")
      }
      _ = check(key, expected: nil, scope: scope)
      return .error
    }
    checkExpecting(key, .enumeration(keyEnum), scope: scope)
    return value
  }

  mutating func checkAt(_ base: Expr, _ place: Expr, scope: Scope) -> RType {
    let placeType = check(place, expected: nil, scope: scope)
    if !placeType.isError, case .enumeration(let name) = placeType {
      checkAtEnum(name, at: place.span)
    } else if !placeType.isError {
      report(
        .jurisdictionNotEnum, at: place.span,
        "a jurisdiction is named by an enum value such as a `Province`; this is `\(placeType)`",
        help:
          "name a case (`r at SH`) or an input field of the jurisdictions enum (`r at application.province`)"
      )
    }
    guard case .name(let name) = base.kind, scope[name] == nil, definitions[name] != nil else {
      let type = check(base, expected: nil, scope: scope)
      if !type.isError {
        report(
          .invalidOperands, at: base.span, "`at` applies to a parameter, rule or decision by name",
          help: "write `NAME at JURISDICTION`, as in `standard at application.hukou_province`")
      }
      return .error
    }
    return check(base, expected: nil, scope: scope)
  }

  /// `NAME as of DATE`: a parameter whose versions are constants, read on another date. Its
  /// versions are chosen by DATE; overrides and exceptions (chosen by jurisdiction) and bodies
  /// that read other definitions (which would be read on the evaluation's date) are refused.
  mutating func checkAsOf(_ base: Expr, _ date: Expr, scope: Scope, id: NodeID) -> RType {
    checkExpecting(date, .date, scope: scope)
    guard case .name(let name) = base.kind, scope[name] == nil, let entry = definitions[name],
      entry.parameters == nil
    else {
      let type = check(base, expected: nil, scope: scope)
      if !type.isError {
        report(
          .invalidOperands, at: base.span, "`as of` reads a parameter, rule or decision by name",
          help:
            "write `NAME as of DATE`, as in `tax_rate as of first_day_of_year(as_of_date())`")
      }
      return .error
    }
    let type = check(base, expected: nil, scope: scope)
    // A parameter of constant versions is read by choosing its version on DATE; anything else
    // is evaluated on DATE as a whole (§13).
    if !(entry.kind == .parameter && entry.variants.count == 1 && hasConstantVersions(entry)) {
      resolutions[id] = .evaluatedAsOf
    }
    return type
  }

  /// True when every version of the definition's one variant is `= CONSTANT`.
  func hasConstantVersions(_ entry: DefinitionEntry) -> Bool {
    guard let body = entry.variants.first?.body else { return false }
    func constant(_ expr: Expr) -> Bool {
      switch expr.kind {
      case .literal, .quantity: return true
      case .unary(.negate, let inner): return constant(inner)
      case .list(let items): return items.allSatisfy(constant)
      case .braces(let entries): return entries.allSatisfy { constant($0.value) }
      case .name(let name):
        // A bare enum case: not a definition nor the input.
        return definitions[name] == nil && name != inputName && !name.isEmpty
      case .field(let base, _):
        // `Enum.case`.
        if case .name(let name) = base.kind { return enums[name] != nil }
        return false
      default: return false
      }
    }
    switch body.kind {
    case .expression(let expr): return constant(expr)
    case .versions(let versions):
      return versions.allSatisfy {
        if case .expression(let expr) = $0.body.kind { return constant(expr) }
        return false
      }
    default: return false
    }
  }

  mutating func checkReasonOf(_ name: Identifier) -> RType {
    guard definitions[name.text] != nil, isVisible(name.text, in: currentFile) else {
      reportUndefinedName(name.text, at: name.span, expected: nil, scope: [:])
      return .error
    }
    if let currentDefinition { dependencies[currentDefinition, default: []].insert(name.text) }
    guard hasReason(name.text) else {
      report(
        .notAConditionalRule, at: name.span, "`\(name.text)` has no reason code",
        help: "`reason of` applies to `first of` and `all of` definitions")
      return .error
    }
    return .text
  }
}
