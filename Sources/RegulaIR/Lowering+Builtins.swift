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
    case "marginal_rate", "single_amount", "marginal_amount":
      return lowerScale(name, arguments, at: span)
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

  /// A scale applied to a base, written with aggregates over its brackets (the scale and the
  /// base are bound once; thresholds and base meet in one type, Int widened to Decimal):
  /// - `marginal_rate`: Σ over brackets with threshold t < base of
  ///   rate × (min(base, next) − t), where next is the least threshold above t (none: base);
  /// - `single_amount`: Σ of the amounts of the brackets whose threshold is the greatest one
  ///   ≤ base (0 when none is);
  /// - `marginal_amount`: Σ of the amounts of the brackets whose threshold is < base.
  ///
  /// Traced as a node of its own, named by the function, citing the scale parameter read,
  /// after the nodes of its arguments; inside it, only the outermost sum's elements (each
  /// bracket's part) are traced (`IRFunction.isOpaque`).
  mutating func lowerScale(_ name: String, _ arguments: [Expr], at span: SourceSpan)
    -> IRExpr.Kind
  {
    let scaleType = type(of: arguments[0])
    guard case .list(.record(let recordName)) = scaleType,
      let fields = program.records.first(where: { $0.name == recordName })?.fields,
      let thresholdIndex = fields.firstIndex(where: { $0.name == "threshold" }),
      let valueIndex = fields.firstIndex(where: {
        $0.name == (name == "marginal_rate" ? "rate" : "amount")
      })
    else { return .constant(.none) }  // INVARIANT: the checker refused any other scale.
    let thresholdType = fields[thresholdIndex].type
    let valueType = fields[valueIndex].type
    let baseType = type(of: arguments[1])
    let join = ScaleShape.join(thresholdType, baseType) ?? thresholdType
    func node(_ kind: IRExpr.Kind, _ type: RType) -> IRExpr {
      IRExpr(kind: kind, type: type, span: span)
    }
    func widened(_ expr: IRExpr) -> IRExpr {
      expr.type == join ? expr : node(.call(.widen, [expr]), join)
    }
    func newSlot() -> Int {
      defer { nextSlot += 1 }
      return nextSlot
    }
    let scaleSlot = newSlot()
    let baseSlot = newSlot()
    let scale = node(.local(scaleSlot), scaleType)
    let base = node(.local(baseSlot), join)
    let record = RType.record(recordName)
    func threshold(_ slot: Int) -> IRExpr {
      widened(
        node(
          .field(node(.local(slot), record), index: thresholdIndex, name: "threshold"),
          thresholdType))
    }
    func value(_ slot: Int) -> IRExpr {
      node(
        .field(node(.local(slot), record), index: valueIndex, name: fields[valueIndex].name),
        valueType)
    }
    let bracket = newSlot()
    let body: IRExpr
    switch name {
    case "marginal_rate":
      let other = newSlot()
      let next = newSlot()
      let nextThreshold = node(
        .aggregate(
          .min, slot: other, source: scale, element: threshold(other),
          filter: node(.binary(.greater, threshold(other), threshold(bracket)), .bool)),
        .optional(join))
      let upper = node(
        .match(
          nextThreshold,
          [
            IRArm(pattern: .none, value: base),
            IRArm(
              pattern: .some(slot: next),
              value: node(.call(.min, [base, node(.local(next), join)]), join)),
          ]), join)
      let partType = Arithmetic.result(.subtract, join, join) ?? join
      let part = node(.binary(.subtract, upper, threshold(bracket)), partType)
      let resultType = Arithmetic.result(.multiply, valueType, partType) ?? valueType
      body = node(
        .aggregate(
          .sum, slot: bracket, source: scale,
          element: node(.binary(.multiply, value(bracket), part), resultType),
          filter: node(.binary(.less, threshold(bracket), base), .bool)),
        resultType)
    case "single_amount":
      let top = newSlot()
      let reached = newSlot()
      let greatest = node(
        .aggregate(
          .max, slot: reached, source: scale, element: threshold(reached),
          filter: node(.binary(.lessEqual, threshold(reached), base), .bool)),
        .optional(join))
      // The amounts of the brackets at the greatest threshold reached; 0 when none is.
      let reachedTop = newSlot()
      let amounts = node(
        .aggregate(
          .sum, slot: bracket, source: scale, element: value(bracket),
          filter: node(.binary(.equal, threshold(bracket), node(.local(reachedTop), join)), .bool)),
        valueType)
      body = node(
        .letIn(
          slot: top, greatest,
          node(
            .match(
              node(.local(top), .optional(join)),
              [
                IRArm(
                  pattern: .none, value: node(.constant(Interpreter.zero(of: valueType)), valueType)
                ),
                IRArm(pattern: .some(slot: reachedTop), value: amounts),
              ]), valueType)), valueType)
    default:
      body = node(
        .aggregate(
          .sum, slot: bracket, source: scale, element: value(bracket),
          filter: node(.binary(.less, threshold(bracket), base), .bool)),
        valueType)
    }
    // Traced as a node named by the function, citing the scale parameter when one is read.
    var citation: Citation?
    var scaleName = arguments[0]
    if case .asOf(let read, _) = scaleName.kind { scaleName = read }
    if case .name(let read) = scaleName.kind, locals[read] == nil, let id = definitionIDs[read] {
      citation = program.definitions[id].citation
    }
    var traced = IRFunction(name: name, parameters: [], citation: citation, span: span)
    traced.isOpaque = true
    tracedBuiltins.append(traced)
    let function = program.functions.count + tracedBuiltins.count - 1
    // The arguments are evaluated (and traced) before the node opens.
    return .letIn(
      slot: scaleSlot, lower(arguments[0]),
      node(
        .letIn(
          slot: baseSlot, widened(lower(arguments[1])),
          node(.inlined(function: function, body), body.type)), body.type))
  }
}
