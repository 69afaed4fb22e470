// Input fields with defaults (`kids: List<Kid> = []`): a constant of the field's type, within
// its bounds, on a field of the input that is not optional; a default formats back as written.
import RegulaSema
import RegulaSyntax
import Testing

@Test func defaultsAreConstantsOfTheFieldsType() {
  let header = "policy p\nenum Status { owner, tenant }\n"
  assertDiagnostics(
    header + """
      record Kid { age: Int  school: Bool }
      input application {
        n: Int at least 0 = 3
        status: Status = tenant
        other: Status = Status.owner
        kids: List<Kid> length at most 5 = []
        amount: Money = 10 yuan
        start: Date in 2000-01-01 to 2099-12-31 = 2024-01-01
      }
      """, [])
  // The default has the field's type.
  assertDiagnostics(header + "input application { n: Int = 1️⃣true }\n", [(.typeMismatch, "1️⃣")])
  // An optional field is `none` when left out: a default would never apply.
  assertDiagnostics(header + "input application { n: Int? = 1️⃣3 }\n", [(.invalidDefault, "1️⃣")])
  // A constant only: not a parameter, not an expression.
  assertDiagnostics(
    header + "parameter k: Int = 3\ninput application { n: Int = 1️⃣k }\n",
    [(.invalidDefault, "1️⃣")])
  assertDiagnostics(
    header + "input application { n: Int = 1️⃣1 + 2 }\n", [(.invalidDefault, "1️⃣")])
  // Within the field's bounds, on its value or on a list's length.
  assertDiagnostics(
    header + "input application { n: Int in 1 to 9 = 1️⃣0 }\n", [(.invalidDefault, "1️⃣")])
  assertDiagnostics(
    header + "input application { l: List<Int> length at least 1 = 1️⃣[] }\n",
    [(.invalidDefault, "1️⃣")])
  // Only the input's fields: a record's value is compared and output whole.
  assertDiagnostics(
    header + "record Kid { age: Int  school: Bool = 1️⃣true }\n", [(.invalidDefault, "1️⃣")])
}

@Test func defaultsFormatAsWritten() {
  let source = """
    policy p

    input application {
      n: Int at least 0 = 3
      kids: List<Int> length at most 5 = [] cite "Art. 1"
    }

    """
  assertFormatsAsWritten(source)
}

@Test func aDatedExceptionIsCheckedAndFormatted() {
  let header = "policy p\ninput application { b: Bool }\nrule r: Int = 1\n"
  assertDiagnostics(
    header + "exception to r = 2 when application.b reason x from 2020-01-01 until 2020-12-31\n",
    [])
  assertDiagnostics(
    header + "exception to r = 2 when application.b reason x 1️⃣from 2021-01-01 until 2020-12-31\n",
    [(.emptyValidity, "1️⃣")])
  let source = """
    policy p

    rule r: Int = 1

    exception to r = 2 when true reason x from 2020-01-01 until 2020-12-31 cite "Art. 2"

    """
  assertFormatsAsWritten(source)
}

@Test func aParameterIsReadAsOfAnotherDate() {
  let header = """
    policy p
    input application { d: Date }
    parameter rate: Decimal
      from 2010-01-01 until 2015-12-31 = 0.10
      from 2016-01-01 = 0.15
    parameter computed: Int = 1 + 2
    rule r: Decimal = 1

    """
  assertDiagnostics(
    header + "rule a: Decimal = rate as of first_day_of_year(as_of_date())\n"
      + "rule b: Decimal = rate as of application.d\n", [])
  // The date is a Date.
  assertDiagnostics(header + "rule a: Decimal = rate as of 1️⃣3\n", [(.typeMismatch, "1️⃣")])
  // A rule, a parameter computed from an expression, or one with an override: evaluated as
  // a whole on that date.
  assertDiagnostics(header + "rule a: Decimal = r as of application.d\n", [])
  assertDiagnostics(header + "rule a: Int = computed as of application.d\n", [])
  assertDiagnostics(
    header
      + "level province SH {\n  override rate = 0.2\n}\nrule a: Decimal = rate as of application.d\n",
    [])
  // Only a name is read `as of` a date.
  assertDiagnostics(
    header + "rule a: Decimal = (1️⃣r + 1) as of application.d\n", [(.invalidOperands, "1️⃣")])
}

@Test func anEnumCaseMayHaveDates() {
  let header = "policy p\n"
  assertDiagnostics(
    header + "enum S { a, b from 2021-01-01, c as \"C\" from 2000-01-01 until 2020-12-31 }\n", [])
  assertDiagnostics(
    header + "enum S { a, b 1️⃣from 2021-01-01 until 2020-12-31 }\n", [(.emptyValidity, "1️⃣")])
  assertFormatsAsWritten(
    """
    policy p

    enum S { a, b from 2021-01-01, c as "C" from 2000-01-01 until 2020-12-31 }

    """)
}

@Test func aFirstOfCaseBindsAnOptional() {
  let header = "policy p\ninput application { o: Int?  n: Int }\n"
  assertDiagnostics(
    header
      + "rule r: Int\n  first of\n    x when some x = application.o and x > 1\n    0 otherwise\n",
    [])
  // The value bound must be optional.
  assertDiagnostics(
    header + "rule r: Int\n  first of\n    x when some x = 1️⃣application.n\n    0 otherwise\n",
    [(.typeMismatch, "1️⃣")])
  // The name is the case's only.
  assertDiagnostics(
    header
      + "rule r: Int\n  first of\n    x when some x = application.o\n    2️⃣x otherwise\n",
    [(.undefinedName, "2️⃣")])
  assertFormatsAsWritten(
    """
    policy p

    input application {
      o: Int?
    }

    rule r: Int
      first of
        x when some x = application.o and x > 1 reason big
        0 otherwise

    """)
}

/// From review: a binding's value keeps its parentheses when formatted, and `reason of` a name
/// a case binds still names the definition (so a cycle through it is found).
@Test func aBindingFormatsAndChecksAsWritten() {
  assertFormatsAsWritten(
    """
    policy p

    input application {
      o: Int?
      q: Int?
    }

    rule r: Int
      first of
        x when some x = (application.o ?? application.q) and x > 1
        0 otherwise

    """)
  assertDiagnostics(
    "policy p\ninput application { t: Text? }\nrule 1️⃣x: Text\n  first of\n"
      + "    \"a\" when some x = application.t and reason of x == \"k\" reason k\n"
      + "    \"b\" otherwise reason z\n",
    [(.dependencyCycle, "1️⃣")])
}
