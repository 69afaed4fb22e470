// Parsing and printing of ExactDecimal literal text.

extension ExactDecimal: CustomStringConvertible, LosslessStringConvertible {
  /// The exact value as text. A value whose denominator has no prime factors other than 2
  /// and 5 prints as a finite decimal with no trailing zeros (`0.15`, `-3`, `1234.5`);
  /// any other value prints as `p/q` in lowest terms (`7/3`, `-1/3`).
  public var description: String {
    let n = numerator
    let d = denominator
    guard let places = ExactDecimal.decimalPlaces(ofDenominator: d) else { return "\(n)/\(d)" }
    if places == 0 { return n.description }
    let scaled = n.magnitude * ExactInt(10).power(UInt(places))
    // d divides 10^places by construction, so the division is exact and cannot fail.
    let digits = ((try? scaled.quotient(dividingBy: d, .truncating)) ?? scaled).description
    let padded = String(repeating: "0", count: max(0, places + 1 - digits.count)) + digits
    let split = padded.index(padded.endIndex, offsetBy: -places)
    return (n.signum < 0 ? "-" : "") + padded[..<split] + "." + padded[split...]
  }

  /// The number of decimal places needed to write `1/d` exactly, or nil when `d` has a
  /// prime factor other than 2 and 5.
  static func decimalPlaces(ofDenominator d: ExactInt) -> Int? {
    var rest = d
    let twos = rest.removeAllFactors(of: 2)
    let fives = rest.removeAllFactors(of: 5)
    return rest == ExactInt(1) ? max(twos, fives) : nil
  }

  /// Parses a literal; returns nil where `init(parsing:)` would throw.
  public init?(_ description: String) {
    guard let value = try? ExactDecimal(parsing: description) else { return nil }
    self = value
  }

  /// Parses a literal, throwing `NumericError.invalidLiteral` on malformed text and
  /// `NumericError.divisionByZero` for `p/0`. Accepted forms, each with an optional
  /// leading `-` or `+`, digits grouped by single `_` between digits:
  /// - an integer: `-3`, `1_000`
  /// - a decimal with digits on both sides of the point: `0.15`, `1_234.50`
  /// - either of the above followed by `%`, meaning hundredths: `12%` is `0.12`
  /// - a fraction of two integers: `7/3`, `-1/3`
  public init(parsing text: String) throws(NumericError) {
    var body = Substring(text)
    let negative = body.first == "-"
    if negative || body.first == "+" { body = body.dropFirst() }
    let magnitude = try ExactDecimal.parseUnsigned(body, original: text)
    self = negative ? -magnitude : magnitude
  }

  /// Parses the text after the sign.
  static func parseUnsigned(_ body: Substring, original: String) throws(NumericError)
    -> ExactDecimal
  {
    if let slash = body.firstIndex(of: "/") {
      guard let p = DigitScanner.integer(body[..<slash]),
        let q = DigitScanner.integer(body[body.index(after: slash)...])
      else { throw .invalidLiteral(original) }
      return try ExactDecimal(numerator: p, denominator: q)
    }
    var digitsPart = body
    var extraPlaces = 0
    if digitsPart.last == "%" {
      digitsPart = digitsPart.dropLast()
      extraPlaces = 2
    }
    guard let (digits, places) = scanDecimal(digitsPart) else { throw .invalidLiteral(original) }
    let scale = ExactInt(10).power(UInt(places + extraPlaces))
    return try ExactDecimal(numerator: DigitScanner.value(ofDigits: digits), denominator: scale)
  }

  /// The digits of `whole[.fraction]` and the number of fraction digits, or nil.
  static func scanDecimal(_ text: Substring) -> (digits: [UInt8], places: Int)? {
    guard let point = text.firstIndex(of: ".") else {
      return DigitScanner.cleanDigits(text).map { ($0, 0) }
    }
    guard let whole = DigitScanner.cleanDigits(text[..<point]),
      let fraction = DigitScanner.cleanDigits(text[text.index(after: point)...])
    else { return nil }
    return (whole + fraction, fraction.count)
  }
}

extension ExactInt {
  /// Divides out every factor `factor` (> 1) and returns how many there were.
  mutating func removeAllFactors(of factor: Int64) -> Int {
    var count = 0
    while !isZero,
      let (quotient, remainder) = try? quotientAndRemainder(
        dividingBy: ExactInt(factor), .truncating),
      remainder.isZero
    {
      self = quotient
      count += 1
    }
    return count
  }
}
