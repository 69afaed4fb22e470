// Builtin calls: names and mode words to `Builtin`.

extension RoundingMode {
  /// The mode a `round(x, WORD)` names.
  init(_ name: RoundingModeName) {
    switch name {
    case .halfUp: self = .halfUp
    case .halfEven: self = .halfEven
    case .down: self = .down
    case .up: self = .up
    case .floor: self = .floor
    case .ceiling: self = .ceiling
    }
  }
}

extension Lowerer {
  func word(_ expr: Expr) -> String {
    if case .name(let word) = expr.kind { return word }
    return ""
  }

  mutating func lowerCall(_ name: String, _ arguments: [Expr], at span: SourceSpan) -> IRExpr.Kind {
    let simple: [String: Builtin] = [
      "age": .age, "years_between": .yearsBetween, "months_between": .monthsBetween,
      "days_between": .daysBetween,
      "year": .year, "month": .month, "day": .day, "date": .makeDate, "days": .toDays,
      "months": .toMonths,
      "years": .toYears, "fen": .toFen, "yuan": .toYuan, "decimal": .toDecimal,
      "to_months": .yearsToMonths,
      "number": .number, "abs": .abs, "count": .count, "sum": .sum,
    ]
    if let builtin = simple[name] { return .call(builtin, arguments.map { lower($0) }) }
    switch name {
    case "round":
      let mode = RoundingMode(RoundingModeName(rawValue: word(arguments[1])) ?? .halfUp)
      if arguments.count == 3 {
        if type(of: arguments[2]) == .money {
          return .call(.roundToMultiple(mode), [lower(arguments[0]), lower(arguments[2])])
        }
        let places = Int(ExprPrinter.print(arguments[2])) ?? 0
        return .call(.roundToPlaces(mode, places), [lower(arguments[0])])
      }
      return .call(.round(mode), [lower(arguments[0])])
    case "add":
      let policy: MonthEndPolicy =
        word(arguments[2]) == DateOverflowName.endOfMonth.rawValue ? .roundDown : .roundUp
      return .call(.addDate(policy), [lower(arguments[0]), lower(arguments[1])])
    case "min", "max":
      let builtin: Builtin =
        arguments.count == 1 ? (name == "min" ? .minOf : .maxOf) : (name == "min" ? .min : .max)
      return .call(builtin, arguments.map { lower($0) })
    default:
      // INVARIANT: the checker rejected every other name.
      return .constant(.none)
    }
  }
}
