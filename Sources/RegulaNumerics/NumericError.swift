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

extension NumericError: CustomStringConvertible {
  /// The message evaluations report (the interpreter and the VM give the same words).
  public var description: String {
    switch self {
    case .divisionByZero: "division by zero"
    case .ambiguousDate(let year, let month, let day):
      "the date \(year)-\(month)-\(day) does not exist; say how to resolve it with "
        + "`add(date, duration, end_of_month)` or `start_of_next_month`"
    case .invalidDate(let year, let month, let day): "\(year)-\(month)-\(day) is not a date"
    case .dateOutOfRange: "a date left the range 0001-01-01 … 9999-12-31"
    case .overflow: "a duration or amount overflowed its 64-bit range"
    case .invalidLiteral(let text): "`\(text)` is not a valid literal"
    }
  }
}
