// `places N` on a Decimal definition: the checker proves every value has at most N decimal
// places (R0321), and the declaration formats as written.
import RegulaSema
import RegulaSyntax
import Testing

let placesHeader = """
  policy p
  input application { x: Decimal  n: Int  m: Money  items: List<Int> }
  rule two: Decimal places 2 = round(application.x, half_up, 2)

  """

@Test func placesAreProvedFromHowTheValueIsWritten() {
  assertDiagnostics(
    placesHeader + """
      rule one: Decimal places 1 = 0.5
      decision a: Decimal places 2 = two + one * 3 - 12% + decimal(application.n)
      decision b: Decimal? places 3 = if application.n > 0 then two * one else none
      decision c: Decimal places 2 = let t = two in max(t, -t, abs(t))
      decision d: Decimal places 0 = application.n + sum(i for i in application.items)
      decision e: Decimal places 4
        first of
          two * two when application.n > 1
          0.25 otherwise
      decision f: Decimal places 2
        from 2020-01-01 until 2020-12-31 = 1.5
        from 2021-01-01 = if application.n > 0 then two else 0.00
      rule g(v: Decimal): Decimal places 1 = round(v, down, 1)
      decision h: Decimal places 1 = g(application.x)
      """, [])
}

@Test func placesThatCannotBeShownAreRefused() {
  // A division, an input, more places than declared, in any version or case.
  assertDiagnostics(
    placesHeader + "decision d: Decimal places 2 = 1️⃣application.x / 3\n",
    [(.invalidPlaces, "1️⃣")])
  assertDiagnostics(
    placesHeader + "decision d: Decimal places 2 = 1️⃣application.x\n", [(.invalidPlaces, "1️⃣")])
  assertDiagnostics(
    placesHeader + "decision d: Decimal places 2 = 1️⃣0.125\n", [(.invalidPlaces, "1️⃣")])
  assertDiagnostics(
    placesHeader + "decision d: Decimal places 3 = 1️⃣two * two\n", [(.invalidPlaces, "1️⃣")])
  assertDiagnostics(
    placesHeader + "decision d: Decimal places 2 = 1️⃣round(application.x, up, 3)\n",
    [(.invalidPlaces, "1️⃣")])
  assertDiagnostics(
    placesHeader
      + "decision d: Decimal places 1\n  first of\n    1️⃣two when application.n > 1\n    0 otherwise\n",
    [(.invalidPlaces, "1️⃣")])
  // A function's parameter named like a definition with places is not that definition.
  assertDiagnostics(
    placesHeader + "rule f(two: Decimal): Decimal places 2 = 1️⃣two\n", [(.invalidPlaces, "1️⃣")])
  // Only on a Decimal, from 0 to 18.
  assertDiagnostics(
    placesHeader + "decision d: Money 1️⃣places 2 = application.m\n", [(.invalidPlaces, "1️⃣")])
  assertDiagnostics(
    placesHeader + "decision d: Decimal 1️⃣places 19 = 1\n", [(.invalidPlaces, "1️⃣")])
}

@Test func placesFormatAsWritten() {
  assertFormatsAsWritten(
    """
    policy p

    decision d: Decimal places 2 cite "R3.2" = round(1.005, half_up, 2)

    """)
}
