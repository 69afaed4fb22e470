// Property tests for ExactInt: the 64-bit fast path against the GMP path, and algebraic laws.
import Testing

@testable import RegulaNumerics

@Suite("ExactInt properties")
struct ExactIntPropertyTests {
  /// Runs `body` on `casesPerProperty` operand pairs drawn with `seed`.
  func forPairs(seed: UInt64, _ body: (ExactInt, ExactInt, inout Failures) -> Void) -> Failures {
    var random = SplitMix64(seed: seed)
    var failures = Failures()
    for _ in 0..<casesPerProperty {
      body(random.edgyExactInt(), random.edgyExactInt(), &failures)
    }
    return failures
  }

  @Test func additionMatchesGMP() {
    let failures = forPairs(seed: 1) { a, b, f in
      let sum = a + b
      f.check(sum == ExactInt.gmpAdd(a, b) && sum.isCanonical, "\(a) + \(b) = \(sum)")
    }
    #expect(failures.count == 0, "\(failures.summary)")
  }

  @Test func subtractionMatchesGMP() {
    let failures = forPairs(seed: 2) { a, b, f in
      let difference = a - b
      f.check(
        difference == ExactInt.gmpSubtract(a, b) && difference.isCanonical,
        "\(a) - \(b) = \(difference)")
    }
    #expect(failures.count == 0, "\(failures.summary)")
  }

  @Test func multiplicationMatchesGMP() {
    let failures = forPairs(seed: 3) { a, b, f in
      let product = a * b
      f.check(
        product == ExactInt.gmpMultiply(a, b) && product.isCanonical, "\(a) * \(b) = \(product)")
    }
    #expect(failures.count == 0, "\(failures.summary)")
  }

  @Test func negationMatchesGMP() {
    let failures = forPairs(seed: 4) { a, _, f in
      let negated = -a
      f.check(negated == ExactInt.gmpNegate(a) && negated.isCanonical, "-(\(a)) = \(negated)")
      f.check(-negated == a && a + negated == ExactInt(0), "double negation of \(a)")
    }
    #expect(failures.count == 0, "\(failures.summary)")
  }

  @Test(arguments: [DivisionRule.truncating, .flooring])
  func divisionMatchesGMPAndIdentity(rule: DivisionRule) throws {
    let failures = forPairs(seed: rule == .truncating ? 5 : 6) { a, b, f in
      guard let (q, r) = try? a.quotientAndRemainder(dividingBy: b, rule) else {
        f.check(b.isZero, "\(a) / \(b) threw")
        return
      }
      let (gq, gr) = ExactInt.gmpDivide(a, b, rule)
      f.check(q == gq && r == gr && q.isCanonical && r.isCanonical, "\(a) / \(b) = \(q) r \(r)")
      f.check(q * b + r == a && r.magnitude < b.magnitude, "identity for \(a) / \(b)")
      let signOK = r.isZero || r.signum == (rule == .truncating ? a.signum : b.signum)
      f.check(signOK, "remainder sign for \(a) / \(b)")
    }
    #expect(failures.count == 0, "\(failures.summary)")
    #expect(throws: NumericError.divisionByZero) {
      try ExactInt(5).quotientAndRemainder(dividingBy: ExactInt(0), rule)
    }
  }

  @Test func comparisonMatchesGMPAndIsAntisymmetric() {
    let failures = forPairs(seed: 7) { a, b, f in
      let expected = ExactInt.gmpCompare(a, b)
      f.check((a < b) == (expected < 0) && (a == b) == (expected == 0), "compare \(a) \(b)")
      f.check(!(a < b && b < a) && ((a < b) || (b < a) || (a == b)), "trichotomy \(a) \(b)")
    }
    #expect(failures.count == 0, "\(failures.summary)")
  }

  @Test func ringLaws() {
    var random = SplitMix64(seed: 8)
    var failures = Failures()
    for _ in 0..<casesPerProperty {
      let (a, b, c) = (random.edgyExactInt(), random.edgyExactInt(), random.edgyExactInt())
      failures.check(a + b == b + a && a * b == b * a, "commutativity \(a) \(b)")
      failures.check((a + b) + c == a + (b + c), "associativity of + \(a) \(b) \(c)")
      failures.check((a * b) * c == a * (b * c), "associativity of * \(a) \(b) \(c)")
      failures.check(a * (b + c) == a * b + a * c, "distributivity \(a) \(b) \(c)")
      failures.check(a - b + b == a, "subtraction inverse \(a) \(b)")
    }
    #expect(failures.count == 0, "\(failures.summary)")
  }

  @Test func hashingAgreesWithEquality() {
    let failures = forPairs(seed: 9) { a, b, f in
      // The same value reached by two routes (fast path, GMP path) hashes the same.
      let viaFast = a + b
      let viaGMP = ExactInt.gmpSubtract(ExactInt.gmpAdd(a, b + b), b)
      f.check(viaFast == viaGMP && viaFast.hashValue == viaGMP.hashValue, "hash of \(viaFast)")
    }
    #expect(failures.count == 0, "\(failures.summary)")
  }

  @Test func textRoundTrips() {
    let failures = forPairs(seed: 10) { a, _, f in
      f.check(ExactInt(a.description) == a, "round trip of \(a)")
    }
    #expect(failures.count == 0, "\(failures.summary)")
  }

  @Test func boundaryExamples() throws {
    let max = ExactInt(Int64.max)
    let min = ExactInt(Int64.min)
    #expect((max + ExactInt(1)).description == "9223372036854775808")
    #expect((max + ExactInt(1)).isBig)
    #expect((max + ExactInt(1) - ExactInt(1)).int64Value == Int64.max)
    #expect((-min).description == "9223372036854775808")
    #expect((min * ExactInt(-1)).isBig)
    #expect(try min.quotient(dividingBy: ExactInt(-1), .truncating) == -min)
    #expect(try ExactInt(-7).quotientAndRemainder(dividingBy: ExactInt(2), .flooring) == (-4, 1))
    #expect(try ExactInt(-7).quotientAndRemainder(dividingBy: ExactInt(2), .truncating) == (-3, -1))
    #expect(ExactInt("1_000_000") == ExactInt(1_000_000))
    #expect(ExactInt("1__0") == nil && ExactInt("") == nil && ExactInt("-") == nil)
    #expect(ExactInt(2).power(100).description == "1267650600228229401496703205376")
  }
}
