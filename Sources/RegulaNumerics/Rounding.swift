// Rounding modes and the rounding of exact rationals to integers, places and multiples.

/// How an inexact value is brought to a representable one. Every rounding in Regula names
/// its mode; there is no default.
public enum RoundingMode: Sendable, Hashable, CaseIterable {
  /// To the nearest; a tie goes away from zero (2.5 → 3, -2.5 → -3).
  case halfUp
  /// To the nearest; a tie goes to the even neighbour (2.5 → 2, 3.5 → 4).
  case halfEven
  /// Toward zero (truncation): 2.7 → 2, -2.7 → -2.
  case down
  /// Away from zero: 2.1 → 3, -2.1 → -3.
  case up
  /// Toward negative infinity: 2.7 → 2, -2.1 → -3.
  case floor
  /// Toward positive infinity: 2.1 → 3, -2.7 → -2.
  case ceiling

  /// Whether a truncated quotient moves one step away from zero.
  /// - Parameters:
  ///   - remainderSign: the sign of the non-zero remainder (that of the exact value).
  ///   - halfComparison: -1, 0 or 1 as the remainder's magnitude is below, at or above half
  ///     the divisor.
  ///   - quotientIsOdd: whether the truncated quotient is odd.
  @inlinable @inline(__always)
  func movesAwayFromZero(remainderSign: Int, halfComparison: Int, quotientIsOdd: Bool) -> Bool {
    switch self {
    case .down: return false
    case .up: return true
    case .floor: return remainderSign < 0
    case .ceiling: return remainderSign > 0
    case .halfUp: return halfComparison >= 0
    case .halfEven: return halfComparison > 0 || (halfComparison == 0 && quotientIsOdd)
    }
  }
}

extension ExactDecimal {
  /// The integer nearest to this value under `mode`.
  @inlinable
  public func roundedToInteger(_ mode: RoundingMode) -> ExactInt {
    if case .small(let n, let d) = storage {
      return ExactInt(ExactDecimal.smallRoundedQuotient(n, d, mode))
    }
    return ExactDecimal.gmpRoundedToInteger(self, mode)
  }

  /// `n/d` rounded under `mode` in 64 bits; requires `d > 0`. Never overflows: a non-zero
  /// remainder implies `d >= 2`, so the truncated quotient has room for one more step.
  @inlinable @inline(__always)
  static func smallRoundedQuotient(_ n: Int64, _ d: Int64, _ mode: RoundingMode) -> Int64 {
    let quotient = n / d
    let remainder = n % d
    if remainder == 0 { return quotient }
    let r = remainder.magnitude
    let other = UInt64(d) - r
    let half = r < other ? -1 : (r > other ? 1 : 0)
    let away = mode.movesAwayFromZero(
      remainderSign: remainder < 0 ? -1 : 1, halfComparison: half,
      quotientIsOdd: quotient & 1 != 0)
    if !away { return quotient }
    return remainder < 0 ? quotient - 1 : quotient + 1
  }

  /// The GMP-path rounding, built on `ExactInt` division.
  @usableFromInline
  static func gmpRoundedToInteger(_ x: ExactDecimal, _ mode: RoundingMode) -> ExactInt {
    let n = x.numerator
    let d = x.denominator
    // The denominator is positive, so the division cannot fail.
    guard let (quotient, remainder) = try? n.quotientAndRemainder(dividingBy: d, .truncating)
    else { return n }
    if remainder.isZero { return quotient }
    let r = remainder.magnitude
    let other = d - r
    let half = r < other ? -1 : (r > other ? 1 : 0)
    let isOdd = (try? quotient.remainder(dividingBy: ExactInt(2), .truncating))?.isZero == false
    let away = mode.movesAwayFromZero(
      remainderSign: remainder.signum, halfComparison: half, quotientIsOdd: isOdd)
    if !away { return quotient }
    return remainder.signum < 0 ? quotient - ExactInt(1) : quotient + ExactInt(1)
  }

  /// This value rounded under `mode` to `places` decimal places (a negative count rounds
  /// to tens, hundreds, …): `1.235` to 2 places half-even is `1.24`.
  public func rounded(toPlaces places: Int, _ mode: RoundingMode) -> ExactDecimal {
    let scale = ExactDecimal(ExactInt(10).power(places.magnitude))
    if places >= 0 {
      let scaled = ExactDecimal((self * scale).roundedToInteger(mode))
      return (try? scaled / scale) ?? scaled  // scale is at least 1
    }
    let scaled = (try? self / scale) ?? self  // scale is at least 1
    return ExactDecimal(scaled.roundedToInteger(mode)) * scale
  }

  /// This value rounded under `mode` to a multiple of `step`'s magnitude, for example to the
  /// nearest 0.05. Throws `NumericError.divisionByZero` when `step` is zero.
  @inlinable
  public func rounded(toMultipleOf step: ExactDecimal, _ mode: RoundingMode) throws(NumericError)
    -> ExactDecimal
  {
    let unit = step.magnitude
    let count = try self / unit
    return ExactDecimal(count.roundedToInteger(mode)) * unit
  }
}
