// Scanning of numeric literal text shared by ExactInt, ExactDecimal and Money.
import CGMP

/// Validates runs of decimal digits with `_` separators and turns them into integers.
enum DigitScanner {
  /// The value of `text`, which must be digits with single `_` between digits; else nil.
  static func integer(_ text: Substring) -> ExactInt? {
    guard let digits = cleanDigits(text) else { return nil }
    return value(ofDigits: digits)
  }

  /// The ASCII digits of `text` with separators removed, or nil when `text` is empty,
  /// holds anything but digits and `_`, or has a `_` that is not between two digits.
  static func cleanDigits(_ text: Substring) -> [UInt8]? {
    var digits: [UInt8] = []
    digits.reserveCapacity(text.utf8.count)
    var previousWasDigit = false
    for byte in text.utf8 {
      if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
        digits.append(byte)
        previousWasDigit = true
      } else if byte == UInt8(ascii: "_") && previousWasDigit {
        previousWasDigit = false
      } else {
        return nil
      }
    }
    return previousWasDigit ? digits : nil
  }

  /// The value of a non-empty run of ASCII digits: `Int64` accumulation, GMP when too long.
  static func value(ofDigits digits: [UInt8]) -> ExactInt {
    var accumulator: Int64 = 0
    for byte in digits {
      let (shifted, overflow1) = accumulator.multipliedReportingOverflow(by: 10)
      let (next, overflow2) = shifted.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
      if overflow1 || overflow2 { return gmpValue(ofDigits: digits) }
      accumulator = next
    }
    return ExactInt(accumulator)
  }

  /// The value of a run of ASCII digits too long for `Int64`, parsed by GMP.
  static func gmpValue(ofDigits digits: [UInt8]) -> ExactInt {
    let text = digits + [0]
    return text.withUnsafeBufferPointer { buffer in
      buffer.withMemoryRebound(to: CChar.self) { chars in
        // The digits were validated, so GMP cannot reject them.
        ExactInt.computed { _ = __gmpz_set_str($0, chars.baseAddress, 10) }
      }
    }
  }
}
