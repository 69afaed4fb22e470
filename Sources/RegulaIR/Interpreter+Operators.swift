// Operators and builtins of the reference interpreter, on exact values.

extension Interpreter {
  func fail(_ error: NumericError, _ span: SourceSpan) -> EvaluationError {
    .runtime(message: error.description, span: span)
  }

  func decimal(_ value: Value) -> ExactDecimal? {
    switch value {
    case .int(let int): ExactDecimal(int)
    case .decimal(let decimal): decimal
    default: nil
    }
  }

  func exactMoney(_ value: Value) -> ExactMoney? {
    switch value {
    case .money(let money): ExactMoney(money)
    case .exactMoney(let exact): exact
    default: nil
    }
  }

  mutating func evaluateUnary(_ op: UnaryOperator, _ value: Value, span: SourceSpan)
    throws(EvaluationError) -> Value
  {
    do {
      switch (op, value) {
      case (.not, .bool(let bool)): return .bool(!bool)
      case (.negate, .int(let int)): return .int(-int)
      case (.negate, .decimal(let decimal)): return .decimal(-decimal)
      case (.negate, .money(let money)): return .money(-money)
      case (.negate, .exactMoney(let exact)): return .exactMoney(ExactMoney(fen: -exact.fen))
      case (.negate, .days(let days)): return .days(try -days)
      case (.negate, .months(let months)): return .months(try -months)
      case (.negate, .years(let years)): return .years(try -years)
      default:
        throw EvaluationError.runtime(
          message: "internal error: bad operand of `\(op.rawValue)`", span: span)
      }
    } catch let error as NumericError {
      throw fail(error, span)
    } catch let error as EvaluationError {
      throw error
    } catch {
      throw .runtime(message: "\(error)", span: span)
    }
  }

  mutating func evaluateBinary(
    _ op: BinaryOperator, _ left: IRExpr, _ right: IRExpr, span: SourceSpan
  ) throws(EvaluationError) -> Value {
    switch op {
    case .and:
      if !(try evaluateBool(left)) { return .bool(false) }
      return .bool(try evaluateBool(right))
    case .or:
      if try evaluateBool(left) { return .bool(true) }
      return .bool(try evaluateBool(right))
    case .coalesce:
      let value = try evaluate(left)
      return value == .none ? try evaluate(right) : value
    default: break
    }
    let a = try evaluate(left)
    let b = try evaluate(right)
    switch op {
    case .equal: return .bool(equal(a, b))
    case .notEqual: return .bool(!equal(a, b))
    case .less: return .bool(try less(a, b, span: span))
    case .greater: return .bool(try less(b, a, span: span))
    case .lessEqual: return .bool(try !less(b, a, span: span))
    case .greaterEqual: return .bool(try !less(a, b, span: span))
    case .in:
      guard case .list(let items) = b else {
        throw .runtime(message: "internal error: `in` needs a list", span: span)
      }
      return .bool(items.contains { equal(a, $0) })
    case .add: return try add(a, b, span: span)
    case .subtract: return try subtract(a, b, span: span)
    case .multiply: return try multiply(a, b, span: span)
    case .divide: return try divide(a, b, span: span)
    case .and, .or, .coalesce: return .none
    }
  }

  /// Equality across the widening pairs (Int/Decimal, Money/ExactMoney); `none` equals only `none`.
  func equal(_ a: Value, _ b: Value) -> Bool {
    if let x = decimal(a), let y = decimal(b) { return x == y }
    if let x = exactMoney(a), let y = exactMoney(b) { return x == y }
    return a == b
  }

  func less(_ a: Value, _ b: Value, span: SourceSpan) throws(EvaluationError) -> Bool {
    if let x = decimal(a), let y = decimal(b) { return x < y }
    if let x = exactMoney(a), let y = exactMoney(b) { return x < y }
    switch (a, b) {
    case (.date(let x), .date(let y)): return x < y
    case (.days(let x), .days(let y)): return x < y
    case (.months(let x), .months(let y)): return x < y
    case (.years(let x), .years(let y)): return x < y
    default: throw .runtime(message: "internal error: values without an order", span: span)
    }
  }

