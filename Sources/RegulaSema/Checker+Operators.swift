// Operators, conditionals, matches, aggregates and literals with structure.

extension Checker {
  mutating func checkUnary(_ op: UnaryOperator, _ operand: Expr, at span: SourceSpan, scope: Scope)
    -> RType
  {
    switch op {
    case .not:
      checkCondition(operand, scope: scope)
      return .bool
    case .negate:
      let type = check(operand, expected: nil, scope: scope)
      if type.isError || type.isNumeric || type.isMoneyLike || type.isDuration { return type }
      report(.invalidOperands, at: span, "cannot negate a `\(type)`")
      return .error
    }
  }

  mutating func checkBinary(
    _ op: BinaryOperator, _ left: Expr, _ right: Expr, at span: SourceSpan, scope: Scope
  ) -> RType {
    switch op {
    case .and, .or:
      checkCondition(left, scope: scope)
      checkCondition(right, scope: scope)
      return .bool
    case .coalesce:
      return checkCoalesce(left, right, scope: scope)
    case .in:
      let element = check(left, expected: nil, scope: scope)
      let list = check(right, expected: .list(element), scope: scope)
      guard case .list(let listElement) = list else {
        if !list.isError {
          report(.notAList, at: right.span, "`in` needs a list on the right; this is `\(list)`")
        }
        return .bool
      }
      if !element.isAssignable(to: listElement) && !listElement.isAssignable(to: element) {
        report(.invalidOperands, at: span, "cannot look for a `\(element)` in a `\(list)`")
      }
      return .bool
    case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual:
      return checkComparison(op, left, right, at: span, scope: scope)
    case .add, .subtract, .multiply, .divide:
      let leftType = check(left, expected: nil, scope: scope)
      let rightType = check(right, expected: nil, scope: scope)
      if leftType.isError || rightType.isError { return .error }
      if let result = Arithmetic.result(op, leftType, rightType) { return result }
      reportArithmetic(op, leftType, rightType, at: span)
      return .error
    }
  }

  mutating func checkCoalesce(_ left: Expr, _ right: Expr, scope: Scope) -> RType {
    let leftType = check(left, expected: nil, scope: scope)
    switch leftType {
    case .optional(let wrapped):
      // `a ?? b` with `b: T` is a `T`; with `b: T?` it stays optional.
      let rightType = check(right, expected: wrapped, scope: scope)
      if let widened = Self.numericWidening(from: rightType, to: wrapped) {
        widenings[right.id] = widened
      } else if let widened = Self.numericWidening(from: rightType, to: leftType) {
        widenings[right.id] = widened
      }
      if rightType.isAssignable(to: wrapped) { return wrapped }
      if rightType.isAssignable(to: leftType) { return leftType }
      reportMismatch(at: right.span, found: rightType, expected: wrapped)
      return wrapped
    case .noneLiteral:
      return check(right, expected: nil, scope: scope)
    case .error:
      _ = check(right, expected: nil, scope: scope)
      return .error
    default:
      report(
        .typeMismatch, at: left.span,
        "`??` gives a default for an optional value; this is `\(leftType)`",
        help: "remove `?? …`: a `\(leftType)` is never `none`")
      _ = check(right, expected: nil, scope: scope)
      return leftType
    }
  }

  mutating func checkComparison(
    _ op: BinaryOperator, _ left: Expr, _ right: Expr, at span: SourceSpan, scope: Scope
  ) -> RType {
    var leftType = check(left, expected: nil, scope: scope)
    let rightType = check(right, expected: leftType.isError ? nil : leftType, scope: scope)
    if leftType.isError, case .name = left.kind, !rightType.isError {
      // A bare enum case on the left: retry with the right side's type as context.
      diagnostics.removeAll { $0.span == left.span && $0.code == .undefinedName }
      leftType = check(left, expected: rightType, scope: scope)
    }
    if leftType.isError || rightType.isError { return .bool }
    let compatible = leftType.isAssignable(to: rightType) || rightType.isAssignable(to: leftType)
    if op == .equal || op == .notEqual {
      if !compatible { reportComparison(op, leftType, rightType, at: span) }
      return .bool
    }
    if !leftType.isOrdered || !rightType.isOrdered || !compatible {
      reportComparison(op, leftType, rightType, at: span)
    }
    return .bool
  }

