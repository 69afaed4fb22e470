// ExactInt: an arbitrary-precision integer, Int64 when it fits and GMP when it does not.
import CGMP

/// An integer of any size. Values that fit in 64 bits are held inline and computed with
/// overflow-checked `Int64` operations; an operation that overflows is redone in GMP.
/// The representation is canonical: a big value never fits in `Int64`.
/// Nothing wraps and nothing traps.
@frozen
public struct ExactInt: Sendable {
  /// Either an inline `Int64` or a GMP integer that does not fit in one.
  @usableFromInline
  enum Storage: Sendable {
    case small(Int64)
    case big(BigInteger)
  }

  @usableFromInline let storage: Storage

  /// Wraps a 64-bit value; never allocates.
  @inlinable @inline(__always)
  public init(_ value: Int64) {
    storage = .small(value)
  }

  /// Wraps a big value known not to fit in `Int64` (callers normalise first).
  @usableFromInline
  init(uncheckedBig big: BigInteger) {
    storage = .big(big)
  }

  /// The number of bits of the magnitude: 0 for zero, 1 for ±1, 64 for `Int64.min`.
  public var bitWidth: Int {
    switch storage {
    case .small(let value): return value == 0 ? 0 : 64 - value.magnitude.leadingZeroBitCount
    case .big(let big): return Int(__gmpz_sizeinbase(big.pointer, 2))
    }
  }

  /// The value as `Int64` when it fits exactly, else nil.
  @inlinable
  public var int64Value: Int64? {
    if case .small(let value) = storage { return value }
    return nil
  }

  /// -1, 0 or 1 according to the sign.
  @inlinable
  public var signum: Int {
    switch storage {
    case .small(let value): return value < 0 ? -1 : (value > 0 ? 1 : 0)
    case .big(let big): return ExactInt.bigSignum(big)
    }
  }

  /// True for zero.
  @inlinable
  public var isZero: Bool {
    if case .small(let value) = storage { return value == 0 }
    return false
  }

  @usableFromInline
  static func bigSignum(_ big: BigInteger) -> Int {
    mpzSign(big.pointer)
  }
}

// MARK: - Moving between the small and big forms

extension ExactInt {
  /// Builds a value by letting `build` write a fresh `mpz_t`; returns it in canonical form.
  @usableFromInline
  static func computed(_ build: (UnsafeMutablePointer<__mpz_struct>) -> Void) -> ExactInt {
    let big = BigInteger(building: build)
    if let small = mpzInt64(big.pointer) { return ExactInt(small) }
    return ExactInt(uncheckedBig: big)
  }

  /// Calls `body` with an `mpz_t` view of this value (temporary for small values).
  @usableFromInline
  func withMPZ<R>(_ body: (UnsafePointer<__mpz_struct>) -> R) -> R {
    switch storage {
    case .small(let value):
      return withTemporaryMPZ(value, body)
    case .big(let big):
      return withExtendedLifetime(big) { body(big.pointer) }
    }
  }

  /// Calls `body` with `mpz_t` views of `a` and `b`.
  static func withMPZ<R>(
    _ a: ExactInt, _ b: ExactInt,
    _ body: (UnsafePointer<__mpz_struct>, UnsafePointer<__mpz_struct>) -> R
  ) -> R {
    a.withMPZ { x in b.withMPZ { y in body(x, y) } }
  }

  /// Whether this value is held in the GMP form (for tests and diagnostics).
  var isBig: Bool {
    if case .big = storage { return true }
    return false
  }

  /// Whether the representation is canonical: a big value never fits in `Int64` (tests).
  var isCanonical: Bool {
    if case .big(let big) = storage { return mpzInt64(big.pointer) == nil }
    return true
  }
}

// MARK: - Arithmetic

extension ExactInt {
  /// The exact sum.
  @inlinable
  public static func + (a: ExactInt, b: ExactInt) -> ExactInt {
    if case .small(let x) = a.storage, case .small(let y) = b.storage {
      let (sum, overflow) = x.addingReportingOverflow(y)
      if !overflow { return ExactInt(sum) }
    }
    return gmpAdd(a, b)
  }

