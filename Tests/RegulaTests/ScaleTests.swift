// Scales (Docs/language.md §13.1): brackets with their own dated values, and `marginal_rate`,
// `single_amount` and `marginal_amount` applied to them, on both engines; the trace shows an
// application as one node.
import Foundation
import Regula
import Testing

let scalePolicy = """
  policy s
    from 2000-01-01
  source law "A scale law"
  record RateBracket { threshold: Decimal  rate: Decimal }
  record AmountBracket { threshold: Int  amount: Money }
  record MoneyBracket { threshold: Money  rate: Decimal }
  input application { base: Decimal  income: Int  pay: Money }
  parameter tax: List<RateBracket> cite law "art. 1"
    bracket { threshold: 0, rate: 0.03 from 2013-01-01, 0.04 from 2015-01-01 }
    bracket { threshold: 12000 from 2013-01-01, 12100 from 2014-01-01, rate: 10% from 2013-01-01 }
    bracket { threshold: 20000 from 2015-01-01 until 2015-12-31, rate: 0.2 from 2015-01-01 }
  parameter meals: List<AmountBracket> cite law "art. 2"
    bracket { threshold: 0, amount: 0 fen }
    bracket { threshold: 250, amount: 1 yuan }
    bracket { threshold: 500, amount: 2 yuan }
  parameter fees: List<MoneyBracket> cite law "art. 3"
    bracket { threshold: 0 yuan, rate: 0.1 }
    bracket { threshold: 100 yuan, rate: 0.2 }
  decision tax_due: Decimal = marginal_rate(tax, application.base)
  decision tax_2014: Decimal = marginal_rate(tax as of 2014-06-01, application.base)
  decision meal: Money = single_amount(meals, application.income)
  decision pool: Money = marginal_amount(meals, application.income)
  decision fee: ExactMoney = marginal_rate(fees, application.pay)
  decision int_base: Decimal = marginal_rate(tax, application.income)

  """

@Test func scalesApplyOnEveryDayAsTheirBracketsSay() throws {
  let files = ["s.regula": Array(scalePolicy.utf8)]
  let policy = try #require(CompiledPolicy.compile(path: "s.regula") { files[$0] }.result.output)
  func decide(_ day: String, base: String, income: Int64, pay: Int64) -> String {
    let input = Value.record([
      .decimal(ExactDecimal(base)!), .int(ExactInt(income)), .money(Money(fen: ExactInt(pay))),
    ])
    let (interpreted, machined) = bothAnswers(
      policy, input: input, asOf: date(day), jurisdiction: "national")
    #expect(interpreted == machined)
    return machined
  }
  let taxes: [(day: String, base: String, decision: String, value: String)] = [
    // Before 2013 only the first bracket's threshold has a value: no bracket exists, so 0.
    ("2012-12-31", "50000", "tax_due", "0"),
    // 2013: 3% to 12000, 10% above. 15000 → 360 + 300.
    ("2013-07-01", "15000", "tax_due", "660"),
    // 2014: the second threshold moved to 12100 → 363 + 290.
    ("2014-01-01", "15000", "tax_due", "653"),
    // 2015: 4%, 10% from 12100, 20% from 20000 (that year only). 25000 → 484 + 790 + 1000.
    ("2015-12-31", "25000", "tax_due", "2274"),
    // The scale as of another date: 2014's on 2015-12-31.
    ("2015-12-31", "25000", "tax_2014", "1653"),
    // 2016: the third bracket has ended. 25000 → 484 + 1290.
    ("2016-01-01", "25000", "tax_due", "1774"),
    // A base below the first threshold, and a fractional base.
    ("2016-01-01", "-5", "tax_due", "0"), ("2016-01-01", "0.5", "tax_due", "0.02"),
  ]
  for tax in taxes {
    let record = decide(tax.day, base: tax.base, income: 0, pay: 0)
    #expect(record.contains("\"\(tax.decision)\":{\"value\":\"\(tax.value)\"}"), "\(tax)")
  }
  var record: String
  // Single amount: thresholds inclusive; marginal amount: strictly below.
  for (income, meal, pool) in [
    (0, "0", "0"), (1, "0", "0"), (250, "100", "0"), (251, "100", "100"), (500, "200", "100"),
    (501, "200", "300"), (-3, "0", "0"),
  ] as [(Int64, String, String)] {
    record = decide("2016-01-01", base: "0", income: income, pay: 0)
    #expect(record.contains("\"meal\":{\"value\":\(meal)}"), "\(income): \(record)")
    #expect(record.contains("\"pool\":{\"value\":\(pool)}"), "\(income): \(record)")
  }
  // Money thresholds and a Money base give ExactMoney (in fen: 10% of 100 yuan + 20% of 50
  // yuan); an Int base meets Decimal thresholds.
  record = decide("2016-01-01", base: "0", income: 13000, pay: 15_000)
  #expect(record.contains("\"fee\":{\"value\":\"2000\"}"), "\(record)")  // fen
  #expect(record.contains("\"int_base\":{\"value\":\"574\"}"), "\(record)")
}

