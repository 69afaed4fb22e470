// Builtin functions: rounding, dates, conversions, and aggregates over plain lists.

/// The rounding modes, as written in `round(x, MODE)`.
public enum RoundingModeName: String, CaseIterable, Sendable {
  case halfUp = "half_up", halfEven = "half_even", down, up, floor, ceiling
}

/// How `add(date, duration, POLICY)` resolves a day that does not exist in the target month.
public enum DateOverflowName: String, CaseIterable, Sendable {
  case endOfMonth = "end_of_month", startOfNextMonth = "start_of_next_month"
}

enum Builtins {
  static let names: [String] = [
    "abs", "add", "age", "as_of_date", "count", "date", "day", "days", "days_between", "decimal",
    "fen", "first_day_of_month", "first_day_of_year", "last_day_of_month", "last_day_of_year",
    "map", "marginal_amount", "marginal_rate", "max", "min", "month", "months", "months_between",
    "number", "round", "single_amount", "sum", "to_months", "year", "years", "years_between",
    "yuan",
  ]

  static var roundingModeList: String {
    RoundingModeName.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ")
  }
}

extension Checker {
  mutating func checkCall(
    _ name: Identifier, _ arguments: [Expr], at span: SourceSpan, expected: RType?, scope: Scope
  ) -> RType {
    if !Builtins.names.contains(name.text), let entry = definitions[name.text],
      isVisible(name.text, in: currentFile)
    {
      return checkFunctionCall(entry, name, arguments, at: span, scope: scope)
    }
    switch name.text {
    case "round": return checkRound(arguments, at: span, scope: scope)
    case "add": return checkAddDate(arguments, at: span, scope: scope)
    case "age", "years_between":
      return checkDates(name.text, arguments, result: .years, at: span, scope: scope)
    case "months_between":
      return checkDates(name.text, arguments, result: .months, at: span, scope: scope)
    case "days_between":
      return checkDates(name.text, arguments, result: .days, at: span, scope: scope)
    case "year", "month", "day":
      return checkSignature(name.text, arguments, [.date], result: .int, at: span, scope: scope)
    case "as_of_date":
      return checkSignature(name.text, arguments, [], result: .date, at: span, scope: scope)
    case "first_day_of_month", "last_day_of_month", "first_day_of_year", "last_day_of_year":
      return checkSignature(name.text, arguments, [.date], result: .date, at: span, scope: scope)
    case "date":
      for argument in arguments {
        if case .literal(.integer(let text)) = argument.kind {
          let plain = text.filter { $0 != "_" }
          if Int64(plain) == nil {
            report(
              .invalidNumber, at: argument.span,
              "\(plain) is out of range for a year, month or day",
              help: "years run from 1 to 9999, months from 1 to 12, days from 1 to 31")
          }
        }
      }
      return checkSignature(
        name.text, arguments, [.int, .int, .int], result: .date, at: span, scope: scope)
    case "days", "months", "years", "fen", "decimal":
      if name.text != "fen", name.text != "decimal", arguments.count == 1,
        case .literal(.integer(let text)) = arguments[0].kind
      {
        checkDurationCount(text, name.text, at: arguments[0].span)
      }
      let results: [String: RType] = [
        "days": .days, "months": .months, "years": .years, "fen": .money, "decimal": .decimal,
      ]
      return checkSignature(
        name.text, arguments, [.int], result: results[name.text]!, at: span, scope: scope)
    case "to_months":
      return checkSignature(name.text, arguments, [.years], result: .months, at: span, scope: scope)
    case "yuan": return checkYuan(arguments, at: span, scope: scope)
    case "number": return checkNumber(arguments, at: span, scope: scope)
    case "abs": return checkAbs(arguments, at: span, scope: scope)
    case "min", "max": return checkMinMax(name.text, arguments, at: span, scope: scope)
    case "count", "sum": return checkListFunction(name.text, arguments, at: span, scope: scope)
    case "marginal_rate", "single_amount", "marginal_amount":
      return checkScale(name.text, arguments, at: span, scope: scope)
    default:
      for argument in arguments { _ = check(argument, expected: nil, scope: scope) }
      report(
        .undefinedName, at: name.span, "undefined function `\(name.text)`",
        help: Suggestions.help(Suggestions.closest(to: name.text, among: Builtins.names))
          ?? "the functions are listed in Docs/language.md, \"Builtin functions\"")
      return .error
    }
  }

