// The size limits on numbers that every engine and reader shares (Docs/limits.md).

/// Limits on the size of exact numbers, the same for the VM, the reference interpreter, the
/// input readers and the lexer, so that the engines stop on the same values.
public enum NumberLimits {
  /// The largest exact value an evaluation may make, in bits of numerator and denominator
  /// together (limit `number_size`, about 19,700 decimal digits): an evaluation that makes a
  /// larger one stops with "a number exceeded 65536 bits (limit `number_size`)".
  public static let maximumExactBits = 1 << 16

  /// The longest number an application or a rule file may write, in characters (sign and
  /// point included): comfortably below `maximumExactBits` (9,000 digits are under 30,000
  /// bits, and a Decimal's denominator under its numerator's), so that a number that is read
  /// is always one an engine can hold.
  public static let maximumNumberCharacters = 9_000

  /// The error message of limit `number_size`.
  public static let exceededMessage =
    "a number exceeded \(maximumExactBits) bits (limit `number_size`)"

  /// True when `value` is larger than `maximumExactBits` allows.
  @inlinable
  public static func exceeds(_ value: ExactDecimal) -> Bool {
    value.numerator.bitWidth + value.denominator.bitWidth > maximumExactBits
  }

  /// The message for a number written with more than `maximumNumberCharacters` characters.
  public static func tooLongMessage(_ count: Int) -> String {
    "the number has \(count) characters, over the limit `number_size` of "
      + "\(maximumNumberCharacters) characters"
  }
}
