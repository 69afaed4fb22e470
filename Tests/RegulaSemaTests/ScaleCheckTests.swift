// Scales (Docs/language.md §13.1): what the checker accepts in `bracket { … }` bodies and in
// `marginal_rate`, `single_amount` and `marginal_amount`, and how brackets format.
import RegulaSema
import RegulaSyntax
import Testing

let scaleHeader = """
  policy p
  record Rate { threshold: Decimal  rate: Decimal }
  record Amount { threshold: Int  amount: Money }
  record Plain { low: Int  rate: Decimal }
  input application { x: Decimal  n: Int  pay: Money  exact: ExactMoney  day: Date }

  """

@Test func bracketsAreAScaleParameter() {
  assertDiagnostics(
    scaleHeader + """
      parameter s: List<Rate>
        bracket { threshold: 0, rate: 0.03 from 2013-01-01, 0.04 from 2015-01-01 }
        bracket { threshold: 12000 from 2013-01-01, 12100 from 2014-01-01 until 2019-12-31, rate: 10% }
      parameter a: List<Amount>
        bracket { threshold: -5, amount: 0 fen }
        bracket { threshold: 250, amount: 1 yuan }
      decision d: Decimal = marginal_rate(s, application.x) + marginal_rate(s, application.n)
      decision e: Money = single_amount(a, application.n) + marginal_amount(a, application.n)
      decision f: Decimal = marginal_rate(s as of application.day, 3)
      """, [])
  // Only a parameter, of a list type.
  assertDiagnostics(
    scaleHeader + "rule r: List<Rate> 1️⃣bracket { threshold: 0, rate: 1 }\n",
    [(.invalidScale, "1️⃣")])
  assertDiagnostics(
    scaleHeader + "parameter r: 1️⃣Rate\n  bracket { threshold: 0, rate: 1 }\n",
    [(.invalidScale, "1️⃣")])
  // Fields: each once, all of the record's, none other.
  assertDiagnostics(
    scaleHeader
      + "parameter r: List<Rate>\n  bracket { threshold: 0, rate: 1, 1️⃣rate: 2 }\n",
    [(.duplicateField, "1️⃣")])
  assertDiagnostics(
    scaleHeader + "parameter r: List<Rate>\n  1️⃣bracket { threshold: 0 }\n",
    [(.missingField, "1️⃣")])
  assertDiagnostics(
    scaleHeader + "parameter r: List<Rate>\n  bracket { threshold: 0, rate: 1, 1️⃣cap: 2 }\n",
    [(.undefinedField, "1️⃣")])
  // Values have the field's type.
  assertDiagnostics(
    scaleHeader + "parameter r: List<Rate>\n  bracket { threshold: 0, rate: 1️⃣true }\n",
    [(.typeMismatch, "1️⃣")])
}

@Test func aBracketFieldsValuesComeInDateOrder() {
  let head = scaleHeader + "parameter r: List<Rate>\n  bracket { threshold: 0, rate: "
  // Only the first value may be undated.
  assertDiagnostics(head + "1, 1️⃣2 }\n", [(.invalidScale, "1️⃣")])
  assertDiagnostics(
    head + "1 from 2020-01-01, 2 1️⃣from 2019-01-01 }\n", [(.overlappingValidity, "1️⃣")])
  assertDiagnostics(
    head + "1 from 2020-01-01 until 2020-12-31, 2 1️⃣from 2020-06-01 }\n",
    [(.overlappingValidity, "1️⃣")])
  assertDiagnostics(head + "1 1️⃣from 2020-01-01 until 2019-01-01 }\n", [(.emptyValidity, "1️⃣")])
  // Values never in force with the bracket's other fields (here, neither is).
  assertDiagnostics(
    scaleHeader
      + "parameter r: List<Rate>\n  bracket { threshold: 1️⃣0 from 2000-01-01 until 2019-12-31, "
      + "rate: 2️⃣1 from 2020-01-01 }\n",
    [(.invalidScale, "1️⃣"), (.invalidScale, "2️⃣")])
  // A gap is allowed: the bracket is absent on those days.
  assertDiagnostics(head + "1 from 2020-01-01 until 2020-12-31, 2 from 2022-01-01 }\n", [])
}

