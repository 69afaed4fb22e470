// The reference interpreter on small policies: values, reasons, jurisdictions, validity,
// exceptions, unknown facts and runtime errors.
import RegulaIR
import Testing

let w1Example = """
  {"id":"A0000001","hukou_province":"GD","residence_province":"SH",
   "residence_permit_months":14,"financial_assets_fen":1500000,"owns_second_home":false,
   "members":[{"age":34,"monthly_income_fen":250000,"disabled":false,"owns_vehicle":false},
              {"age":67,"monthly_income_fen":0,"disabled":true,"owns_vehicle":false}]}
  """

@Test func w1ExampleFromTheWorkloadSpecification() throws {
  var source = try goldenInput("w1.regula")
  source = source.replacingOccurrences(
    of: "input application {\n", with: "input application {\n  id: Text\n")
  let program = try compile(source)
  let result = decide(program, w1Example)
  #expect(result["eligible"] == "true")
  #expect(result["eligible.reason"] == "ok")
  #expect(result["benefit_fen"] == "67100")
}

let layered = """
  policy layered
    level national
    jurisdictions Province
  import "provinces.regula"
  input application { province: Province  months: Months  refugee: Bool }
  parameter required: Months
    from 2010-01-01 until 2023-12-31 = 12 months
    from 2024-01-01 = 6 months
  decision qualifies: Bool
    all of
      application.months >= required reason residence
  decision home_required: Months = required at application.province
  level province SH {
    override required = 3 months
    exception to qualifies = true when application.refugee reason refugee
  }
  level city GD.SZ {
    override required = 1 month
  }
  """

@Test func theMostSpecificDefinitionInForceApplies() throws {
  let program = try compile(layered)
  let application = #"{"province":"SH","months":4,"refugee":false}"#
  #expect(decide(program, application)["qualifies.reason"] == "residence")
  #expect(decide(program, application, jurisdiction: "SH")["qualifies"] == "true")
  #expect(decide(program, application, jurisdiction: "GD.SZ")["qualifies"] == "true")
  #expect(decide(program, application, jurisdiction: "SZ")["qualifies"] == "true")
  #expect(
    decide(program, application, asOf: "2020-01-01", jurisdiction: "BJ")["qualifies"] == "false")
  #expect(decide(program, application)["home_required"] == "3")
  #expect(decide(program, #"{"province":"BJ","months":4,"refugee":false}"#)["home_required"] == "6")
}

@Test func anExceptionAppliesInItsJurisdictionWithItsReason() throws {
  let program = try compile(layered)
  let application = #"{"province":"SH","months":0,"refugee":true}"#
  let result = decide(program, application, jurisdiction: "SH")
  #expect(result["qualifies"] == "true")
  #expect(result["qualifies.reason"] == "refugee")
  #expect(decide(program, application)["qualifies"] == "false")
}

@Test func noVersionInForceLeavesTheDecisionNotComputableNamingTheDefinition() throws {
  let program = try compile(layered)
  let result = decide(program, #"{"province":"BJ","months":4,"refugee":false}"#, asOf: "2009-12-31")
  #expect(result["error"] == nil)
  #expect(
    result["home_required"]
      == "not computable: `required` has no version in force on 2009-12-31 in `national`")
}

@Test func twoExceptionsThatHoldAtOnceAreAConflict() throws {
  let program = try compile(
    """
    policy p
    input application { a: Bool }
    decision d: Int = 0
    exception to d = 1 when application.a reason one
    exception to d = 2 when application.a reason two
    """)
  #expect(
    decide(program, #"{"a":true}"#)["error"]
      == "two exceptions to `d` hold at once in `national` (conflict; no silent pick)")
  #expect(decide(program, #"{"a":false}"#)["d"] == "0")
}

@Test func aMissingFactIsReportedOnlyWhenNeeded() throws {
  let program = try compile(
    """
    policy p
    input application { simple: Bool  income: Money }
    decision d: Money = if application.simple then 0 fen else application.income
    """)
  #expect(decide(program, #"{"simple":true}"#)["d"] == "0")
  #expect(decide(program, #"{"simple":false}"#)["error"] == "missing facts: `income`")
}

