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
