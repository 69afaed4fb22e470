// Unsigned 64-bit helpers for the small-fraction fast path: narrow divides and the gcd.

/// `a / b` for `b > 0`, with a 32-bit divide when both fit (several times faster than a
/// 64-bit divide on common x86 cores; denominators are usually small).
@inlinable @inline(__always)
func narrowQuotient(_ a: UInt64, _ b: UInt64) -> UInt64 {
  (a | b) <= UInt32.max
    ? UInt64(UInt32(truncatingIfNeeded: a) / UInt32(truncatingIfNeeded: b)) : a / b
}

/// `a % b` for `b > 0`, with a 32-bit divide when both fit.
@inlinable @inline(__always)
func narrowRemainder(_ a: UInt64, _ b: UInt64) -> UInt64 {
  (a | b) <= UInt32.max
    ? UInt64(UInt32(truncatingIfNeeded: a) % UInt32(truncatingIfNeeded: b)) : a % b
}

/// `a / b` for `a >= 0`, `b > 0`, using `narrowQuotient`.
@inlinable @inline(__always)
func positiveQuotient(_ a: Int64, _ b: Int64) -> Int64 {
  Int64(narrowQuotient(UInt64(a), UInt64(b)))
}

/// `a / b` for `b > 0` (any sign of `a`), using a 32-bit divide when the operands fit.
@inlinable @inline(__always)
func signedQuotient(_ a: Int64, _ b: Int64) -> Int64 {
  if b == 1 { return a }
  // With b >= 2 the quotient's magnitude is at most 2^62, so it fits in Int64.
  let magnitude = Int64(narrowQuotient(a.magnitude, UInt64(b)))
  return a < 0 ? -magnitude : magnitude
}

/// The greatest common divisor of `a` and `b` (gcd(0, b) == b). One Euclidean step brings
/// a large operand below the small one (a rate's denominator against an amount), then
/// Stein's binary algorithm finishes with a loop that compiles to conditional moves.
@inlinable
func greatestCommonDivisor(_ a: UInt64, _ b: UInt64) -> UInt64 {
  let (large, small) = a < b ? (b, a) : (a, b)
  if small == 0 { return large }
  let rest = narrowRemainder(large, small)
  if rest == 0 { return small }
  let shift = (rest | small).trailingZeroBitCount
  var x = rest >> rest.trailingZeroBitCount  // odd
  var y = small >> small.trailingZeroBitCount  // odd
  while x != y {
    let low = min(x, y)
    let difference = max(x, y) - low  // even and non-zero
    x = low
    y = difference >> difference.trailingZeroBitCount
  }
  return x << shift
}
