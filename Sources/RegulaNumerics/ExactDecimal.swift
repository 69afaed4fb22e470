// ExactDecimal: an exact rational, Int64/Int64 when it fits and a GMP mpq when it does not.
import CGMP

/// An exact rational number, the language's `Decimal`. Always in lowest terms with a
/// positive denominator. When numerator and denominator both fit in `Int64` the value is
/// held inline and computed with overflow-checked 64-bit arithmetic; otherwise it is a GMP
/// `mpq_t`. The form is canonical (a big value never fits the small form), so equality,
/// ordering and hashing are exact and agree across the two forms.
@frozen
public struct ExactDecimal: Sendable {
  /// Either an inline canonical fraction or a GMP rational that does not fit one.
  @usableFromInline
  enum Storage: Sendable {
    /// Lowest terms, `denominator > 0`.
    case small(numerator: Int64, denominator: Int64)
    case big(BigRational)
  }

  @usableFromInline let storage: Storage

  /// Wraps a fraction already in lowest terms with a positive denominator.
  @inlinable @inline(__always)
  init(canonicalNumerator numerator: Int64, denominator: Int64) {
    storage = .small(numerator: numerator, denominator: denominator)
  }

  /// Wraps a big rational known not to fit the small form.
  @usableFromInline
  init(uncheckedBig big: BigRational) {
    storage = .big(big)
  }

  /// The integer `value` (write `ExactDecimal(5)` for a literal).
  @inlinable
  public init(_ value: ExactInt) {
    if let small = value.int64Value {
      self.init(canonicalNumerator: small, denominator: 1)
    } else {
      self = ExactDecimal.gmpFraction(value, ExactInt(1))
    }
  }

  /// The fraction `numerator/denominator` in lowest terms; throws
  /// `NumericError.divisionByZero` when `denominator` is zero.
  @inlinable
  public init(numerator: ExactInt, denominator: ExactInt) throws(NumericError) {
    if denominator.isZero { throw .divisionByZero }
    if let n = numerator.int64Value, let d = denominator.int64Value, n != .min, d != .min {
      self = d < 0 ? ExactDecimal.reduced(-n, -d) : ExactDecimal.reduced(n, d)
    } else {
      self = ExactDecimal.gmpFraction(numerator, denominator)
    }
  }

  /// Zero.
  public static let zero = ExactDecimal(0)

  /// One.
  public static let one = ExactDecimal(1)
}

// MARK: - Parts

extension ExactDecimal {
  /// The numerator in lowest terms (carries the sign).
  public var numerator: ExactInt {
    switch storage {
    case .small(let n, _): return ExactInt(n)
    case .big(let big): return ExactInt.computed { __gmpz_set($0, big.numeratorPointer) }
    }
  }

  /// The denominator in lowest terms (always positive).
  public var denominator: ExactInt {
    switch storage {
    case .small(_, let d): return ExactInt(d)
    case .big(let big): return ExactInt.computed { __gmpz_set($0, big.denominatorPointer) }
    }
  }

  /// -1, 0 or 1 according to the sign.
  @inlinable
  public var signum: Int {
    switch storage {
    case .small(let n, _): return n < 0 ? -1 : (n > 0 ? 1 : 0)
    case .big(let big): return ExactDecimal.bigSignum(big)
    }
  }

  /// True for zero.
  @inlinable
  public var isZero: Bool {
    if case .small(let n, _) = storage { return n == 0 }
    return false
  }

  /// True when the denominator is 1.
  @inlinable
  public var isInteger: Bool {
    if case .small(_, let d) = storage { return d == 1 }
    return denominator == ExactInt(1)
  }

  /// Whether this value is held in the GMP form (for tests and diagnostics).
  var isBig: Bool {
    if case .big = storage { return true }
    return false
  }

  /// Whether the representation is canonical: lowest terms, positive denominator, and a
  /// big value never fits the small form (tests).
  var isCanonical: Bool {
    switch storage {
    case .small(let n, let d):
      return d > 0 && greatestCommonDivisor(n.magnitude, UInt64(d)) == (n == 0 ? UInt64(d) : 1)
        && (n != 0 || d == 1)
    case .big(let big):
      let fits = mpzInt64(big.numeratorPointer) != nil && mpzInt64(big.denominatorPointer) != nil
      let gcd = ExactInt.computed { __gmpz_gcd($0, big.numeratorPointer, big.denominatorPointer) }
      return !fits && mpzSign(big.denominatorPointer) > 0 && gcd == ExactInt(1)
    }
  }

  @usableFromInline
  static func bigSignum(_ big: BigRational) -> Int {
    mpzSign(big.numeratorPointer)
  }
}

// MARK: - Small-form helpers

