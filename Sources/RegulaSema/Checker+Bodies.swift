// Checking definition bodies (`=`, `first of`, `all of`, versions), exceptions and tests.

typealias Scope = [String: RType]

extension Checker {
  mutating func checkDefinition(_ name: String) {
    guard let entry = definitions[name] else { return }
    currentDefinition = name
    currentFile = entry.file
    dependencies[name] = dependencies[name] ?? []
    if entry.parameters != nil {
      // A function: its body, with the parameters in scope, against its declared type.
      var scope: Scope = [:]
      for parameter in functionParameters[name] ?? [] { scope[parameter.name] = parameter.type }
      if case .expression(let body)? = entry.variants.first?.body.kind {
        _ = checkValue(body, expected: definitionTypes[name] ?? .error, scope: scope)
      }
      if let places = entry.places {
        checkPlaces(places, of: entry, type: definitionTypes[name] ?? .error)
      }
      currentDefinition = nil
      return
    }
    var type = definitionTypes[name]
    for variant in entry.variants {
      let found = checkVariant(variant, expected: type)
      if type == nil { type = found }
    }
    definitionTypes[name] = type ?? .error
    if let places = entry.places { checkPlaces(places, of: entry, type: type ?? .error) }
    currentDefinition = nil
  }

  mutating func checkVariant(_ variant: Variant, expected: RType?) -> RType {
    if case .exception(_, let condition, _) = variant.kind {
      checkCondition(condition, scope: [:])
    }
    return checkBody(variant.body, expected: expected)
  }

  mutating func checkBody(_ body: Body, expected: RType?) -> RType {
    switch body.kind {
    case .expression(let expr):
      return checkValue(expr, expected: expected)
    case .firstOf(let cases):
      var type = expected
      for item in cases {
        let scope = checkBinding(item.binding)
        if let condition = item.condition { checkCondition(condition, scope: scope) }
        let found = checkValue(item.value, expected: type, scope: scope)
        if type == nil, !found.isError { type = found }
        checkCitation(item.citation)
      }
      return type ?? .error
    case .allOf(let conditions):
      for item in conditions {
        checkCondition(item.condition, scope: [:])
        checkCitation(item.citation)
        if item.reason.text == "ok" {
          report(
            .reservedReasonCode, at: item.reason.span,
            "`ok` means every condition held; a failed condition cannot give it",
            help: "name why the condition fails, as in `reason income`")
        }
      }
      if let expected, !RType.bool.isAssignable(to: expected) {
        report(
          .typeMismatch, at: body.span,
          "`all of` gives a `Bool`, but the declared type is `\(expected)`",
          help: "use `first of` to choose among values")
      }
      return .bool
    case .versions(let versions):
      var type = expected
      for version in versions {
        let found = checkBody(version.body, expected: type)
        if type == nil, !found.isError { type = found }
      }
      return type ?? .error
    case .brackets:
      // INVARIANT: `scaleVersions` turned brackets into versions when they were collected.
      return .error
    }
  }

  /// Checks a value against an optional expected type.
  mutating func checkValue(_ expr: Expr, expected: RType?, scope: Scope = [:]) -> RType {
    if let expected { return checkExpecting(expr, expected, scope: scope) }
    return check(expr, expected: nil, scope: scope)
  }

  /// `some NAME = EXPR` of a `first of` case: EXPR must be optional, and NAME has its wrapped
  /// type in the case's condition and value.
  mutating func checkBinding(_ binding: CaseBinding?) -> Scope {
    guard let binding else { return [:] }
    let type = check(binding.value, expected: nil, scope: [:])
    switch type {
    case .error: return [binding.name.text: .error]
    case .optional(let wrapped): return [binding.name.text: wrapped]
    default:
      report(
        .typeMismatch, at: binding.value.span,
        "`some \(binding.name.text) = …` needs an optional value, but this is `\(type)`",
        help: "a value that is always present needs no binding: use it in the condition directly")
      return [binding.name.text: .error]
    }
  }

  mutating func checkCondition(_ expr: Expr, scope: Scope) {
    _ = checkExpecting(expr, .bool, scope: scope)
  }

  /// Checks `expr` where a `target` is required and reports a precise mismatch.
  @discardableResult
  mutating func checkExpecting(_ expr: Expr, _ target: RType, scope: Scope) -> RType {
    let found = check(expr, expected: target, scope: scope)
    if !found.isAssignable(to: target) {
      reportMismatch(at: expr.span, found: found, expected: target)
    }
    if let widened = Self.numericWidening(from: found, to: target) { widenings[expr.id] = widened }
    return found.isAssignable(to: target) ? found : target
  }

