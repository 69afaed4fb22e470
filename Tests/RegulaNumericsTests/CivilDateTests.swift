// Calendar tests: leap rules, month ends, ISO text, month arithmetic policies, ages.
import Testing

@testable import RegulaNumerics

/// Parses a date that the test knows is valid.
func date(_ text: String) throws -> CivilDate { try CivilDate(iso8601: text) }

@Suite("CivilDate")
struct CivilDateTests {
  @Test func leapYearRules() {
    #expect(!CivilDate.isLeapYear(1900))
    #expect(CivilDate.isLeapYear(2000))
    #expect(!CivilDate.isLeapYear(2100))
    #expect(CivilDate.isLeapYear(2024))
    #expect(!CivilDate.isLeapYear(2023))
    #expect(throws: NumericError.invalidDate(year: 1900, month: 2, day: 29)) {
      try CivilDate(year: 1900, month: 2, day: 29)
    }
    #expect(throws: NumericError.invalidDate(year: 2100, month: 2, day: 29)) {
      try CivilDate(year: 2100, month: 2, day: 29)
    }
    #expect((try? date("2000-02-29")) != nil && (try? date("2024-02-29")) != nil)
  }

  @Test(arguments: [1900, 2000, 2023, 2024, 2100] as [Int64])
  func everyMonthEnd(year: Int64) throws {
    let lengths: [Int64] = [
      31, CivilDate.isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
    ]
    for (index, length) in lengths.enumerated() {
      let month = Int64(index + 1)
      let end = try CivilDate(year: year, month: month, day: length)
      #expect(end.components == (year, month, length))
      #expect(throws: NumericError.self) {
        try CivilDate(year: year, month: month, day: length + 1)
      }
      let next = try end.adding(Days(1))
      #expect(next.day == 1 && next.month == (month % 12) + 1)
    }
  }

  @Test func dayCountsRoundTripAcrossTheWholeRange() throws {
    var expected = CivilDate.earliest.components
    var day = CivilDate.earliest.daysSince1970
    #expect(CivilDate.earliest.description == "0001-01-01")
    #expect(CivilDate.latest.description == "9999-12-31")
    var failures = Failures()
    while day <= CivilDate.latest.daysSince1970 {
      let current = try CivilDate(daysSince1970: day)
      failures.check(current.components == expected, "day \(day) is \(current)")
      // The ISO text (written in place) reads back, on a sample of days and every first.
      if day % 11 == 0 || expected.day == 1 {
        let text = current.description
        failures.check(
          text.utf8.count == 10 && (try? CivilDate(iso8601: text)) == current,
          "day \(day) is written `\(text)`")
      }
      // Advance the expected components by one day by hand.
      if expected.day < CivilDate.daysInMonth(year: expected.year, month: expected.month) {
        expected.day += 1
      } else if expected.month < 12 {
        expected = (expected.year, expected.month + 1, 1)
      } else {
        expected = (expected.year + 1, 1, 1)
      }
      day += 1
    }
    #expect(failures.count == 0, "\(failures.summary)")
    #expect(try date("1970-01-01").daysSince1970 == 0)
    #expect(throws: NumericError.dateOutOfRange) { try CivilDate.latest.adding(Days(1)) }
    #expect(throws: NumericError.dateOutOfRange) { try CivilDate.earliest.adding(Days(-1)) }
    #expect(throws: NumericError.dateOutOfRange) { try CivilDate.earliest.adding(Days(.min)) }
  }

  @Test func isoParsingIsStrict() throws {
    #expect(try date("2024-02-29").description == "2024-02-29")
    for bad in [
      "2024-2-29", "20240229", "2024-02-29T00:00", " 2024-02-29", "0000-01-01", "+2024-01-01",
    ] {
      #expect(throws: NumericError.self) { try date(bad) }
    }
    #expect(throws: NumericError.invalidDate(year: 2023, month: 2, day: 29)) {
      try date("2023-02-29")
    }
  }

  @Test func addingMonthsWithEachPolicy() throws {
    let jan31 = try date("2023-01-31")
    #expect(throws: NumericError.ambiguousDate(year: 2023, month: 2, day: 31)) {
      try jan31.adding(Months(1), policy: .reject)
    }
    #expect(try jan31.adding(Months(1), policy: .roundDown).description == "2023-02-28")
    #expect(try jan31.adding(Months(1), policy: .roundUp).description == "2023-03-01")
    #expect(
      try date("2024-01-31").adding(Months(1), policy: .roundDown).description == "2024-02-29")
    #expect(try jan31.adding(Months(2), policy: .reject).description == "2023-03-31")
    #expect(try jan31.adding(Months(-2), policy: .roundDown).description == "2022-11-30")
    let leapDay = try date("2024-02-29")
    #expect(throws: NumericError.self) { try leapDay.adding(Years(1), policy: .reject) }
    #expect(try leapDay.adding(Years(1), policy: .roundDown).description == "2025-02-28")
    #expect(try leapDay.adding(Years(1), policy: .roundUp).description == "2025-03-01")
    #expect(try leapDay.adding(Years(4), policy: .reject).description == "2028-02-29")
    #expect(throws: NumericError.dateOutOfRange) {
      try leapDay.adding(Years(8000), policy: .reject)
    }
    #expect(throws: NumericError.dateOutOfRange) {
      try leapDay.adding(Months(.max), policy: .reject)
    }
  }

  @Test func ageAroundBirthdays() throws {
    let birth = try date("2000-06-15")
    #expect(birth.age(on: try date("2018-06-14")) == Years(17))
    #expect(birth.age(on: try date("2018-06-15")) == Years(18))
    #expect(birth.age(on: try date("2018-06-16")) == Years(18))
    let leapling = try date("2000-02-29")
    #expect(leapling.age(on: try date("2001-02-28")) == Years(0))  // common year: not yet
    #expect(leapling.age(on: try date("2001-03-01")) == Years(1))  // reached on 1 March
    #expect(leapling.age(on: try date("2004-02-28")) == Years(3))
    #expect(leapling.age(on: try date("2004-02-29")) == Years(4))  // leap year: on the day
    #expect(leapling.age(on: try date("2004-03-01")) == Years(4))
    #expect(leapling.age(on: leapling) == Years(0))
  }

  @Test func monthsAndDaysBetween() throws {
    let jan31 = try date("2023-01-31")
    #expect(jan31.wholeMonths(until: try date("2023-02-28")) == Months(0))
    #expect(jan31.wholeMonths(until: try date("2023-03-01")) == Months(1))
    #expect(try date("2023-01-15").wholeMonths(until: try date("2023-03-15")) == Months(2))
    #expect(try date("2023-03-15").wholeMonths(until: try date("2023-01-15")) == Months(-2))
    #expect(jan31.days(until: try date("2024-01-31")) == Days(365))
    #expect(try date("2024-01-31").days(until: try date("2025-01-31")) == Days(366))
  }

  @Test func durationsReportOverflow() throws {
    #expect(try Days(2) + Days(3) == Days(5))
    #expect(throws: NumericError.overflow) { try Days(.max) + Days(1) }
    #expect(throws: NumericError.overflow) { try Months(.min) - Months(1) }
    #expect(throws: NumericError.overflow) { try -Years(.min) }
    #expect(throws: NumericError.overflow) { try Months(Years(.max)) }
    #expect(try Months(Years(2)) == Months(24))
    #expect(Days(3).description == "3 days")
  }
}
