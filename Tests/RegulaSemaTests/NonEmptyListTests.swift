// `first`, `last`, `min` and `max` without a filter over a list that cannot be empty are not
// optional: a list literal with items, or an input list declared with a length of at least 1.
import RegulaSema
import Testing

let nonEmptyPrelude = """
  policy p
  record Member { age: Int  scores: List<Int> length at least 1 }
  input application {
    members: List<Member> length 1 to 5
    maybe_empty: List<Int> length 0 to 5
    unbounded: List<Int>
    at_least_two: List<Int> length at least 2
  }

  """

@Test func firstOverANonEmptyInputListIsNotOptional() {
  assertDiagnostics(
    nonEmptyPrelude + """
      rule a: Int = first(m.age for m in application.members)
      rule b: Int = last(m.age for m in application.members)
      rule c: Int = min(m.age for m in application.members)
      rule d: Int = max(x in application.at_least_two)
      rule e: Int = first(x for x in [3, 4])
      """, [])
  // With a filter, the element may not be there.
  assertDiagnostics(
    nonEmptyPrelude + "rule a: Int = 1️⃣first(m.age for m in application.members where m.age > 3)\n",
    [(.unhandledOptional, "1️⃣")])
  // A list that may be empty, or of unknown length, keeps the optional.
  assertDiagnostics(
    nonEmptyPrelude + "rule a: Int = 1️⃣first(x for x in application.maybe_empty)\n",
    [(.unhandledOptional, "1️⃣")])
  assertDiagnostics(
    nonEmptyPrelude + "rule a: Int = 1️⃣max(x in application.unbounded)\n",
    [(.unhandledOptional, "1️⃣")])
  // Reached through a local, a list's bounds are not known to have been checked.
  assertDiagnostics(
    nonEmptyPrelude
      + "rule a: Int = sum(first(s for s in m.scores) ?? 0 for m in application.members)\n", [])
  // A default after a non-optional `first` could never apply.
  assertDiagnostics(
    nonEmptyPrelude + "rule a: Int = 1️⃣first(m.age for m in application.members) ?? 0\n",
    [(.typeMismatch, "1️⃣")])
}

@Test func theAsOfDateAndPeriodBoundsAreDates() {
  let prelude = "policy p\ninput application { d: Date }\n"
  assertDiagnostics(
    prelude
      + "rule a: Date = as_of_date()\nrule b: Int = year(first_day_of_month(application.d))\n"
      + "rule c: Bool = last_day_of_year(as_of_date()) > last_day_of_month(application.d)\n"
      + "rule e: Date = first_day_of_year(application.d)\n", [])
  assertDiagnostics(
    prelude + "rule a: Date = 1️⃣as_of_date(application.d)\n", [(.wrongArguments, "1️⃣")])
  assertDiagnostics(
    prelude + "rule a: Date = first_day_of_month(1️⃣3)\n", [(.typeMismatch, "1️⃣")])
}
