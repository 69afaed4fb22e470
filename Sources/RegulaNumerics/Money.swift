// Money (a whole number of fen) and ExactMoney (a rational number of fen awaiting rounding).

/// An amount of money as a whole number of fen (1 yuan = 100 fen), of any size.
/// Arithmetic that can leave whole fen (`× ExactDecimal`, `÷ ExactInt`) yields `ExactMoney`,
/// which becomes `Money` again only through rounding with an explicit mode.
@frozen
public struct Money: Sendable, Hashable, Comparable {
  /// The amount in fen.
  public let fen: ExactInt

  /// The amount of `fen` fen.
  @inlinable
  public init(fen: ExactInt) {
    self.fen = fen
  }

  /// Parses a yuan amount with at most two decimal places: `1234.56`, `-0.05`, `1_000`.
  /// Throws `NumericError.invalidLiteral` for anything else, including `0.125`.
  public init(yuan text: String) throws(NumericError) {
    let value = try ExactDecimal(parsing: text) * ExactDecimal(100)
    guard value.isInteger, !text.contains("/"), !text.contains("%") else {
      throw .invalidLiteral(text)
    }
    fen = value.numerator
  }

  /// No money.
  public static let zero = Money(fen: 0)

  /// Orders by amount.
  @inlinable
  public static func < (a: Money, b: Money) -> Bool { a.fen < b.fen }
}

// MARK: - Money arithmetic

extension Money {
  /// The sum.
  @inlinable
  public static func + (a: Money, b: Money) -> Money { Money(fen: a.fen + b.fen) }

  /// The difference.
  @inlinable
  public static func - (a: Money, b: Money) -> Money { Money(fen: a.fen - b.fen) }

  /// The negation.
  @inlinable
  public static prefix func - (a: Money) -> Money { Money(fen: -a.fen) }

  /// `a` taken `count` times.
  @inlinable
  public static func * (a: Money, count: ExactInt) -> Money { Money(fen: a.fen * count) }

  /// `a` taken `count` times.
  @inlinable
  public static func * (count: ExactInt, a: Money) -> Money { Money(fen: count * a.fen) }

  /// The exact product with a rate; round it to get `Money`.
  @inlinable
  public static func * (a: Money, rate: ExactDecimal) -> ExactMoney {
    ExactMoney(fen: ExactDecimal(a.fen) * rate)
  }

  /// The exact product with a rate; round it to get `Money`.
  @inlinable
  public static func * (rate: ExactDecimal, a: Money) -> ExactMoney {
    ExactMoney(fen: rate * ExactDecimal(a.fen))
  }

  /// The exact share of `a` in `parts` parts; throws `NumericError.divisionByZero`.
  @inlinable
  public static func / (a: Money, parts: ExactInt) throws(NumericError) -> ExactMoney {
    ExactMoney(fen: try ExactDecimal(numerator: a.fen, denominator: parts))
  }

  /// The exact ratio of two amounts; throws `NumericError.divisionByZero` when `b` is zero.
  @inlinable
  public static func / (a: Money, b: Money) throws(NumericError) -> ExactDecimal {
    try ExactDecimal(numerator: a.fen, denominator: b.fen)
  }

  /// The amount rounded under `mode` to a multiple of `unit` (for example
  /// `Money(fen: 100)` for whole yuan); throws `NumericError.divisionByZero` for a zero unit.
  public func rounded(toMultipleOf unit: Money, _ mode: RoundingMode) throws(NumericError) -> Money
  {
    try ExactMoney(self).rounded(toMultipleOf: unit, mode)
  }
}

// MARK: - Money text

extension Money: CustomStringConvertible {
  /// The amount in fen: `123456`.
  public var fenDescription: String { fen.description }

  /// The amount in yuan with exactly two decimals: `1234.56`, `-0.05`, `12.00`.
  public var yuanDescription: String {
    let digits = fen.magnitude.description
    let padded = String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    let split = padded.index(padded.endIndex, offsetBy: -2)
    return (fen.signum < 0 ? "-" : "") + padded[..<split] + "." + padded[split...]
  }

  /// The amount in yuan, as `yuanDescription`.
  public var description: String { yuanDescription }
}

// MARK: - ExactMoney

/// An exact, possibly fractional, number of fen: the result of `Money × ExactDecimal` or
/// `Money ÷ ExactInt`. It becomes `Money` only by `rounded(_:)` or `rounded(toMultipleOf:_:)`.
@frozen
public struct ExactMoney: Sendable, Hashable, Comparable {
  /// The amount in fen, exactly.
  public let fen: ExactDecimal

