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