  /// The exact difference.
  @inlinable
  public static func - (a: ExactInt, b: ExactInt) -> ExactInt {
    if case .small(let x) = a.storage, case .small(let y) = b.storage {
      let (difference, overflow) = x.subtractingReportingOverflow(y)
      if !overflow { return ExactInt(difference) }
    }
    return gmpSubtract(a, b)
  }

  /// The exact product.
  @inlinable
  public static func * (a: ExactInt, b: ExactInt) -> ExactInt {
    if case .small(let x) = a.storage, case .small(let y) = b.storage {
      let (product, overflow) = x.multipliedReportingOverflow(by: y)
      if !overflow { return ExactInt(product) }
    }
    return gmpMultiply(a, b)
  }

  /// The exact negation (`-Int64.min` becomes a big value).
  @inlinable
  public static prefix func - (a: ExactInt) -> ExactInt {
    if case .small(let x) = a.storage, x != .min { return ExactInt(-x) }
    return gmpNegate(a)
  }

  /// The absolute value.
  @inlinable
  public var magnitude: ExactInt {
    signum < 0 ? -self : self
  }

  /// Adds in place.
  @inlinable
  public static func += (a: inout ExactInt, b: ExactInt) { a = a + b }

  /// Subtracts in place.
  @inlinable
  public static func -= (a: inout ExactInt, b: ExactInt) { a = a - b }

  /// Multiplies in place.
  @inlinable
  public static func *= (a: inout ExactInt, b: ExactInt) { a = a * b }

  /// `self` raised to the power `exponent` (`x.power(0) == 1`).
  public func power(_ exponent: UInt) -> ExactInt {
    var result = ExactInt(1)
    var base = self
    var remaining = exponent
    while remaining > 0 {
      if remaining & 1 == 1 { result *= base }
      remaining >>= 1
      if remaining > 0 { base *= base }
    }
    return result
  }
}

// MARK: - Division

/// How an integer division picks its quotient when it is not exact.
public enum DivisionRule: Sendable, Hashable {
  /// The quotient is rounded toward zero; the remainder has the sign of the dividend.
  case truncating
  /// The quotient is rounded toward negative infinity; the remainder has the sign of the
  /// divisor.
  case flooring
}

extension ExactInt {
  /// The quotient and remainder of `self ÷ divisor` under `rule`, so that
  /// `quotient * divisor + remainder == self` and `|remainder| < |divisor|`.
  /// Throws `NumericError.divisionByZero` when `divisor` is zero.
  @inlinable
  public func quotientAndRemainder(
    dividingBy divisor: ExactInt, _ rule: DivisionRule
  ) throws(NumericError) -> (quotient: ExactInt, remainder: ExactInt) {
    if divisor.isZero { throw .divisionByZero }
    if case .small(let x) = storage, case .small(let y) = divisor.storage, !(x == .min && y == -1) {
      var quotient = x / y
      var remainder = x % y
      if rule == .flooring, remainder != 0, (remainder < 0) != (y < 0) {
        quotient -= 1  // |quotient| < |x| here, so this cannot overflow
        remainder += y  // remainder and y have opposite signs: no overflow
      }
      return (ExactInt(quotient), ExactInt(remainder))
    }
    return ExactInt.gmpDivide(self, divisor, rule)
  }

  /// The quotient of `self ÷ divisor` under `rule`; throws on a zero divisor.
  @inlinable
  public func quotient(dividingBy divisor: ExactInt, _ rule: DivisionRule) throws(NumericError)
    -> ExactInt
  {
    try quotientAndRemainder(dividingBy: divisor, rule).quotient
  }

  /// The remainder of `self ÷ divisor` under `rule`; throws on a zero divisor.
  @inlinable
  public func remainder(dividingBy divisor: ExactInt, _ rule: DivisionRule) throws(NumericError)
    -> ExactInt
  {
    try quotientAndRemainder(dividingBy: divisor, rule).remainder
  }
}

// MARK: - GMP paths (not inlinable; also callable directly by tests to force the GMP path)

