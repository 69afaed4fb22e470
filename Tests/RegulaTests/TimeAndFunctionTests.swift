// Evaluation of functions and period bounds, on both engines, at the edges of the calendar.
import Foundation
import Regula
import Testing

@Test func periodBoundsHoldAtTheEdgesOfTheCalendar() throws {
  let source = """
    policy p
      from 0001-01-01
    input application { d: Date }
    decision last_of_month: Date = last_day_of_month(application.d)
    decision first_of_month: Date = first_day_of_month(application.d)
    decision last_of_year: Date = last_day_of_year(application.d)
    decision first_of_year: Date = first_day_of_year(application.d)
    decision today: Date = as_of_date()

    """
  let files = ["p.regula": Array(source.utf8)]
  let policy = try #require(CompiledPolicy.compile(path: "p.regula") { files[$0] }.result.output)
  let cases: [(String, String, String)] = [
    ("9999-12-15", "9999-12-31", "9999-12-01"), ("0001-01-01", "0001-01-31", "0001-01-01"),
    ("2024-02-10", "2024-02-29", "2024-02-01"), ("2023-02-28", "2023-02-28", "2023-02-01"),
    ("2100-02-01", "2100-02-28", "2100-02-01"), ("2024-04-30", "2024-04-30", "2024-04-01"),
  ]
  for (day, last, first) in cases {
    let (interpreted, machined) = bothAnswers(
      policy, input: .record([.date(date(day))]), asOf: date("2024-06-01"),
      jurisdiction: "national")
    #expect(interpreted == machined)
    #expect(machined.contains("\"last_of_month\":{\"value\":\"\(last)\"}"), "\(day): \(machined)")
    #expect(machined.contains("\"first_of_month\":{\"value\":\"\(first)\"}"), "\(day): \(machined)")
    #expect(machined.contains("\"today\":{\"value\":\"2024-06-01\"}"))
  }
}

/// A dated exception holds on its days only; on other days its condition is not evaluated, so
/// a fact it alone reads is not needed.
@Test func aDatedExceptionHoldsOnItsDaysOnly() throws {
  let source = """
    policy e
      from 2000-01-01
    input application { b: Bool  n: Int }
    rule base: Int = application.n
    exception to base = 100 when application.b reason covid from 2020-02-01 until 2022-12-31
    decision d: Int = base

    """
  let files = ["e.regula": Array(source.utf8)]
  let policy = try #require(CompiledPolicy.compile(path: "e.regula") { files[$0] }.result.output)
  let cases: [(String, Value, String)] = [
    ("2020-02-01", .record([.bool(true), .int(1)]), "\"d\":{\"value\":100}"),
    ("2022-12-31", .record([.bool(true), .int(1)]), "\"d\":{\"value\":100}"),
    ("2023-01-01", .record([.bool(true), .int(1)]), "\"d\":{\"value\":1}"),
    ("2020-01-31", .record([.unknown, .int(2)]), "\"d\":{\"value\":2}"),
    ("2021-01-01", .record([.unknown, .int(2)]), "\"missing_facts\":[\"b\"]"),
  ]
  for (day, input, wanted) in cases {
    let (interpreted, machined) = bothAnswers(
      policy, input: input, asOf: date(day), jurisdiction: "national")
    #expect(interpreted == machined)
    #expect(machined.contains(wanted), "\(day): \(machined)")
  }
}

/// `PARAMETER as of DATE` takes the version in force on DATE, on both engines and in a policy
/// specialised for the evaluation's date (whose own versions are then gone); a date no version
/// covers stops the evaluation with the same message.
@Test func aParameterAsOfAnotherDateTakesThatDatesVersion() throws {
  let source = """
    policy ao
      from 2000-01-01
    input application { d: Date }
    parameter rate: Decimal
      from 2010-01-01 until 2015-12-31 = 0.10
      from 2016-01-01 = 0.15
    decision now: Decimal = rate
    decision then: Decimal = rate as of application.d
    decision in_january: Decimal = rate as of first_day_of_year(as_of_date())

    """
  let files = ["ao.regula": Array(source.utf8)]
  let policy = try #require(CompiledPolicy.compile(path: "ao.regula") { files[$0] }.result.output)
  let special = try policy.specialised(asOf: date("2016-03-01"))
  for candidate in [policy, special] {
    let (interpreted, machined) = bothAnswers(
      candidate, input: .record([.date(date("2012-05-05"))]), asOf: date("2016-03-01"),
      jurisdiction: "national")
    #expect(interpreted == machined)
    #expect(
      machined.contains(
        "{\"now\":{\"value\":\"0.15\"},\"then\":{\"value\":\"0.1\"},\"in_january\":{\"value\":\"0.15\"}}"
      ), "\(machined)")
  }
  let (interpreted, machined) = bothAnswers(
    policy, input: .record([.date(date("2005-01-01"))]), asOf: date("2016-03-01"),
    jurisdiction: "national")
  #expect(interpreted == machined)
  #expect(
    machined.contains(
      "\"then\":{\"not_computable\":\"not computable: a parameter read with `as of` in `then` has no version in force on that date\"}"
    ), "\(machined)")
  #expect(machined.contains("\"now\":{\"value\":\"0.15\"}"), "\(machined)")
  // Traced, the read is a node named by the parameter, with its value.
  var evaluator = Evaluator(policy: policy)
  evaluator.machine.isTracing = true
  _ = try evaluator.record(
    for: .record([.date(date("2012-05-05"))]), asOf: date("2016-03-01"), jurisdiction: "national")
  let then = try #require(evaluator.buildTrace().roots.first { $0.name == "then" })
  let read = try #require(then.children.first { $0.kind == .call })
  #expect(read.function == "rate")
  #expect(read.text == "rate as of application.d")
  #expect(read.value?.json == "\"0.1\"")
}

/// `max` over a list declared non-empty is not optional; given an empty list anyway (a value
/// loaded without the reader's length check), both engines stop with the same message.
@Test func aNonEmptyListFoundEmptyStopsBothEnginesAlike() throws {
  let source = """
    policy ne
      from 2000-01-01
    input application { ages: List<Int> length at least 1 }
    decision eldest: Int = max(a for a in application.ages)

    """
  let files = ["ne.regula": Array(source.utf8)]
  let policy = try #require(CompiledPolicy.compile(path: "ne.regula") { files[$0] }.result.output)
  let (full, fullVM) = bothAnswers(
    policy, input: .record([.list([.int(3), .int(7)])]), asOf: date("2024-01-01"),
    jurisdiction: "national")
  #expect(full == fullVM)
  #expect(fullVM.contains("\"eldest\":{\"value\":7}"))
  let (interpreted, machined) = bothAnswers(
    policy, input: .record([.list([])]), asOf: date("2024-01-01"), jurisdiction: "national")
  #expect(interpreted == "error: a list declared to hold at least one element is empty")
  #expect(machined.hasPrefix(interpreted), "\(machined)")
}