@Test func aScalesThresholdsIncrease() {
  let head = scaleHeader + "parameter r: List<Rate>\n"
  assertDiagnostics(
    head + "  bracket { threshold: 10, rate: 1 }\n  bracket { threshold: 1️⃣9.5, rate: 2 }\n",
    [(.invalidScale, "1️⃣")])
  assertDiagnostics(
    head + "  bracket { threshold: 10, rate: 1 }\n  bracket { threshold: 1️⃣10.0, rate: 2 }\n",
    [(.invalidScale, "1️⃣")])
  // Only on the days both brackets exist, with the values in force then.
  assertDiagnostics(
    head + """
        bracket { threshold: 10 from 2020-01-01, 9 from 2021-01-01, rate: 1 }
        bracket { threshold: 1️⃣8 from 2021-01-01, rate: 2 }
        bracket { threshold: -1% from 2010-01-01 until 2019-12-31, rate: 2 }

      """, [(.invalidScale, "1️⃣")])
  // A threshold that is not a number written out is skipped, not the comparison across it.
  assertDiagnostics(
    head + """
        bracket { threshold: 10, rate: 1 }
        bracket { threshold: middle, rate: 1 }
        bracket { threshold: 1️⃣5, rate: 2 }
      parameter middle: Decimal = 12

      """, [(.invalidScale, "1️⃣")])
  assertDiagnostics(
    head + """
        bracket { threshold: -2, rate: 1 }
        bracket { threshold: -150%, rate: 2 }
        bracket { threshold: 0.001, rate: 2 }
        bracket { threshold: 1_000, rate: 2 }

      """, [])
}

@Test func onlyAScaleParameterIsOverriddenWithBrackets() {
  let level = "  jurisdictions Province\nenum Province { SH }\n"
  let source = scaleHeader.replacingOccurrences(of: "policy p\n", with: "policy p\n" + level)
  assertDiagnostics(
    source + """
      parameter s: List<Rate> = []
      rule r: List<Rate> = []
      parameter d: Decimal = 1
      level province SH {
        override s
          bracket { threshold: 0, rate: 1 }
        override 1️⃣r
          bracket { threshold: 0, rate: 1 }
        override 2️⃣d
          bracket { threshold: 0, rate: 1 }
      }
      """, [(.invalidScale, "1️⃣"), (.invalidScale, "2️⃣")])
}

@Test func scaleFunctionsNeedAScaleAndAComparableBase() {
  assertDiagnostics(
    scaleHeader + "parameter p: List<Plain> = []\ndecision d: Decimal = marginal_rate(1️⃣p, 1)\n",
    [(.invalidScale, "1️⃣")])
  assertDiagnostics(
    scaleHeader
      + "parameter a: List<Amount> = []\ndecision d: Decimal = marginal_rate(1️⃣a, 1)\n",
    [(.invalidScale, "1️⃣")])
  assertDiagnostics(
    scaleHeader
      + "parameter a: List<Amount> = []\ndecision d: Money = single_amount(a, 1️⃣application.pay)\n",
    [(.invalidScale, "1️⃣")])
  assertDiagnostics(
    scaleHeader + "decision d: Decimal = marginal_rate(1️⃣3, 1)\n", [(.invalidScale, "1️⃣")])
  assertDiagnostics(
    scaleHeader + "parameter s: List<Rate> = []\ndecision d: Decimal = 1️⃣marginal_rate(s)\n",
    [(.wrongArguments, "1️⃣")])
}

@Test func bracketsFormatAsWritten() {
  assertFormatsAsWritten(
    """
    policy p

    parameter s: List<Rate> cite "art. 1"
      bracket { threshold: 0, rate: 0.03 from 2013-01-01, 0.04 from 2015-01-01 until 2016-12-31 }
      bracket {
        threshold: 12000 from 2013-01-01, 12100 from 2014-01-01, 12200 from 2015-01-01, 12300 from 2016-01-01
        rate: 10% from 2013-01-01
      }

    """)
}