  /// A call of a function of the policy: one argument per parameter, each assignable to the
  /// parameter's type; the call has the function's declared type.
  mutating func checkFunctionCall(
    _ entry: DefinitionEntry, _ name: Identifier, _ arguments: [Expr], at span: SourceSpan,
    scope: Scope
  ) -> RType {
    guard entry.parameters != nil else {
      for argument in arguments { _ = check(argument, expected: nil, scope: scope) }
      report(
        .wrongArguments, at: name.span,
        "`\(name.text)` is a \(entry.kind.rawValue), not a function; it takes no arguments",
        help: "write `\(name.text)` without parentheses")
      return .error
    }
    if let currentDefinition { dependencies[currentDefinition, default: []].insert(name.text) }
    let parameters = functionParameters[name.text] ?? []
    if arguments.count != parameters.count {
      for argument in arguments { _ = check(argument, expected: nil, scope: scope) }
      let list = parameters.map { "\($0.name): \($0.type)" }.joined(separator: ", ")
      report(
        .wrongArguments, at: span,
        "`\(name.text)` takes \(parameters.count) argument\(parameters.count == 1 ? "" : "s"), "
          + "but \(arguments.count) \(arguments.count == 1 ? "is" : "are") given",
        help: "call it as `\(name.text)(\(list))`")
      return definitionTypes[name.text] ?? .error
    }
    for (argument, parameter) in zip(arguments, parameters) {
      _ = checkExpecting(argument, parameter.type, scope: scope)
    }
    return definitionTypes[name.text] ?? .error
  }

  /// Checks a fixed argument count and types.
  mutating func checkSignature(
    _ name: String, _ arguments: [Expr], _ parameters: [RType], result: RType, at span: SourceSpan,
    scope: Scope
  ) -> RType {
    guard arguments.count == parameters.count else {
      return wrongCount(
        name, arguments, expected: parameters.map(\.description), at: span, scope: scope)
    }
    for (argument, parameter) in zip(arguments, parameters) {
      checkExpecting(argument, parameter, scope: scope)
    }
    return result
  }

  mutating func wrongCount(
    _ name: String, _ arguments: [Expr], expected: [String], at span: SourceSpan, scope: Scope
  ) -> RType {
    for argument in arguments { _ = check(argument, expected: nil, scope: scope) }
    report(
      .wrongArguments, at: span,
      "`\(name)` takes \(expected.count) argument\(expected.count == 1 ? "" : "s"), not \(arguments.count)",
      help: "write `\(name)(" + expected.joined(separator: ", ") + ")`")
    return .error
  }

  mutating func checkDates(
    _ name: String, _ arguments: [Expr], result: RType, at span: SourceSpan, scope: Scope
  ) -> RType {
    checkSignature(name, arguments, [.date, .date], result: result, at: span, scope: scope)
  }

  /// A mode argument is a bare word from a fixed list, not an expression.
  mutating func checkWord<Word: RawRepresentable & CaseIterable>(
    _ argument: Expr, as: Word.Type, what: String
  ) -> Word? where Word.RawValue == String {
    let options = Word.allCases.map(\.rawValue)
    if case .name(let word) = argument.kind, let value = Word(rawValue: word) {
      types[argument.id] = .text
      return value
    }
    let written = if case .name(let word) = argument.kind { word } else { "" }
    report(
      .wrongArguments, at: argument.span,
      "expected \(what) (" + options.map { "`\($0)`" }.joined(separator: ", ") + ")",
      help: Suggestions.help(Suggestions.closest(to: written, among: options)))
    return nil
  }

  mutating func checkRound(_ arguments: [Expr], at span: SourceSpan, scope: Scope) -> RType {
    guard arguments.count == 2 || arguments.count == 3 else {
      return wrongCount("round", arguments, expected: ["VALUE", "MODE"], at: span, scope: scope)
    }
    let value = check(arguments[0], expected: nil, scope: scope)
    _ = checkWord(arguments[1], as: RoundingModeName.self, what: "a rounding mode")
    if arguments.count == 3 { return checkRoundTo(value, arguments[2], scope: scope) }
    switch value {
    case .money, .exactMoney: return .money
    case .int, .decimal: return .int
    case .error: return .error
    default:
      report(.invalidOperands, at: arguments[0].span, "cannot round a `\(value)`")
      return .error
    }
  }