  func add(_ a: Value, _ b: Value, span: SourceSpan) throws(EvaluationError) -> Value {
    do {
      switch (a, b) {
      case (.int(let x), .int(let y)): return .int(x + y)
      case (.money(let x), .money(let y)): return .money(x + y)
      case (.days(let x), .days(let y)): return .days(try x + y)
      case (.months(let x), .months(let y)): return .months(try x + y)
      case (.years(let x), .years(let y)): return .years(try x + y)
      case (.date(let d), .days(let n)), (.days(let n), .date(let d)): return .date(try d.adding(n))
      case (.date(let d), .months(let n)), (.months(let n), .date(let d)):
        return .date(try d.adding(n, policy: .reject))
      case (.date(let d), .years(let n)), (.years(let n), .date(let d)):
        return .date(try d.adding(n, policy: .reject))
      default: break
      }
    } catch { throw fail(error, span) }
    if let x = decimal(a), let y = decimal(b) { return .decimal(x + y) }
    if let x = exactMoney(a), let y = exactMoney(b) { return .exactMoney(x + y) }
    throw .runtime(message: "internal error: bad operands of `+`", span: span)
  }

  func subtract(_ a: Value, _ b: Value, span: SourceSpan) throws(EvaluationError) -> Value {
    do {
      switch (a, b) {
      case (.int(let x), .int(let y)): return .int(x - y)
      case (.money(let x), .money(let y)): return .money(x - y)
      case (.days(let x), .days(let y)): return .days(try x - y)
      case (.months(let x), .months(let y)): return .months(try x - y)
      case (.years(let x), .years(let y)): return .years(try x - y)
      case (.date(let d), .days(let n)): return .date(try d.adding(try -n))
      case (.date(let d), .months(let n)): return .date(try d.adding(try -n, policy: .reject))
      case (.date(let d), .years(let n)): return .date(try d.adding(try -n, policy: .reject))
      default: break
      }
    } catch { throw fail(error, span) }
    if let x = decimal(a), let y = decimal(b) { return .decimal(x - y) }
    if let x = exactMoney(a), let y = exactMoney(b) { return .exactMoney(x - y) }
    throw .runtime(message: "internal error: bad operands of `-`", span: span)
  }

  func multiply(_ a: Value, _ b: Value, span: SourceSpan) throws(EvaluationError) -> Value {
    switch (a, b) {
    case (.int(let x), .int(let y)): return .int(x * y)
    case (.money(let m), .int(let n)), (.int(let n), .money(let m)): return .money(m * n)
    case (.money(let m), .decimal(let r)), (.decimal(let r), .money(let m)):
      return .exactMoney(m * r)
    case (.exactMoney(let m), .int(let n)), (.int(let n), .exactMoney(let m)):
      return .exactMoney(m * ExactDecimal(n))
    case (.exactMoney(let m), .decimal(let r)), (.decimal(let r), .exactMoney(let m)):
      return .exactMoney(m * r)
    case (.days(let d), .int(let n)), (.int(let n), .days(let d)):
      return .days(Days(try count(d.count, n, span)))
    case (.months(let d), .int(let n)), (.int(let n), .months(let d)):
      return .months(Months(try count(d.count, n, span)))
    case (.years(let d), .int(let n)), (.int(let n), .years(let d)):
      return .years(Years(try count(d.count, n, span)))
    default: break
    }
    if let x = decimal(a), let y = decimal(b) { return .decimal(x * y) }
    throw .runtime(message: "internal error: bad operands of `*`", span: span)
  }

  func count(_ units: Int64, _ factor: ExactInt, _ span: SourceSpan) throws(EvaluationError)
    -> Int64
  {
    guard let factor = factor.int64Value else { throw fail(.overflow, span) }
    let (product, overflow) = units.multipliedReportingOverflow(by: factor)
    if overflow { throw fail(.overflow, span) }
    return product
  }

  func divide(_ a: Value, _ b: Value, span: SourceSpan) throws(EvaluationError) -> Value {
    do {
      switch (a, b) {
      case (.money(let m), .int(let n)): return .exactMoney(try m / n)
      case (.money, .decimal(let r)), (.exactMoney, .decimal(let r)):
        return .exactMoney(ExactMoney(fen: try exactMoney(a)!.fen / r))
      case (.exactMoney(let m), .int(let n)): return .exactMoney(try m / n)
      case (.money, .money), (.money, .exactMoney), (.exactMoney, .money),
        (.exactMoney, .exactMoney):
        return .decimal(try exactMoney(a)!.fen / exactMoney(b)!.fen)
      default: break
      }
      if let x = decimal(a), let y = decimal(b) { return .decimal(try x / y) }
    } catch { throw fail(error, span) }
    throw .runtime(message: "internal error: bad operands of `/`", span: span)
  }
}
