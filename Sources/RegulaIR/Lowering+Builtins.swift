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

  /// `first_day_of_month(d)` and its kin, written with the date builtins: the date is bound
  /// once, then `date(year(t), month(t), 1)`, `date(year(t), 1, 1)`, `date(year(t), 12, 31)`, or
  /// `add(date(year(t), 1, 31), months(month(t) - 1), end_of_month)`.
  mutating func lowerPeriodBound(_ name: String, _ date: IRExpr, at span: SourceSpan)
    -> IRExpr.Kind
  {
    let slot = nextSlot
    nextSlot += 1
    func node(_ kind: IRExpr.Kind, _ type: RType) -> IRExpr {
      IRExpr(kind: kind, type: type, span: span)
    }
    let bound = node(.local(slot), .date)
    func int(_ value: Int64) -> IRExpr { node(.constant(.int(ExactInt(value))), .int) }
    let year = node(.call(.year, [bound]), .int)
    let month = node(.call(.month, [bound]), .int)
    let value: IRExpr
    switch name {
    case "first_day_of_month": value = node(.call(.makeDate, [year, month, int(1)]), .date)
    case "first_day_of_year": value = node(.call(.makeDate, [year, int(1), int(1)]), .date)
    case "last_day_of_year": value = node(.call(.makeDate, [year, int(12), int(31)]), .date)
    default:
      // 31 January moved on by the months before this one, to the end of a shorter month:
      // never past the month itself (9999-12 included).
      let january = node(.call(.makeDate, [year, int(1), int(31)]), .date)
      let monthsBefore = node(
        .call(.toMonths, [node(.binary(.subtract, month, int(1)), .int)]), .months)
      value = node(.call(.addDate(.roundDown), [january, monthsBefore]), .date)
    }
    return .letIn(slot: slot, date, value)
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
    case "as_of_date": return .call(.asOfDate, [])
    case "first_day_of_month", "last_day_of_month", "first_day_of_year", "last_day_of_year":
      return lowerPeriodBound(name, lower(arguments[0]), at: span)
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