  /// `round(x, MODE, 2)` to places, or `round(x, MODE, 1 yuan)` to a multiple of money.
  mutating func checkRoundTo(_ value: RType, _ target: Expr, scope: Scope) -> RType {
    let targetType = check(target, expected: nil, scope: scope)
    switch (value, targetType) {
    case (.error, _), (_, .error): return .error
    case (.money, .money), (.exactMoney, .money):
      if let sign = Self.constantSign(target), sign <= 0 {
        report(
          .wrongArguments, at: target.span, "the rounding step must be an amount above zero",
          help: "round to a positive multiple, as in `round(x, half_up, 10 fen)`")
      }
      return .money
    case (.int, .int), (.decimal, .int):
      guard case .literal(.integer(let text)) = target.kind, let places = Int(text), places <= 30
      else {
        report(
          .wrongArguments, at: target.span,
          "the number of decimal places is a whole-number literal up to 30")
        return .error
      }
      _ = places
      return .decimal
    default:
      report(
        .invalidOperands, at: target.span, "cannot round a `\(value)` to a `\(targetType)`",
        help:
          "round numbers to decimal places (`round(x, half_up, 2)`) and money to an amount (`round(x, half_up, 1 yuan)`)"
      )
      return .error
    }
  }

  /// The sign of a constant amount written as a literal (`10 fen`, `-1 yuan`, `fen(-10)`),
  /// or nil when the expression is not such a literal.
  static func constantSign(_ expr: Expr) -> Int? {
    switch expr.kind {
    case .quantity(.integer(let text), _), .literal(.integer(let text)):
      return text.allSatisfy { $0 == "0" || $0 == "_" } ? 0 : 1
    case .quantity(.decimal(let text), _), .literal(.decimal(let text)):
      return text.allSatisfy { $0 == "0" || $0 == "_" || $0 == "." } ? 0 : 1
    case .unary(.negate, let inner): return constantSign(inner).map { -$0 }
    case .call(let name, let arguments) where ["fen", "yuan"].contains(name.text):
      return arguments.count == 1 ? constantSign(arguments[0]) : nil
    default: return nil
    }
  }

  mutating func checkAddDate(_ arguments: [Expr], at span: SourceSpan, scope: Scope) -> RType {
    guard arguments.count == 3 else {
      return wrongCount(
        "add", arguments, expected: ["Date", "DURATION", "end_of_month"], at: span, scope: scope)
    }
    checkExpecting(arguments[0], .date, scope: scope)
    let duration = check(arguments[1], expected: nil, scope: scope)
    if !duration.isDuration && !duration.isError {
      report(
        .typeMismatch, at: arguments[1].span,
        "expected `Days`, `Months` or `Years`, found `\(duration)`")
    }
    _ = checkWord(arguments[2], as: DateOverflowName.self, what: "how to resolve a missing day")
    return .date
  }

  mutating func checkYuan(_ arguments: [Expr], at span: SourceSpan, scope: Scope) -> RType {
    guard arguments.count == 1 else {
      return wrongCount("yuan", arguments, expected: ["Int"], at: span, scope: scope)
    }
    switch check(arguments[0], expected: nil, scope: scope) {
    case .int: return .money
    case .decimal: return .exactMoney
    case .error: return .error
    case let other:
      report(.typeMismatch, at: arguments[0].span, "expected `Int` or `Decimal`, found `\(other)`")
      return .error
    }
  }

  mutating func checkNumber(_ arguments: [Expr], at span: SourceSpan, scope: Scope) -> RType {
    guard arguments.count == 1 else {
      return wrongCount("number", arguments, expected: ["Money"], at: span, scope: scope)
    }
    let type = check(arguments[0], expected: nil, scope: scope)
    if type.isError || type == .money || type.isDuration { return .int }
    report(
      .typeMismatch, at: arguments[0].span,
      "`number` gives the count of fen, days, months or years; this is `\(type)`")
    return .error
  }

  mutating func checkAbs(_ arguments: [Expr], at span: SourceSpan, scope: Scope) -> RType {
    guard arguments.count == 1 else {
      return wrongCount("abs", arguments, expected: ["VALUE"], at: span, scope: scope)
    }
    let type = check(arguments[0], expected: nil, scope: scope)
    if type.isError || type.isNumeric || type.isMoneyLike || type.isDuration { return type }
    report(.invalidOperands, at: arguments[0].span, "cannot take the absolute value of a `\(type)`")
    return .error
  }

  mutating func checkMinMax(_ name: String, _ arguments: [Expr], at span: SourceSpan, scope: Scope)
    -> RType
  {
    if arguments.count == 1 { return checkListFunction(name, arguments, at: span, scope: scope) }
    guard arguments.count >= 2 else {
      return wrongCount(name, arguments, expected: ["A", "B"], at: span, scope: scope)
    }
    var result = check(arguments[0], expected: nil, scope: scope)
    for argument in arguments.dropFirst() {
      let type = check(argument, expected: result.isError ? nil : result, scope: scope)
      result = unify(result, type, at: argument.span)
    }
    if !result.isError && !result.isOrdered {
      report(
        .notComparable, at: span, "`\(result)` values have no order, so `\(name)` is undefined")
      return .error
    }
    return result
  }