  mutating func reportComparison(
    _ op: BinaryOperator, _ left: RType, _ right: RType, at span: SourceSpan
  ) {
    if left.isDuration && right.isDuration {
      report(
        .mixedDurations, at: span, "cannot compare `\(left)` with `\(right)`",
        help: "days, months and years are never converted silently; use `to_months(…)` for years")
    } else if left == right || left.isAssignable(to: right) || right.isAssignable(to: left) {
      report(
        .notComparable, at: span,
        "`\(left)` values have no order; `\(op.rawValue)` needs numbers, money, dates or durations",
        help: "compare such values with `==`, `!=` or `in [a, b]`")
    } else {
      report(
        .invalidOperands, at: span, "cannot compare `\(left)` with `\(right)`",
        help: Arithmetic.help(left, right))
    }
  }

  mutating func reportArithmetic(
    _ op: BinaryOperator, _ left: RType, _ right: RType, at span: SourceSpan
  ) {
    if left.isDuration && right.isDuration {
      report(
        .mixedDurations, at: span, "cannot apply `\(op.rawValue)` to `\(left)` and `\(right)`",
        help: "days, months and years are never converted silently; use `to_months(…)` for years")
      return
    }
    var help = Arithmetic.help(left, right)
    if left == .date && right == .date && op == .subtract {
      help = "use `days_between(a, b)`, `months_between(a, b)` or `years_between(a, b)`"
    }
    report(
      .invalidOperands, at: span, "cannot apply `\(op.rawValue)` to `\(left)` and `\(right)`",
      help: help)
  }

  mutating func checkIf(
    _ condition: Expr, _ then: Expr, _ otherwise: Expr, expected: RType?, scope: Scope
  ) -> RType {
    checkCondition(condition, scope: scope)
    if let expected {
      checkExpecting(then, expected, scope: scope)
      checkExpecting(otherwise, expected, scope: scope)
      return expected
    }
    let thenType = check(then, expected: nil, scope: scope)
    let elseType = check(otherwise, expected: thenType.isError ? nil : thenType, scope: scope)
    return unify(thenType, elseType, at: otherwise.span)
  }

  /// The common type of two branches: the wider of the two when one widens to the other.
  mutating func unify(_ a: RType, _ b: RType, at span: SourceSpan) -> RType {
    if a.isError || b.isError { return a.isError ? b : a }
    // `none` joins a plain value into its optional: `if c then none else 3` is an `Int?`.
    if a == .noneLiteral, b != .noneLiteral { return b.isOptional ? b : .optional(b) }
    if b == .noneLiteral, a != .noneLiteral { return a.isOptional ? a : .optional(a) }
    if b.isAssignable(to: a) { return a }
    if a.isAssignable(to: b) { return b }
    reportMismatch(at: span, found: b, expected: a)
    return .error
  }

  // MARK: match

  mutating func checkMatch(
    _ subject: Expr, _ arms: [MatchArm], at span: SourceSpan, expected: RType?, scope: Scope
  ) -> RType {
    let subjectType = check(subject, expected: nil, scope: scope)
    var result = expected
    for arm in arms {
      var inner = scope
      checkPatterns(arm.patterns, subject: subjectType, scope: &inner)
      let type = checkValue(arm.value, expected: result, scope: inner)
      if result == nil, !type.isError { result = type }
    }
    checkExhaustive(arms, subject: subjectType, subjectSpan: subject.span, at: span)
    return result ?? .error
  }

  mutating func checkPatterns(_ patterns: [Pattern], subject: RType, scope: inout Scope) {
    for pattern in patterns {
      switch (pattern.kind, subject) {
      case (.otherwise, _), (_, .error): continue
      case (.enumCase(let name), .enumeration(let enumName)):
        if enums[enumName]?.hasCase(name) != true {
          report(
            .undefinedEnumCase, at: pattern.span, "`\(enumName)` has no case `\(name)`",
            help: Suggestions.help(
              Suggestions.closest(to: name, among: enums[enumName]?.cases ?? [])))
        }
      case (.none, .optional): continue
      case (.some(let binder), .optional(let wrapped)): scope[binder.text] = wrapped
      default:
        report(
          .typeMismatch, at: pattern.span, "this pattern cannot match a `\(subject)`",
          help: "enums match their case names; optionals match `none` and `some NAME`")
      }
    }
  }

