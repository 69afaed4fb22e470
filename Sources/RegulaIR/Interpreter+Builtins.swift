// Builtin functions of the reference interpreter. Every rounding names its mode.

extension Interpreter {
  /// Why a parameter read `as of` a date none of its versions covers is not computable, in
  /// the definition `name` that reads it (the VM's `fail 3` words it the same).
  static func noVersionAsOfMessage(in name: String) -> String {
    "not computable: a parameter read with `as of` in `\(name)` has no version in force on that date"
  }
  /// The error of `first`, `last`, `min` or `max` typed non-optional over an empty list (the
  /// VM's `fail 2` words it the same).
  static let emptyListMessage = "a list declared to hold at least one element is empty"

  mutating func evaluateCall(_ builtin: Builtin, _ arguments: [IRExpr], span: SourceSpan)
    throws(EvaluationError) -> Value
  {
    let values = try evaluateAll(arguments)
    do {
      return try call(builtin, values, span: span)
    } catch let error as NumericError {
      throw fail(error, span)
    } catch let error as EvaluationError {
      throw error
    } catch {
      throw .runtime(message: "\(error)", span: span)
    }
  }

  func int64(_ value: Value, _ span: SourceSpan) throws -> Int64 {
    guard case .int(let int) = value, let small = int.int64Value else {
      throw NumericError.overflow
    }
    return small
  }

  func call(_ builtin: Builtin, _ values: [Value], span: SourceSpan) throws -> Value {
    switch (builtin, values.first) {
    case (.asOfDate, _): return .date(asOf)
    case (.noVersionAsOf, _):
      // Not an error of the evaluation: the decision that needs it is not computable.
      throw EvaluationError.notComputable(
        Self.noVersionAsOfMessage(in: current.map { program.definitions[$0].name } ?? "?"))
    case (.round, .money(let money)?): return .money(money)
    case (.round(let mode), .exactMoney(let exact)?): return .money(exact.rounded(mode))
    case (.round(let mode), let value?): return .int(decimal(value)!.roundedToInteger(mode))
    case (.roundToPlaces(let mode, let places), let value?):
      return .decimal(decimal(value)!.rounded(toPlaces: places, mode))
    case (.roundToMultiple(let mode), _):
      guard case .money(let unit) = values[1] else { throw NumericError.invalidLiteral("multiple") }
      return .money(try exactMoney(values[0])!.rounded(toMultipleOf: unit, mode))
    case (.addDate(let policy), .date(let date)?):
      switch values[1] {
      case .days(let days): return .date(try date.adding(days))
      case .months(let months): return .date(try date.adding(months, policy: policy))
      case .years(let years): return .date(try date.adding(years, policy: policy))
      default: throw NumericError.invalidLiteral("duration")
      }
    case (.age, .date(let birth)?), (.yearsBetween, .date(let birth)?):
      guard case .date(let on) = values[1] else { break }
      return .years(birth.age(on: on))
    case (.monthsBetween, .date(let start)?):
      guard case .date(let end) = values[1] else { break }
      return .months(start.wholeMonths(until: end))
    case (.daysBetween, .date(let start)?):
      guard case .date(let end) = values[1] else { break }
      return .days(start.days(until: end))
    case (.year, .date(let date)?): return .int(ExactInt(date.year))
    case (.month, .date(let date)?): return .int(ExactInt(date.month))
    case (.day, .date(let date)?): return .int(ExactInt(date.day))
    case (.makeDate, _):
      return .date(
        try CivilDate(
          year: try int64(values[0], span), month: try int64(values[1], span),
          day: try int64(values[2], span)))
    case (.toDays, let value?): return .days(Days(try int64(value, span)))
    case (.toMonths, let value?): return .months(Months(try int64(value, span)))
    case (.toYears, let value?): return .years(Years(try int64(value, span)))
    case (.toFen, .int(let fen)?): return .money(Money(fen: fen))
    case (.toYuan, .int(let yuan)?): return .money(Money(fen: yuan * ExactInt(100)))
    case (.toYuan, .decimal(let yuan)?):
      return .exactMoney(ExactMoney(fen: yuan * ExactDecimal(ExactInt(100))))
    case (.toDecimal, let value?): return .decimal(decimal(value)!)
    case (.widen, .none?): return .none
    case (.widen, .money(let money)?): return .exactMoney(ExactMoney(money))
    case (.widen, let value?): return .decimal(decimal(value)!)
    case (.yearsToMonths, .years(let years)?): return .months(try Months(years))
    case (.number, .money(let money)?): return .int(money.fen)
    case (.number, .days(let days)?): return .int(ExactInt(days.count))
    case (.number, .months(let months)?): return .int(ExactInt(months.count))
    case (.number, .years(let years)?): return .int(ExactInt(years.count))
    case (.abs, let value?):
      return try less(value, zero(like: value), span: span)
        ? try evaluateUnaryCopy(value, span) : value
    case (.min, _), (.max, _):
      var best = values[0]
      for value in values.dropFirst()
      where builtin == .min ? try less(value, best, span: span) : try less(best, value, span: span)
      {
        best = value
      }
      return best
    case (.count, .list(let items)?): return .int(ExactInt(Int64(items.count)))
    case (.sum, .list(let items)?):
      return try sum(items, type: items.first.map(type(of:)) ?? .int, span: span)
    case (.minOf, .list(let items)?), (.maxOf, .list(let items)?):
      return try aggregateResult(
        builtin == .minOf ? .min : .max, selected: items, mapped: items, total: items.count,
        type: .error, span: span)
    default: break
    }
    throw EvaluationError.runtime(message: "internal error: bad arguments to a builtin", span: span)
  }

  func zero(like value: Value) -> Value { Self.zero(of: type(of: value)) }

  func type(of value: Value) -> RType {
    switch value {
    case .decimal: .decimal
    case .money: .money
    case .exactMoney: .exactMoney
    case .days: .days
    case .months: .months
    case .years: .years
    default: .int
    }
  }

  func evaluateUnaryCopy(_ value: Value, _ span: SourceSpan) throws -> Value {
    var copy = self
    return try copy.evaluateUnary(.negate, value, span: span)
  }
}