  /// `count(list)`, `sum(list)`, `min(list)`, `max(list)` over a list value.
  mutating func checkListFunction(
    _ name: String, _ arguments: [Expr], at span: SourceSpan, scope: Scope
  ) -> RType {
    guard arguments.count == 1 else {
      return wrongCount(name, arguments, expected: ["LIST"], at: span, scope: scope)
    }
    let type = check(arguments[0], expected: nil, scope: scope)
    guard case .list(let element) = type else {
      if !type.isError {
        report(.notAList, at: arguments[0].span, "`\(name)` needs a list; this is `\(type)`")
      }
      return name == "count" ? .int : .error
    }
    return aggregateResult(
      name == "count" ? .count : name == "sum" ? .sum : name == "min" ? .min : .max,
      hasElement: false, hasFilter: false, mapped: element, element: element, at: span)
  }

  /// `marginal_rate(SCALE, BASE)`, `single_amount(SCALE, BASE)`, `marginal_amount(SCALE, BASE)`:
  /// a scale is a list of brackets, records with a `threshold` (Int, Decimal or Money) and a
  /// `rate` (Int or Decimal) or an `amount` (Int, Decimal, Money or ExactMoney); the base is
  /// compared with the thresholds (Int and Decimal mix). See `ScaleShape`.
  mutating func checkScale(_ name: String, _ arguments: [Expr], at span: SourceSpan, scope: Scope)
    -> RType
  {
    guard arguments.count == 2 else {
      return wrongCount(name, arguments, expected: ["SCALE", "BASE"], at: span, scope: scope)
    }
    let valueField = name == "marginal_rate" ? "rate" : "amount"
    let scaleType = check(arguments[0], expected: nil, scope: scope)
    let shape = scaleShape(scaleType, valueField: valueField)
    let base = check(arguments[1], expected: shape?.threshold, scope: scope)
    if scaleType.isError || base.isError { return .error }
    guard let shape else {
      let value =
        valueField == "rate" ? "a `rate` (Int or Decimal)" : "an `amount` (a number or money)"
      report(
        .invalidScale, at: arguments[0].span,
        "`\(name)` needs a scale: a list of brackets with a `threshold` (Int, Decimal or Money) "
          + "and \(value); this is `\(scaleType)`",
        help:
          "declare a record such as `record Bracket { threshold: Decimal, \(valueField): Decimal }` "
          + "and a `parameter S: List<Bracket>` (Docs/language.md §13.1)")
      return .error
    }
    guard let join = ScaleShape.join(shape.threshold, base) else {
      report(
        .invalidScale, at: arguments[1].span,
        "the base of `\(name)` is compared with thresholds of type `\(shape.threshold)`; "
          + "this is `\(base)`",
        help: base == .exactMoney ? "round the base to whole fen first" : nil)
      return .error
    }
    switch name {
    case "marginal_rate":
      let part = Arithmetic.result(.subtract, join, join) ?? join
      return Arithmetic.result(.multiply, shape.value, part) ?? .error
    default: return shape.value
    }
  }

  /// The shape of a scale's brackets, or nil when `type` is not a list of such records.
  func scaleShape(_ type: RType, valueField: String) -> ScaleShape? {
    guard case .list(.record(let name)) = type, let info = recordInfo(name),
      let threshold = info.field("threshold")?.type, let value = info.field(valueField)?.type,
      [.int, .decimal, .money].contains(threshold)
    else { return nil }
    let values: [RType] =
      valueField == "rate" ? [.int, .decimal] : [.int, .decimal, .money, .exactMoney]
    guard values.contains(value) else { return nil }
    return ScaleShape(record: name, threshold: threshold, value: value)
  }
}

/// A scale's brackets: a record with a `threshold` and a `rate` or `amount`.
public struct ScaleShape: Sendable {
  public var record: String
  public var threshold: RType
  public var value: RType

  /// The type in which a base and the thresholds are compared and subtracted: Int and Decimal
  /// meet in Decimal; Money only with Money.
  public static func join(_ threshold: RType, _ base: RType) -> RType? {
    if threshold == base { return base }
    if [threshold, base].allSatisfy({ $0 == .int || $0 == .decimal }) { return .decimal }
    return nil
  }
}