  /// Every case is covered exactly once, or an `otherwise` arm comes last.
  mutating func checkExhaustive(
    _ arms: [MatchArm], subject: RType, subjectSpan: SourceSpan, at span: SourceSpan
  ) {
    let all: [String]
    switch subject {
    case .enumeration(let name): all = enums[name]?.cases ?? []
    case .optional: all = ["none", "some"]
    case .error: return
    default:
      report(
        .typeMismatch, at: subjectSpan,
        "`match` needs an enum or an optional value; this is `\(subject)`")
      return
    }
    var covered = Set<String>()
    var sawOtherwise = false
    for pattern in arms.flatMap(\.patterns) {
      let key: String
      switch pattern.kind {
      case .otherwise: key = "otherwise"
      case .enumCase(let name): key = name
      case .none: key = "none"
      case .some: key = "some"
      }
      if sawOtherwise || (key != "otherwise" && covered.contains(key)) {
        report(
          .unreachableMatchArm, at: pattern.span,
          "this pattern can never match: an earlier arm covers it",
          help: "remove it, or move it above the arm that covers it (`otherwise` goes last)")
      }
      if key == "otherwise" { sawOtherwise = true } else { covered.insert(key) }
    }
    let missing = all.filter { !covered.contains($0) }
    if !sawOtherwise && !missing.isEmpty {
      report(
        .nonExhaustiveMatch, at: span,
        "`match` does not cover " + missing.map { "`\($0)`" }.joined(separator: ", "),
        help: "add an arm for each missing case, or an `otherwise:` arm")
    }
  }

  // MARK: Aggregates and literals

  mutating func checkAggregate(_ aggregate: Aggregate, at span: SourceSpan, scope: Scope) -> RType {
    let sourceType = check(aggregate.source, expected: nil, scope: scope)
    var element = RType.error
    if case .list(let inner) = sourceType {
      element = inner
    } else if !sourceType.isError {
      report(
        .notAList, at: aggregate.source.span,
        "`\(aggregate.kind.rawValue)` runs over a list; this is `\(sourceType)`",
        help:
          "name a `List<…>`: a list field of the application, or a rule or parameter that is one")
    }
    var inner = scope
    inner[aggregate.binder.text] = element
    if let filter = aggregate.filter { checkCondition(filter, scope: inner) }
    let mapped = aggregate.element.map { check($0, expected: nil, scope: inner) } ?? element
    let result = aggregateResult(
      aggregate.kind, hasElement: aggregate.element != nil, hasFilter: aggregate.filter != nil,
      mapped: mapped, element: element, at: span)
    // Over a list known to hold an element, with no filter, `first`, `last`, `min` and `max`
    // always find one: their value is not optional.
    switch aggregate.kind {
    case .first, .last, .min, .max:
      if aggregate.filter == nil, !mapped.isOptional, case .optional(let wrapped) = result,
        isKnownNonEmpty(aggregate.source)
      {
        return wrapped
      }
    default: break
    }
    return result
  }

  /// True for a list that cannot be empty: a list literal with items, or a list field of the
  /// application (reached through fields from the input, so its bounds were checked when it was
  /// read) whose declared length is at least 1 (`length 1 to 20`, `length at least 1`). A list
  /// built by a rule or literal record is not checked against its fields' bounds, so it does not
  /// count.
  func isKnownNonEmpty(_ expr: Expr) -> Bool {
    switch expr.kind {
    case .list(let items): return !items.isEmpty
    case .field(let base, let name):
      guard isInputPath(base), case .record(let recordName)? = types[base.id],
        let constraint = recordInfo(recordName)?.field(name.text)?.constraint,
        constraint.kind == .length, let low = constraint.low,
        case .literal(.integer(let digits)) = low.kind,
        let least = Int(digits.filter { $0 != "_" })
      else { return false }
      return least >= 1
    default: return false
    }
  }

  /// True for the input itself and its fields, fields of fields, and so on.
  func isInputPath(_ expr: Expr) -> Bool {
    switch expr.kind {
    case .name: if case .input? = resolutions[expr.id] { return true } else { return false }
    case .field(let base, _): return isInputPath(base)
    default: return false
    }
  }

  mutating func aggregateResult(
    _ kind: Aggregate.Kind, hasElement: Bool, hasFilter: Bool, mapped: RType, element: RType,
    at span: SourceSpan
  ) -> RType {
    let name = kind.rawValue
    switch kind {
    case .count, .any, .all, .filter:
      if hasElement {
        report(
          .wrongArguments, at: span, "`\(name)` takes `NAME in LIST where CONDITION`, not `… for …`"
        )
      }
      if kind != .count && !hasFilter {
        report(
          .wrongArguments, at: span,
          "`\(name)` needs a condition: `\(name)(x in LIST where CONDITION)`")
      }
      switch kind {
      case .count: return .int
      case .filter: return element.isError ? .error : .list(element)
      default: return .bool
      }
    case .map:
      if !hasElement {
        report(
          .wrongArguments, at: span,
          "`map` gives a value for each element: `map(VALUE for x in LIST)`",
          help: "to keep the elements themselves, use `filter(x in LIST where CONDITION)`")
      }
      return mapped.isError ? .error : .list(mapped)
    case .first, .last:
      if !hasElement && !hasFilter {
        report(
          .wrongArguments, at: span,
          "`\(name)` needs a condition or a mapped value: `\(name)(x in LIST where CONDITION)`")
      }
      return mapped.isError ? .error : (mapped.isOptional ? mapped : .optional(mapped))
    case .sum:
      if mapped.isError || mapped.isNumeric || mapped.isMoneyLike || mapped.isDuration {
        return mapped
      }
      // `sum(e for x in L)` with `e: T?` is a `T?`: none as soon as one element's `e` is.
      if hasElement, case .optional(let inner) = mapped,
        inner.isNumeric || inner.isMoneyLike || inner.isDuration
      {
        return mapped
      }
      report(.invalidOperands, at: span, "cannot add up `\(mapped)` values")
      return .error
    case .min, .max:
      if mapped.isError { return .error }
      if mapped.isOrdered { return .optional(mapped) }
      report(
        .notComparable, at: span, "`\(mapped)` values have no order, so `\(name)` is undefined")
      return .error
    }
  }

