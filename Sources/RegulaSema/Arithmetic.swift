// The arithmetic typing table (Docs/language.md, "Conversions and arithmetic").

public enum Arithmetic {
  /// The result type of `left op right`, or nil when the operator does not apply.
  public static func result(_ op: BinaryOperator, _ left: RType, _ right: RType) -> RType? {
    switch op {
    case .add: additive(left, right, allowsDateOnRight: true)
    case .subtract: additive(left, right, allowsDateOnRight: false)
    case .multiply: multiplicative(left, right) ?? multiplicative(right, left)
    case .divide: quotient(left, right)
    default: nil
    }
  }

  static func additive(_ left: RType, _ right: RType, allowsDateOnRight: Bool) -> RType? {
    switch (left, right) {
    case (.int, .int): .int
    case (.int, .decimal), (.decimal, .int), (.decimal, .decimal): .decimal
    case (.money, .money): .money
    case (.money, .exactMoney), (.exactMoney, .money), (.exactMoney, .exactMoney): .exactMoney
    case (.days, .days): .days
    case (.months, .months): .months
    case (.years, .years): .years
    case (.date, .days), (.date, .months), (.date, .years): .date
    case (.days, .date), (.months, .date), (.years, .date): allowsDateOnRight ? .date : nil
    default: nil
    }
  }

  /// `left * right` with the left operand as listed; the caller tries both orders.
  static func multiplicative(_ left: RType, _ right: RType) -> RType? {
    switch (left, right) {
    case (.int, .int): .int
    case (.int, .decimal), (.decimal, .decimal): .decimal
    case (.money, .int): .money
    case (.money, .decimal), (.exactMoney, .int), (.exactMoney, .decimal): .exactMoney
    case (.days, .int): .days
    case (.months, .int): .months
    case (.years, .int): .years
    default: nil
    }
  }

  static func quotient(_ left: RType, _ right: RType) -> RType? {
    switch (left, right) {
    case (.int, .int), (.int, .decimal), (.decimal, .int), (.decimal, .decimal): .decimal
    case (.money, .int), (.money, .decimal), (.exactMoney, .int), (.exactMoney, .decimal):
      .exactMoney
    case (.money, .money), (.money, .exactMoney), (.exactMoney, .money), (.exactMoney, .exactMoney):
      .decimal
    default: nil
    }
  }

  /// A hint for the commonest mistakes: money mixed with plain numbers.
  static func help(_ left: RType, _ right: RType) -> String? {
    let pair = [left, right]
    if pair.contains(where: \.isMoneyLike) && pair.contains(where: \.isNumeric) {
      return "money never mixes with plain numbers in `+`, `-` or comparisons; "
        + "write amounts with a unit (`12 yuan`, `35 fen`) or convert with `fen(…)`"
    }
    if pair.contains(.date) {
      return "dates move by `Days`, `Months` or `Years`, as in `d + 30 days`"
    }
    return nil
  }
}