  /// The wider type a value must be converted to where Int meets Decimal or Money meets
  /// ExactMoney (also inside an optional), so evaluation holds the declared type.
  static func numericWidening(from found: RType, to target: RType) -> RType? {
    switch (found, target) {
    case (.int, .decimal), (.money, .exactMoney): return target
    case (.int, .optional(.decimal)), (.optional(.int), .optional(.decimal)):
      return .optional(.decimal)
    case (.money, .optional(.exactMoney)), (.optional(.money), .optional(.exactMoney)):
      return .optional(.exactMoney)
    default: return nil
    }
  }

  mutating func reportMismatch(at span: SourceSpan, found: RType, expected: RType) {
    switch (found, expected) {
    case (.exactMoney, .money):
      report(
        .unroundedMoney, at: span,
        "this amount may be a fraction of a fen and must be rounded to become `Money`",
        help:
          "round it with a named mode, as in `round(…, half_up)`; modes: \(Builtins.roundingModeList)"
      )
    case (.optional(let wrapped), _) where wrapped.isAssignable(to: expected):
      report(
        .unhandledOptional, at: span,
        "this value may be `none` (its type is `\(found)`), but `\(expected)` is needed",
        help: "give a default with `?? VALUE`, or `match` on `none` and `some`")
    case _ where found.isDuration && expected.isDuration:
      report(
        .mixedDurations, at: span, "expected `\(expected)`, found `\(found)`",
        help: "days, months and years are never converted silently; use `to_months(…)` for years")
    default:
      report(
        .typeMismatch, at: span, "expected `\(expected)`, found `\(found)`",
        help: Self.mismatchHelp(found: found, expected: expected))
    }
  }

  /// The likely fix of a plain type mismatch, where there is one: a bare number where an
  /// amount or a duration belongs needs its unit; a number where a Bool belongs, a comparison.
  static func mismatchHelp(found: RType, expected: RType) -> String? {
    var target = expected
    if case .optional(let wrapped) = expected { target = wrapped }
    switch (found, target) {
    case (.int, .money), (.int, .exactMoney), (.decimal, .exactMoney):
      return "an amount needs its unit: write `600 yuan` or `60000 fen`, or convert with `yuan(…)`"
    case (.int, .years): return "a duration needs its unit: write `3 years`, or `years(…)`"
    case (.int, .months): return "a duration needs its unit: write `6 months`, or `months(…)`"
    case (.int, .days): return "a duration needs its unit: write `30 days`, or `days(…)`"
    case (.money, .int): return "take the number of fen with `number(…)`"
    case (.years, .int), (.months, .int), (.days, .int):
      return "take the count with `number(…)`"
    case (.int, .bool), (.money, .bool), (.decimal, .bool):
      return "a condition compares: write `x > 0`, `x == 1` (`==`, not `=`)"
    case (.bool, .int): return "count a condition with `if … then 1 else 0`"
    case (.text, .enumeration(let name)):
      return "write the case of `\(name)` without quotes"
    default: return nil
    }
  }

  // MARK: Tests

  mutating func checkTest(_ test: TestDecl) {
    currentDefinition = nil
    if let code = test.jurisdiction { checkTestJurisdiction(code) }
    if let input, let inputName {
      if case .braces(let entries) = test.given.kind {
        checkRecordEntries(entries, record: input, partial: true, span: test.given.span, scope: [:])
        types[test.given.id] = .record(inputName)
      } else if case .error = test.given.kind {
      } else {
        report(
          .invalidTestInput, at: test.given.span,
          "a test's `given` is a `{ field: value … }` of the input",
          help: "list the fields of `input \(inputName)` inside braces")
      }
    }
    for expectation in test.expectations { checkExpectation(expectation) }
  }

  mutating func checkExpectation(_ expectation: Expectation) {
    guard let entry = definitions[expectation.name.text], entry.kind == .decision else {
      let decisions = definitionOrder.filter { definitions[$0]?.kind == .decision }
      report(
        .undefinedDecision, at: expectation.name.span,
        "`\(expectation.name.text)` is not a decision",
        help: Suggestions.help(Suggestions.closest(to: expectation.name.text, among: decisions))
          ?? "tests expect values of `decision` definitions")
      return
    }
    let type = definitionTypes[expectation.name.text] ?? .error
    if let value = expectation.value { checkExpecting(value, type, scope: [:]) }
    if let reason = expectation.reason, !hasReason(expectation.name.text) {
      report(
        .notAConditionalRule, at: reason.span, "`\(expectation.name.text)` has no reason code",
        help: "only `first of` and `all of` definitions give reasons")
    }
  }

  func hasReason(_ name: String) -> Bool {
    guard let entry = definitions[name] else { return false }
    return CheckedDefinition(
      kind: entry.kind, name: name, type: .error, citation: nil, span: entry.span,
      variants: entry.variants, dependencies: []
    ).hasReason
  }
}