extension ExactDecimal {
  /// `n/d` in lowest terms; requires `d > 0`.
  @inlinable @inline(__always)
  static func reduced(_ n: Int64, _ d: Int64) -> ExactDecimal {
    if d == 1 { return ExactDecimal(canonicalNumerator: n, denominator: 1) }
    // The gcd divides d, so it is at most Int64.max; dividing by it cannot overflow.
    let g = Int64(greatestCommonDivisor(n.magnitude, UInt64(d)))
    return ExactDecimal(
      canonicalNumerator: signedQuotient(n, g), denominator: positiveQuotient(d, g))
  }
}

// MARK: - Arithmetic

extension ExactDecimal {
  /// The exact sum.
  @inlinable
  public static func + (x: ExactDecimal, y: ExactDecimal) -> ExactDecimal {
    if case .small(let a, let b) = x.storage, case .small(let c, let d) = y.storage,
      let sum = smallSum(a, b, c, d)
    {
      return sum
    }
    return gmpAdd(x, y)
  }

  /// The exact difference.
  @inlinable
  public static func - (x: ExactDecimal, y: ExactDecimal) -> ExactDecimal {
    if case .small(let a, let b) = x.storage, case .small(let c, let d) = y.storage,
      c != .min, let difference = smallSum(a, b, -c, d)
    {
      return difference
    }
    return gmpSubtract(x, y)
  }

  /// The exact product.
  @inlinable
  public static func * (x: ExactDecimal, y: ExactDecimal) -> ExactDecimal {
    if case .small(let a, let b) = x.storage, case .small(let c, let d) = y.storage,
      let product = smallProduct(a, b, c, d)
    {
      return product
    }
    return gmpMultiply(x, y)
  }

  /// The exact quotient; throws `NumericError.divisionByZero` when `y` is zero.
  @inlinable
  public static func / (x: ExactDecimal, y: ExactDecimal) throws(NumericError) -> ExactDecimal {
    if y.isZero { throw .divisionByZero }
    if case .small(let a, let b) = x.storage, case .small(let c, let d) = y.storage, c != .min,
      let quotient = smallProduct(a, b, c < 0 ? -d : d, c < 0 ? -c : c)
    {
      return quotient
    }
    return gmpDivide(x, y)
  }

  /// The exact negation.
  @inlinable
  public static prefix func - (x: ExactDecimal) -> ExactDecimal {
    if case .small(let a, let b) = x.storage, a != .min {
      return ExactDecimal(canonicalNumerator: -a, denominator: b)
    }
    return gmpNegate(x)
  }

  /// The absolute value.
  @inlinable
  public var magnitude: ExactDecimal {
    signum < 0 ? -self : self
  }

  /// `a/b + c/d` in 64 bits, or nil on overflow. Requires canonical inputs. Knuth's method
  /// (TAOCP 4.5.1): with coprime denominators the sum is already in lowest terms, otherwise
  /// only a gcd against the denominators' common factor is needed.
  @inlinable @inline(__always)
  static func smallSum(_ a: Int64, _ b: Int64, _ c: Int64, _ d: Int64) -> ExactDecimal? {
    if b == d {
      let (sum, overflow) = a.addingReportingOverflow(c)
      return overflow ? nil : reduced(sum, b)
    }
    let g = Int64(greatestCommonDivisor(UInt64(b), UInt64(d)))
    let (bg, dg) = (positiveQuotient(b, g), positiveQuotient(d, g))
    let (ad, o1) = a.multipliedReportingOverflow(by: dg)
    let (cb, o2) = c.multipliedReportingOverflow(by: bg)
    let (t, o3) = ad.addingReportingOverflow(cb)
    if o1 || o2 || o3 { return nil }
    // t == 0 would need a/b == -c/d with b != d, impossible for canonical inputs.
    let g2 = g == 1 ? 1 : Int64(greatestCommonDivisor(t.magnitude, UInt64(g)))
    let (denominator, o4) = bg.multipliedReportingOverflow(by: positiveQuotient(d, g2))
    if o4 { return nil }
    return ExactDecimal(canonicalNumerator: signedQuotient(t, g2), denominator: denominator)
  }

  /// `(a/b) × (c/d)` in 64 bits, or nil on overflow. Requires `b, d > 0` and lowest terms.
  @inlinable @inline(__always)
  static func smallProduct(_ a: Int64, _ b: Int64, _ c: Int64, _ d: Int64) -> ExactDecimal? {
    if a == 0 || c == 0 { return ExactDecimal(canonicalNumerator: 0, denominator: 1) }
    let g1 = Int64(greatestCommonDivisor(a.magnitude, UInt64(d)))
    let g2 = Int64(greatestCommonDivisor(c.magnitude, UInt64(b)))
    let (numerator, o1) = signedQuotient(a, g1).multipliedReportingOverflow(
      by: signedQuotient(c, g2))
    let (denominator, o2) = positiveQuotient(b, g2).multipliedReportingOverflow(
      by: positiveQuotient(d, g1))
    if o1 || o2 { return nil }
    return ExactDecimal(canonicalNumerator: numerator, denominator: denominator)
  }
}

// MARK: - GMP paths (not inlinable; tests call them directly to force the GMP path)

