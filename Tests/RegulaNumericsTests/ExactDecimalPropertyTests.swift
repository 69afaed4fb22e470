// Property tests for ExactDecimal: the 64-bit fast path against GMP, field laws, rounding.
import Testing

@testable import RegulaNumerics

@Suite("ExactDecimal properties")
struct ExactDecimalPropertyTests {
  /// Runs `body` on `casesPerProperty` operand pairs drawn with `seed`.
  func forPairs(seed: UInt64, _ body: (ExactDecimal, ExactDecimal, inout Failures) -> Void)
    -> Failures
  {
    var random = SplitMix64(seed: seed)
    var failures = Failures()
    for _ in 0..<casesPerProperty {
      body(random.edgyDecimal(), random.edgyDecimal(), &failures)
    }
    return failures
  }

  @Test func additionMatchesGMP() {
    let failures = forPairs(seed: 21) { x, y, f in
      let sum = x + y
      f.check(sum == ExactDecimal.gmpAdd(x, y) && sum.isCanonical, "\(x) + \(y) = \(sum)")
    }
    #expect(failures.count == 0, "\(failures.summary)")
  }

  @Test func subtractionMatchesGMP() {
    let failures = forPairs(seed: 22) { x, y, f in
      let difference = x - y
      f.check(
        difference == ExactDecimal.gmpSubtract(x, y) && difference.isCanonical,
        "\(x) - \(y) = \(difference)")
    }
    #expect(failures.count == 0, "\(failures.summary)")
  }

  @Test func multiplicationMatchesGMP() {
    let failures = forPairs(seed: 23) { x, y, f in
      let product = x * y
      f.check(
        product == ExactDecimal.gmpMultiply(x, y) && product.isCanonical,
        "\(x) * \(y) = \(product)")
    }
    #expect(failures.count == 0, "\(failures.summary)")
  }

  @Test func divisionMatchesGMPAndInvertsMultiplication() {
    let failures = forPairs(seed: 24) { x, y, f in
      guard let quotient = try? x / y else {
        f.check(y.isZero, "\(x) / \(y) threw")
        return
      }
      f.check(
        quotient == ExactDecimal.gmpDivide(x, y) && quotient.isCanonical,
        "\(x) / \(y) = \(quotient)")
      f.check(quotient * y == x, "(\(x) / \(y)) * \(y) != \(x)")
    }
    #expect(failures.count == 0, "\(failures.summary)")
    #expect(throws: NumericError.divisionByZero) { try ExactDecimal(1) / ExactDecimal.zero }
  }

  @Test func negationMatchesGMP() {
    let failures = forPairs(seed: 25) { x, _, f in
      let negated = -x
      f.check(negated == ExactDecimal.gmpNegate(x) && negated.isCanonical, "-(\(x))")
      f.check(x + negated == .zero, "x + -x for \(x)")
    }
    #expect(failures.count == 0, "\(failures.summary)")
  }

  @Test func comparisonMatchesGMPAndIsAntisymmetric() {
    let failures = forPairs(seed: 26) { x, y, f in
      let expected = ExactDecimal.gmpCompare(x, y)
      f.check((x < y) == (expected < 0) && (x == y) == (expected == 0), "compare \(x) \(y)")
      f.check(!(x < y && y < x) && (x < y || y < x || x == y), "trichotomy \(x) \(y)")
    }
    #expect(failures.count == 0, "\(failures.summary)")
  }

  @Test func fieldLaws() {
    var random = SplitMix64(seed: 27)
    var failures = Failures()
    for _ in 0..<casesPerProperty {
      let (a, b, c) = (random.edgyDecimal(), random.edgyDecimal(), random.edgyDecimal())
      failures.check(a + b == b + a && a * b == b * a, "commutativity \(a) \(b)")
      failures.check((a + b) + c == a + (b + c), "associativity of + \(a) \(b) \(c)")
      failures.check((a * b) * c == a * (b * c), "associativity of * \(a) \(b) \(c)")
      failures.check(a * (b + c) == a * b + a * c, "distributivity \(a) \(b) \(c)")
    }
    #expect(failures.count == 0, "\(failures.summary)")
  }

