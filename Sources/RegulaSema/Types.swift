// The types of the language, as the checker assigns them.
@_exported import RegulaSyntax

/// A Regula type.
public indirect enum RType: Hashable, Sendable, CustomStringConvertible {
  case bool, int, decimal, money, exactMoney, date, days, months, years, text
  case enumeration(String)
  case record(String)
  case list(RType)
  case optional(RType)
  case table(key: String, value: RType)
  /// The type of `none` before context gives it a wrapped type.
  case noneLiteral
  /// Stands for an expression that already has an error: it matches everything, so one
  /// root cause gives one diagnostic.
  case error

  /// Builtin type names as written in source.
  public static let builtins: [String: RType] = [
    "Bool": .bool, "Int": .int, "Decimal": .decimal, "Money": .money, "ExactMoney": .exactMoney,
    "Date": .date, "Days": .days, "Months": .months, "Years": .years, "Text": .text,
  ]

  public var description: String {
    switch self {
    case .bool: "Bool"
    case .int: "Int"
    case .decimal: "Decimal"
    case .money: "Money"
    case .exactMoney: "ExactMoney"
    case .date: "Date"
    case .days: "Days"
    case .months: "Months"
    case .years: "Years"
    case .text: "Text"
    case .enumeration(let name), .record(let name): name
    case .list(let element): "List<\(element)>"
    case .optional(let wrapped): "\(wrapped)?"
    case .table(let key, let value): "\(value) by \(key)"
    case .noneLiteral: "none"
    case .error: "<error>"
    }
  }

  public var isError: Bool { self == .error }
  public var isOptional: Bool { if case .optional = self { true } else { false } }
  public var isDuration: Bool { self == .days || self == .months || self == .years }
  public var isNumeric: Bool { self == .int || self == .decimal }
  public var isMoneyLike: Bool { self == .money || self == .exactMoney }

  /// True when values of this type can be ordered with `<`.
  public var isOrdered: Bool {
    switch self {
    case .int, .decimal, .money, .exactMoney, .date, .days, .months, .years: true
    default: false
    }
  }

  /// True when a value of type `self` may be used where `target` is expected.
  /// Int widens to Decimal and Money to ExactMoney; `none` fits any optional; a value fits
  /// its optional. Nothing else converts implicitly.
  public func isAssignable(to target: RType) -> Bool {
    if self == target || isError || target.isError { return true }
    switch (self, target) {
    case (.int, .decimal), (.money, .exactMoney): return true
    case (.noneLiteral, .optional): return true
    case (.optional(let wrapped), .optional(let targetWrapped)):
      return wrapped.isAssignable(to: targetWrapped)
    case (_, .optional(let wrapped)): return isAssignable(to: wrapped)
    case (.list(let element), .list(let targetElement)):
      return element.isAssignable(to: targetElement)
    default: return false
    }
  }
}
