// One-sided bounds (`at least LOW`, `at most HIGH`, on values and on a list's length): parsed,
// checked like two-sided bounds, and formatted back as written.
import RegulaSema
import RegulaSyntax
import Testing

@Test func oneSidedBoundsAreCheckedLikeTwoSided() {
  let header = "policy p\nrecord M { a: Int }\n"
  assertDiagnostics(
    header
      + "input application { x: Int at least 0  y: Money at most 5 yuan  l: List<M> length at least 1 }\n",
    [])
  // Only ordered types take value bounds, only lists a length bound, and a bound has the
  // field's type.
  assertDiagnostics(
    header + "input application { x: Bool 1️⃣at least 1 }\n", [(.invalidConstraint, "1️⃣")])
  assertDiagnostics(
    header + "input application { x: Int 1️⃣length at most 3 }\n", [(.invalidConstraint, "1️⃣")])
  let (wrongType, _, _) = diagnose(header + "input application { x: Int at least \"a\" }\n")
  #expect(wrongType.count == 1)
  // A bound is a literal (possibly negated): an expression would leave the field unbounded.
  assertDiagnostics(
    header + "input application { x: Int at most 1️⃣2 + 3  y: Int in -5 to 2️⃣4 * 1 }\n",
    [(.invalidConstraint, "1️⃣"), (.invalidConstraint, "2️⃣")])
  assertDiagnostics(header + "input application { x: Int in -5 to 5 }\n", [])
  // `at` must be followed by `least` or `most`, and `in` by two bounds.
  let (misspelt, _, _) = diagnose(header + "input application { x: Int at lest 0 }\n")
  #expect(misspelt.first?.message == "expected `least` or `most` after `at`, found `lest`")
  let (mixed, _, _) = diagnose(header + "input application { x: Int in at least 0 }\n")
  #expect(!mixed.isEmpty)
}

@Test func oneSidedBoundsFormatAsWritten() {
  let source = """
    policy p

    record M {
      a: Int at least 0
      b: Money at most 5 yuan
      c: List<Int> length at least 1
      d: List<Int> length at most 2
      e: Int in 0 to 9
    }

    """
  assertFormatsAsWritten(source)
}