  @Test func hashingAgreesWithEquality() {
    let failures = forPairs(seed: 28) { x, y, f in
      // The same value reached by the fast path and by the GMP path hashes the same.
      let viaFast = x + y
      let viaGMP = ExactDecimal.gmpSubtract(ExactDecimal.gmpAdd(x, y + y), y)
      f.check(viaFast == viaGMP && viaFast.hashValue == viaGMP.hashValue, "hash of \(viaFast)")
    }
    #expect(failures.count == 0, "\(failures.summary)")
  }

  @Test(arguments: RoundingMode.allCases)
  func roundingMatchesGMPAndBounds(mode: RoundingMode) {
    let failures = forPairs(seed: 29 + UInt64(RoundingMode.allCases.firstIndex(of: mode) ?? 0)) {
      x, _, f in
      let rounded = x.roundedToInteger(mode)
      f.check(rounded == ExactDecimal.gmpRoundedToInteger(x, mode), "round \(x) \(mode)")
      let error = ExactDecimal(rounded) - x  // rounded - exact
      let half = (try? ExactDecimal(1) / ExactDecimal(2)) ?? .zero
      switch mode {
      case .floor: f.check(error <= .zero && error > ExactDecimal(-1), "floor \(x)")
      case .ceiling: f.check(error >= .zero && error < ExactDecimal(1), "ceiling \(x)")
      case .down:
        f.check(
          error.magnitude < ExactDecimal(1)
            && rounded.magnitude <= x.roundedToInteger(.up).magnitude, "down \(x)")
      case .up:
        f.check(
          error.magnitude < ExactDecimal(1) && (error.isZero || error.signum == x.signum), "up \(x)"
        )
      case .halfUp, .halfEven: f.check(error.magnitude <= half, "half \(x)")
      }
    }
    #expect(failures.count == 0, "\(failures.summary)")
  }

  @Test func textRoundTrips() {
    let failures = forPairs(seed: 40) { x, _, f in
      f.check(ExactDecimal(x.description) == x, "round trip of \(x)")
    }
    #expect(failures.count == 0, "\(failures.summary)")
  }

  @Test func examples() throws {
    let rate = try ExactDecimal(parsing: "12%")
    #expect(rate.description == "0.12")
    #expect(try ExactDecimal(parsing: "1_234.50").description == "1234.5")
    #expect(try ExactDecimal(parsing: "7/3").description == "7/3")
    #expect(try (ExactDecimal(1) / ExactDecimal(3)).description == "1/3")
    #expect(
      try ExactDecimal(parsing: "0.15") + ExactDecimal(parsing: "0.05")
        == ExactDecimal(parsing: "0.2"))
    #expect(throws: NumericError.divisionByZero) { try ExactDecimal(parsing: "1/0") }
    #expect(throws: NumericError.invalidLiteral("1.")) { try ExactDecimal(parsing: "1.") }
    let third = try ExactDecimal(1) / ExactDecimal(3)
    #expect(third.rounded(toPlaces: 2, .halfUp).description == "0.33")
    #expect(
      try ExactDecimal(parsing: "2.675").rounded(toPlaces: 2, .halfEven).description == "2.68")
    #expect(
      try ExactDecimal(parsing: "2.665").rounded(toPlaces: 2, .halfEven).description == "2.66")
    #expect(try ExactDecimal(parsing: "-2.5").roundedToInteger(.halfUp) == ExactInt(-3))
    #expect(try ExactDecimal(parsing: "1234").rounded(toPlaces: -2, .halfUp).description == "1200")
    #expect(
      try ExactDecimal(parsing: "1.23").rounded(
        toMultipleOf: ExactDecimal(parsing: "0.05"), .halfUp
      ).description == "1.25")
    #expect(throws: NumericError.divisionByZero) {
      try ExactDecimal(1).rounded(toMultipleOf: .zero, .down)
    }
  }
}
