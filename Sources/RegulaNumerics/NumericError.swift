// The one error type of the numerics module: arithmetic, parsing and calendar failures.

/// Why an exact-number, money or date operation produced no value.
public enum NumericError: Error, Equatable, Hashable, Sendable {
  /// A division, remainder or rounding step had a zero divisor.
  case divisionByZero
  /// `text` is not a literal of the expected kind.
  case invalidLiteral(String)
  /// The year, month and day do not name a day of the proleptic Gregorian calendar.
  case invalidDate(year: Int64, month: Int64, day: Int64)
  /// A date computation left the supported range 0001-01-01 ... 9999-12-31.
  case dateOutOfRange
  /// Adding months or years reached a day the target month lacks (for example 31 February)
  /// and the caller chose `MonthEndPolicy.reject`.
  case ambiguousDate(year: Int64, month: Int64, day: Int64)
  /// A duration count or a money amount left the range of its 64-bit representation.
  case overflow
}