extension ExactDecimal {
  /// Builds a value by letting `build` write a fresh canonical `mpq_t`; returns it in
  /// canonical form (small when both parts fit in `Int64`).
  static func computed(_ build: (UnsafeMutablePointer<__mpq_struct>) -> Void) -> ExactDecimal {
    let big = BigRational(building: build)
    if let n = mpzInt64(big.numeratorPointer), let d = mpzInt64(big.denominatorPointer) {
      return ExactDecimal(canonicalNumerator: n, denominator: d)
    }
    return ExactDecimal(uncheckedBig: big)
  }

  /// Calls `body` with an `mpq_t` view of this value (temporary for small values).
  func withMPQ<R>(_ body: (UnsafePointer<__mpq_struct>) -> R) -> R {
    switch storage {
    case .small(let n, let d):
      return withTemporaryMPQ(n, d, body)
    case .big(let big):
      return withExtendedLifetime(big) { body(big.pointer) }
    }
  }

  /// Applies a binary GMP operation to `x` and `y`.
  static func gmpBinary(
    _ x: ExactDecimal, _ y: ExactDecimal,
    _ operation: (
      UnsafeMutablePointer<__mpq_struct>, UnsafePointer<__mpq_struct>, UnsafePointer<__mpq_struct>
    ) -> Void
  ) -> ExactDecimal {
    x.withMPQ { a in y.withMPQ { b in computed { operation($0, a, b) } } }
  }

  @usableFromInline
  static func gmpAdd(_ x: ExactDecimal, _ y: ExactDecimal) -> ExactDecimal {
    gmpBinary(x, y) { __gmpq_add($0, $1, $2) }
  }

  @usableFromInline
  static func gmpSubtract(_ x: ExactDecimal, _ y: ExactDecimal) -> ExactDecimal {
    gmpBinary(x, y) { __gmpq_sub($0, $1, $2) }
  }

  @usableFromInline
  static func gmpMultiply(_ x: ExactDecimal, _ y: ExactDecimal) -> ExactDecimal {
    gmpBinary(x, y) { __gmpq_mul($0, $1, $2) }
  }

  /// Division in GMP; `y` is known to be non-zero.
  @usableFromInline
  static func gmpDivide(_ x: ExactDecimal, _ y: ExactDecimal) -> ExactDecimal {
    gmpBinary(x, y) { __gmpq_div($0, $1, $2) }
  }

  @usableFromInline
  static func gmpNegate(_ x: ExactDecimal) -> ExactDecimal {
    x.withMPQ { a in computed { __gmpq_neg($0, a) } }
  }

  /// `numerator/denominator` reduced by GMP; `denominator` is known to be non-zero.
  @usableFromInline
  static func gmpFraction(_ numerator: ExactInt, _ denominator: ExactInt) -> ExactDecimal {
    ExactInt.withMPZ(numerator, denominator) { n, d in
      computed { q in
        __gmpz_set(&q.pointee._mp_num, n)
        __gmpz_set(&q.pointee._mp_den, d)
        __gmpq_canonicalize(q)
      }
    }
  }

  /// -1, 0 or 1 as `x` is below, equal to or above `y`, computed in GMP.
  @usableFromInline
  static func gmpCompare(_ x: ExactDecimal, _ y: ExactDecimal) -> Int {
    let c = x.withMPQ { a in y.withMPQ { b in __gmpq_cmp(a, b) } }
    return c < 0 ? -1 : (c > 0 ? 1 : 0)
  }
}

// MARK: - Comparison and hashing

extension ExactDecimal: Comparable, Hashable {
  /// Exact equality; the canonical form makes small and big values never equal.
  @inlinable
  public static func == (x: ExactDecimal, y: ExactDecimal) -> Bool {
    if case .small(let a, let b) = x.storage, case .small(let c, let d) = y.storage {
      return a == c && b == d
    }
    return gmpCompare(x, y) == 0
  }

  /// Exact ordering; small values compare by 128-bit cross multiplication, never GMP.
  @inlinable
  public static func < (x: ExactDecimal, y: ExactDecimal) -> Bool {
    if case .small(let a, let b) = x.storage, case .small(let c, let d) = y.storage {
      if b == d { return a < c }
      let left = a.multipliedFullWidth(by: d)
      let right = c.multipliedFullWidth(by: b)
      return left.high < right.high || (left.high == right.high && left.low < right.low)
    }
    return gmpCompare(x, y) < 0
  }

  /// Hashes the value; equal values hash equally because the form is canonical.
  public func hash(into hasher: inout Hasher) {
    switch storage {
    case .small(let n, let d):
      hasher.combine(0 as UInt8)
      hasher.combine(n)
      hasher.combine(d)
    case .big(let big):
      hasher.combine(1 as UInt8)
      hashMPZ(big.numeratorPointer, into: &hasher)
      hashMPZ(big.denominatorPointer, into: &hasher)
    }
  }
}