  /// The amount of `fen` fen.
  @inlinable
  public init(fen: ExactDecimal) {
    self.fen = fen
  }

  /// The same amount as `money`, made exact (an explicit, lossless conversion).
  @inlinable
  public init(_ money: Money) {
    fen = ExactDecimal(money.fen)
  }

  /// Orders by amount.
  @inlinable
  public static func < (a: ExactMoney, b: ExactMoney) -> Bool { a.fen < b.fen }

  /// The sum.
  @inlinable
  public static func + (a: ExactMoney, b: ExactMoney) -> ExactMoney {
    ExactMoney(fen: a.fen + b.fen)
  }

  /// The difference.
  @inlinable
  public static func - (a: ExactMoney, b: ExactMoney) -> ExactMoney {
    ExactMoney(fen: a.fen - b.fen)
  }

  /// The negation.
  @inlinable
  public static prefix func - (a: ExactMoney) -> ExactMoney { ExactMoney(fen: -a.fen) }

  /// The exact product with a rate.
  @inlinable
  public static func * (a: ExactMoney, rate: ExactDecimal) -> ExactMoney {
    ExactMoney(fen: a.fen * rate)
  }

  /// The exact share of `a` in `parts` parts; throws `NumericError.divisionByZero`.
  @inlinable
  public static func / (a: ExactMoney, parts: ExactInt) throws(NumericError) -> ExactMoney {
    ExactMoney(fen: try a.fen / ExactDecimal(parts))
  }

  /// The amount rounded to whole fen under `mode`.
  @inlinable
  public func rounded(_ mode: RoundingMode) -> Money {
    Money(fen: fen.roundedToInteger(mode))
  }

  /// The amount rounded under `mode` to a multiple of `unit` (for example
  /// `Money(fen: 100)` for whole yuan); throws `NumericError.divisionByZero` for a zero unit.
  public func rounded(toMultipleOf unit: Money, _ mode: RoundingMode) throws(NumericError) -> Money
  {
    let step = unit.fen.magnitude
    let count = try fen / ExactDecimal(step)
    return Money(fen: count.roundedToInteger(mode) * step)
  }
}

extension ExactMoney: CustomStringConvertible {
  /// The amount in yuan as an exact decimal (`ExactDecimal.description`): `12.345`, `37/300`.
  public var description: String {
    ((try? fen / ExactDecimal(100)) ?? fen).description  // 100 is not zero
  }
}

// MARK: - Comparing Money with ExactMoney

extension Money {
  /// Whether the amounts are equal.
  @inlinable
  public static func == (a: Money, b: ExactMoney) -> Bool { ExactMoney(a) == b }
  /// Whether the amounts are equal.
  @inlinable
  public static func == (a: ExactMoney, b: Money) -> Bool { a == ExactMoney(b) }
  /// Whether the amounts differ.
  @inlinable
  public static func != (a: Money, b: ExactMoney) -> Bool { ExactMoney(a) != b }
  /// Whether the amounts differ.
  @inlinable
  public static func != (a: ExactMoney, b: Money) -> Bool { a != ExactMoney(b) }
  /// Whether `a` is less than `b`.
  @inlinable
  public static func < (a: Money, b: ExactMoney) -> Bool { ExactMoney(a) < b }
  /// Whether `a` is less than `b`.
  @inlinable
  public static func < (a: ExactMoney, b: Money) -> Bool { a < ExactMoney(b) }
  /// Whether `a` is at most `b`.
  @inlinable
  public static func <= (a: Money, b: ExactMoney) -> Bool { ExactMoney(a) <= b }
  /// Whether `a` is at most `b`.
  @inlinable
  public static func <= (a: ExactMoney, b: Money) -> Bool { a <= ExactMoney(b) }
  /// Whether `a` is greater than `b`.
  @inlinable
  public static func > (a: Money, b: ExactMoney) -> Bool { ExactMoney(a) > b }
  /// Whether `a` is greater than `b`.
  @inlinable
  public static func > (a: ExactMoney, b: Money) -> Bool { a > ExactMoney(b) }
  /// Whether `a` is at least `b`.
  @inlinable
  public static func >= (a: Money, b: ExactMoney) -> Bool { ExactMoney(a) >= b }
  /// Whether `a` is at least `b`.
  @inlinable
  public static func >= (a: ExactMoney, b: Money) -> Bool { a >= ExactMoney(b) }
}