  mutating func checkList(_ items: [Expr], expected: RType?, scope: Scope) -> RType {
    var element: RType?
    if case .list(let inner)? = expected { element = inner }
    for item in items {
      let type = checkValue(item, expected: element, scope: scope)
      if element == nil, !type.isError { element = type }
    }
    return .list(element ?? .error)
  }

  mutating func checkBraces(_ entries: [Entry], at span: SourceSpan, expected: RType?, scope: Scope)
    -> RType
  {
    switch expected {
    case .record(let name)?:
      if let info = recordInfo(name) {
        checkRecordEntries(entries, record: info, partial: false, span: span, scope: scope)
      }
      return .record(name)
    case .table(let key, let value)?:
      checkTableEntries(entries, key: key, value: value, span: span, scope: scope)
      return .table(key: key, value: value)
    case .optional(let wrapped)?:
      return checkBraces(entries, at: span, expected: wrapped, scope: scope)
    case .error?:
      for entry in entries { _ = check(entry.value, expected: .error, scope: scope) }
      return .error
    default:
      report(
        .typeMismatch, at: span, "cannot tell whether these braces are a record or a table",
        help: "give the definition a declared type, such as `: Member` or `: Money by Province`")
      for entry in entries { _ = check(entry.value, expected: nil, scope: scope) }
      return .error
    }
  }

  mutating func checkRecordEntries(
    _ entries: [Entry], record: RecordInfo, partial: Bool, span: SourceSpan, scope: Scope
  ) {
    var seen = Set<String>()
    for entry in entries {
      guard let key = entry.key else {
        report(.typeMismatch, at: entry.span, "a record has no `otherwise` entry")
        continue
      }
      if !seen.insert(key.text).inserted {
        report(.duplicateField, at: key.span, "field `\(key.text)` is given twice")
      }
      guard let field = record.field(key.text) else {
        report(
          .undefinedField, at: key.span, "`\(record.name)` has no field `\(key.text)`",
          help: Suggestions.help(
            Suggestions.closest(to: key.text, among: record.fields.map(\.name))))
        _ = check(entry.value, expected: nil, scope: scope)
        continue
      }
      checkExpecting(entry.value, field.type, scope: scope)
    }
    let missing = record.fields.filter { !seen.contains($0.name) && $0.defaultValue == nil }
    if !partial, !missing.isEmpty {
      report(
        .missingField, at: span,
        "missing " + missing.map { "`\($0.name)`" }.joined(separator: ", ")
          + " for `\(record.name)`",
        help: "give every field of `\(record.name)`, as in `{ "
          + missing.prefix(2).map { "\($0.name): …" }.joined(separator: ", ") + " }`")
    }
  }

  mutating func checkTableEntries(
    _ entries: [Entry], key: String, value: RType, span: SourceSpan, scope: Scope
  ) {
    let info = enums[key]
    let cases = info?.cases ?? []
    var seen = Set<String>()
    var hasDefault = false
    for entry in entries {
      checkExpecting(entry.value, value, scope: scope)
      guard let name = entry.key else {
        hasDefault = true
        continue
      }
      if info?.hasCase(name.text) != true {
        report(
          .undefinedEnumCase, at: name.span, "`\(key)` has no case `\(name.text)`",
          help: Suggestions.help(Suggestions.closest(to: name.text, among: cases)))
      } else if !seen.insert(name.text).inserted {
        report(.duplicateField, at: name.span, "`\(name.text)` is given twice in this table")
      }
    }
    let missing = cases.filter { !seen.contains($0) }
    if !hasDefault, !missing.isEmpty {
      report(
        .incompleteTable, at: span,
        "the table has no value for " + missing.map { "`\($0)`" }.joined(separator: ", "),
        help: "give every case of `\(key)`, or add `otherwise: VALUE`")
    }
  }
}