@Test func aScaleApplicationIsOneTraceNodeCitingItsScale() throws {
  let files = ["s.regula": Array(scalePolicy.utf8)]
  let policy = try #require(CompiledPolicy.compile(path: "s.regula") { files[$0] }.result.output)
  var evaluator = Evaluator(policy: policy)
  let application = Array(#"{"base": "15000", "income": 300, "pay": 100}"#.utf8)
  let (_, trace) = try evaluator.explain(json: application, asOf: date("2013-07-01"))
  let json = trace.json(record: nil)
  #expect(
    json.contains(
      #""kind":"call","text":"marginal_rate(tax, application.base)","function":"marginal_rate","value":"660""#
    ), "\(json)")
  #expect(json.contains(#""citation":"A scale law, art. 1""#), "\(json)")
  // The node shows the value and each bracket's part (3% of 12000, 10% of 3000), not the
  // conditions of the aggregates it is written with.
  #expect(!json.contains(#""role":"where""#), "\(json)")
  #expect(json.contains(#""element":"[0]","value":"360""#), "\(json)")
  #expect(json.contains(#""element":"[1]","value":"300""#), "\(json)")
  #expect(!json.contains(#""element":"[2]""#), "\(json)")
  // The scale read is a node of its own, naming the version in force.
  #expect(json.contains(#"in force from 2013-01-01 until 2013-12-31"#), "\(json)")
}

/// Found in review: `single_amount` below every threshold is 0 on both engines (the VM once
/// read `none` as 0 when comparing a Decimal with a Decimal?), and an override written as
/// brackets leaves the national scale in force outside its days.
@Test func aScaleBelowItsThresholdsAndAnOverridesDays() throws {
  let source = """
    policy o
      from 2000-01-01
      jurisdictions Province
    enum Province { SH, BJ }
    record Level { threshold: Decimal  amount: Int }
    input application { base: Decimal  province: Province  maybe: Decimal? }
    parameter levels: List<Level>
      bracket { threshold: 0, amount: 100 }
      bracket { threshold: 10, amount: 200 }
    level province SH {
      override levels
        bracket { threshold: 0 from 2024-01-01 until 2024-12-31, amount: 7 from 2024-01-01 }
    }
    decision amount: Int = single_amount(levels, application.base)
    decision same: Bool = application.base == application.maybe

    """
  let files = ["o.regula": Array(source.utf8)]
  let policy = try #require(CompiledPolicy.compile(path: "o.regula") { files[$0] }.result.output)
  let cases: [(base: String, place: String, day: String, maybe: Value, expected: String)] = [
    ("-1", "national", "2024-06-01", .none, #""amount":{"value":0},"same":{"value":false}"#),
    ("0", "national", "2024-06-01", .none, #""amount":{"value":100},"same":{"value":false}"#),
    (
      "0", "SH", "2024-06-01", .decimal(ExactDecimal("0")!),
      #""amount":{"value":7},"same":{"value":true}"#
    ),
    (
      "12", "SH", "2023-12-31", .decimal(ExactDecimal("1")!),
      #""amount":{"value":200},"same":{"value":false}"#
    ),
    ("12", "SH", "2025-01-01", .none, #""amount":{"value":200}"#),
  ]
  for item in cases {
    let input = Value.record([.decimal(ExactDecimal(item.base)!), .enumCase(0), item.maybe])
    let (interpreted, machined) = bothAnswers(
      policy, input: input, asOf: date(item.day), jurisdiction: item.place)
    #expect(interpreted == machined)
    #expect(machined.contains(item.expected), "\(item): \(machined)")
  }
}

/// Found in review: a sum of optionals overflows on both engines when the overflow comes
/// before the first `none`.
@Test func aSumOfOptionalsOverflowsBeforeItsNoneOnBothEngines() throws {
  let source = """
    policy v
      from 2000-01-01
    input application { values: List<Days?> }
    decision total: Days? = sum(v for v in application.values)

    """
  let files = ["v.regula": Array(source.utf8)]
  let policy = try #require(CompiledPolicy.compile(path: "v.regula") { files[$0] }.result.output)
  let input = Value.record([.list([.days(Days(Int64.max)), .days(Days(1)), .none])])
  let (interpreted, machined) = bothAnswers(
    policy, input: input, asOf: date("2024-01-01"), jurisdiction: "national")
  #expect(interpreted == machined)
  #expect(machined.hasPrefix("error"), "\(machined)")
}