@Test func arithmeticIsExactAndRoundingNamesItsMode() throws {
  let program = try compile(
    """
    policy p
    input application { amount: Money }
    decision third: Money = round(application.amount / 3, half_up)
    decision third_down: Money = round(application.amount / 3, down)
    decision half_even: Money = round(application.amount * 0.5, half_even)
    decision yuan: Money = round(application.amount * 1.5%, half_up, 1 yuan)
    decision ratio: Decimal = application.amount / 400 fen
    """)
  let result = decide(program, #"{"amount":1001}"#)
  #expect(result["third"] == "334")
  #expect(result["third_down"] == "333")
  #expect(result["half_even"] == "500")
  #expect(result["yuan"] == "0")
  #expect(result["ratio"] == "\"2.5025\"")
}

@Test func datesAndAmbiguousMonthArithmetic() throws {
  let program = try compile(
    """
    policy p
    input application { birth: Date  start: Date }
    decision age: Years = age(application.birth, application.start)
    decision next: Date = add(application.start, 1 month, end_of_month)
    decision plain: Date = application.start + 1 month
    """)
  let leap = decide(program, #"{"birth":"2000-02-29","start":"2018-02-28"}"#)
  #expect(leap["age"] == "17")
  #expect(leap["next"] == "\"2018-03-28\"")
  let ambiguous = decide(program, #"{"birth":"2000-02-29","start":"2024-01-31"}"#)
  #expect(ambiguous["error"]?.contains("does not exist") == true)
}

@Test func firstLastAndAggregates() throws {
  let program = try compile(
    """
    policy p
    record Period { province: Text  months: Int }
    input application { periods: List<Period> }
    decision latest_long: Text = last(p.province for p in application.periods where p.months >= 120) ?? "none"
    decision first_any: Text = first(p.province for p in application.periods) ?? "none"
    decision total: Int = sum(p.months for p in application.periods)
    decision longest: Int = max(p.months for p in application.periods) ?? 0
    decision all_long: Bool = all(p in application.periods where p.months >= 12)
    """)
  let result = decide(
    program,
    #"{"periods":[{"province":"GD","months":130},{"province":"SH","months":150},{"province":"BJ","months":12}]}"#
  )
  #expect(result["latest_long"] == "\"SH\"")
  #expect(result["first_any"] == "\"GD\"")
  #expect(result["total"] == "292")
  #expect(result["longest"] == "150")
  #expect(result["all_long"] == "true")
  #expect(decide(program, #"{"periods":[]}"#)["latest_long"] == "\"none\"")
}

@Test func divisionByZeroIsARuntimeErrorNotACrash() throws {
  let program = try compile(
    """
    policy p
    input application { n: Int }
    decision d: Decimal = 10 / application.n
    """)
  #expect(decide(program, #"{"n":0}"#)["error"] == "division by zero")
}

@Test func theStepLimitStopsAHugeEvaluation() throws {
  let program = try compile(
    """
    policy p
    input application { xs: List<Int> }
    decision d: Int = sum(sum(y for y in application.xs) for x in application.xs)
    """)
  let items = Array(repeating: "1", count: 3000).joined(separator: ",")
  let input = try InputReader(program: program).read(
    try JSONReader.parse(Array("{\"xs\":[\(items)]}".utf8)))
  var limits = EvaluationLimits()
  limits.steps = 100_000
  #expect(throws: EvaluationError.self) {
    try Interpreter.evaluate(program, input: input, asOf: date("2024-01-01"), limits: limits)
  }
}

@Test func enumCasesCanHaveOtherNamesInJSONAndDecisionsKeywordNames() throws {
  let program = try compile(
    """
    policy p
    enum Status { dibao, no_status as "none", r51 as "R5.1_hukou" }
    input application { s: Status }
    decision status: Status = if application.s == no_status then r51 else application.s
    decision reason: Text = "kept"
    """)
  let result = decide(program, #"{"s":"none"}"#)
  #expect(result["status"] == "\"R5.1_hukou\"")
  #expect(result["reason"] == "\"kept\"")
  #expect(
    decide(program, #"{"s":"no_status"}"#)["error"]?.contains(
      "expected one of `dibao`, `none`, `R5.1_hukou`") == true)
}