extension ExactInt {
  @usableFromInline
  static func gmpAdd(_ a: ExactInt, _ b: ExactInt) -> ExactInt {
    withMPZ(a, b) { x, y in computed { __gmpz_add($0, x, y) } }
  }

  @usableFromInline
  static func gmpSubtract(_ a: ExactInt, _ b: ExactInt) -> ExactInt {
    withMPZ(a, b) { x, y in computed { __gmpz_sub($0, x, y) } }
  }

  @usableFromInline
  static func gmpMultiply(_ a: ExactInt, _ b: ExactInt) -> ExactInt {
    withMPZ(a, b) { x, y in computed { __gmpz_mul($0, x, y) } }
  }

  @usableFromInline
  static func gmpNegate(_ a: ExactInt) -> ExactInt {
    a.withMPZ { x in computed { __gmpz_neg($0, x) } }
  }

  /// Division in GMP; the divisor is known to be non-zero.
  @usableFromInline
  static func gmpDivide(_ a: ExactInt, _ b: ExactInt, _ rule: DivisionRule)
    -> (quotient: ExactInt, remainder: ExactInt)
  {
    withMPZ(a, b) { x, y in
      var remainder = ExactInt(0)
      let quotient = computed { q in
        remainder = computed { r in
          switch rule {
          case .truncating: __gmpz_tdiv_qr(q, r, x, y)
          case .flooring: __gmpz_fdiv_qr(q, r, x, y)
          }
        }
      }
      return (quotient, remainder)
    }
  }

  /// -1, 0 or 1 as `a` is below, equal to or above `b`, computed in GMP.
  @usableFromInline
  static func gmpCompare(_ a: ExactInt, _ b: ExactInt) -> Int {
    let c = withMPZ(a, b) { x, y in __gmpz_cmp(x, y) }
    return c < 0 ? -1 : (c > 0 ? 1 : 0)
  }
}

// MARK: - Comparison and hashing

extension ExactInt: Comparable, Hashable {
  /// Exact equality; the canonical form makes small and big values never equal.
  @inlinable
  public static func == (a: ExactInt, b: ExactInt) -> Bool {
    if case .small(let x) = a.storage, case .small(let y) = b.storage { return x == y }
    return gmpCompare(a, b) == 0
  }

  /// Exact ordering.
  @inlinable
  public static func < (a: ExactInt, b: ExactInt) -> Bool {
    if case .small(let x) = a.storage, case .small(let y) = b.storage { return x < y }
    return gmpCompare(a, b) < 0
  }

  /// Hashes the value; equal values hash equally because the form is canonical.
  public func hash(into hasher: inout Hasher) {
    switch storage {
    case .small(let value):
      hasher.combine(0 as UInt8)
      hasher.combine(value)
    case .big(let big):
      hasher.combine(1 as UInt8)
      hashMPZ(big.pointer, into: &hasher)
    }
  }
}

// MARK: - Text

extension ExactInt: CustomStringConvertible, LosslessStringConvertible,
  ExpressibleByIntegerLiteral
{
  /// The value in decimal, with a leading `-` when negative.
  public var description: String {
    switch storage {
    case .small(let value): return String(value)
    case .big(let big): return mpzDecimalString(big.pointer)
    }
  }

  /// Parses decimal text: an optional `-` or `+`, then digits, with single `_` allowed
  /// between digits (`1_000_000`). Returns nil for anything else.
  public init?(_ description: String) {
    guard let value = try? ExactInt(parsing: description) else { return nil }
    self = value
  }

  /// Parses decimal text like `init?(_:)`, throwing `NumericError.invalidLiteral` on failure.
  public init(parsing text: String) throws(NumericError) {
    var digits = Substring(text)
    let negative = digits.first == "-"
    if negative || digits.first == "+" { digits = digits.dropFirst() }
    guard let magnitude = DigitScanner.integer(digits) else { throw .invalidLiteral(text) }
    self = negative ? -magnitude : magnitude
  }

  /// An integer literal always fits in `Int64`.
  @inlinable
  public init(integerLiteral value: Int64) {
    self.init(value)
  }
}
