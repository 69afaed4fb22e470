// CivilDate: a day of the proleptic Gregorian calendar (0001-01-01 ... 9999-12-31).

/// What adding months or years does when the day does not exist in the target month
/// (31 January + 1 month, 29 February + 1 year).
public enum MonthEndPolicy: Sendable, Hashable, CaseIterable {
  /// Throw `NumericError.ambiguousDate`.
  case reject
  /// Use the last day of the target month (31 Jan + 1 month = 28 or 29 Feb).
  case roundDown
  /// Use the first day of the month after the target month (31 Jan + 1 month = 1 Mar).
  case roundUp
}

/// A calendar date held as a day count (days since 1970-01-01) in the proleptic Gregorian
/// calendar, restricted to years 1 through 9999.
@frozen
public struct CivilDate: Sendable, Hashable, Comparable {
  /// Days since 1970-01-01 (negative before it).
  public let daysSince1970: Int64

  /// The first supported day, 0001-01-01.
  public static let earliest = CivilDate(uncheckedDaysSince1970: -719_162)
  /// The last supported day, 9999-12-31.
  public static let latest = CivilDate(uncheckedDaysSince1970: 2_932_896)

  /// Wraps a day count known to be in range.
  @inlinable
  init(uncheckedDaysSince1970 days: Int64) {
    daysSince1970 = days
  }

  /// The date `days` days after 1970-01-01; throws `NumericError.dateOutOfRange`.
  @inlinable
  public init(daysSince1970 days: Int64) throws(NumericError) {
    guard days >= CivilDate.earliest.daysSince1970, days <= CivilDate.latest.daysSince1970 else {
      throw .dateOutOfRange
    }
    daysSince1970 = days
  }

  /// The date with the given parts; throws `NumericError.invalidDate` unless the year is
  /// 1...9999, the month 1...12 and the day exists in that month.
  public init(year: Int64, month: Int64, day: Int64) throws(NumericError) {
    guard (1...9999).contains(year), (1...12).contains(month),
      day >= 1, day <= CivilDate.daysInMonth(year: year, month: month)
    else { throw .invalidDate(year: year, month: month, day: day) }
    daysSince1970 = CivilDate.dayCount(year: year, month: month, day: day)
  }

  /// Orders chronologically.
  @inlinable
  public static func < (a: CivilDate, b: CivilDate) -> Bool { a.daysSince1970 < b.daysSince1970 }
}

// MARK: - Calendar rules

extension CivilDate {
  /// Whether `year` has a 29 February: divisible by 4, except centuries not divisible
  /// by 400 (1900 and 2100 are common years, 2000 and 2024 leap years).
  public static func isLeapYear(_ year: Int64) -> Bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
  }

  /// The number of days in `month` (1...12) of `year`.
  public static func daysInMonth(year: Int64, month: Int64) -> Int64 {
    switch month {
    case 2: return isLeapYear(year) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  /// Days since 1970-01-01 of a valid date (H. Hinnant's `days_from_civil`, years ≥ 1).
  static func dayCount(year: Int64, month: Int64, day: Int64) -> Int64 {
    let y = month <= 2 ? year - 1 : year
    let era = y / 400
    let yearOfEra = y - era * 400
    let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  /// The year, month and day of this date (H. Hinnant's `civil_from_days`).
  public var components: (year: Int64, month: Int64, day: Int64) {
    let z = daysSince1970 + 719_468  // non-negative for every supported date
    let era = z / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let shiftedMonth = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
    let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
    return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
  }

  /// The year, 1...9999.
  public var year: Int64 { components.year }
  /// The month, 1...12.
  public var month: Int64 { components.month }
  /// The day of the month, 1...31.
  public var day: Int64 { components.day }
}

// MARK: - Arithmetic

extension CivilDate {
  /// The date `days` later (earlier when negative); throws `NumericError.dateOutOfRange`.
  @inlinable
  public func adding(_ days: Days) throws(NumericError) -> CivilDate {
    let (result, overflow) = daysSince1970.addingReportingOverflow(days.count)
    if overflow { throw .dateOutOfRange }
    return try CivilDate(daysSince1970: result)
  }

  /// The same day `months` later. When the target month lacks the day, `policy` decides
  /// (`.reject` throws `NumericError.ambiguousDate`). Throws `NumericError.dateOutOfRange`
  /// when the result leaves years 1...9999.
  public func adding(_ months: Months, policy: MonthEndPolicy) throws(NumericError) -> CivilDate {
    let (year, month, day) = components
    let (total, overflow) = (year * 12 + month - 1).addingReportingOverflow(months.count)
    guard !overflow, total >= 12, total < 10_000 * 12 else { throw .dateOutOfRange }
    let (newYear, newMonth) = (total / 12, total % 12 + 1)
    let length = CivilDate.daysInMonth(year: newYear, month: newMonth)
    if day <= length { return try CivilDate(year: newYear, month: newMonth, day: day) }
    switch policy {
    case .reject: throw .ambiguousDate(year: newYear, month: newMonth, day: day)
    case .roundDown: return try CivilDate(year: newYear, month: newMonth, day: length)
    case .roundUp: return try CivilDate(year: newYear, month: newMonth, day: length).adding(Days(1))
    }
  }

  /// The same day `years` later; 29 February in a common target year is decided by `policy`.
  public func adding(_ years: Years, policy: MonthEndPolicy) throws(NumericError) -> CivilDate {
    try adding(Months(years), policy: policy)
  }

  /// The signed number of days from this date to `other`.
  @inlinable
  public func days(until other: CivilDate) -> Days {
    Days(other.daysSince1970 - daysSince1970)  // both in range: no overflow
  }

  /// The whole months from this date to `other`: the largest `n` with
  /// `self.adding(Months(n), policy: .roundUp) <= other` when `other >= self`, and
  /// `-(other.wholeMonths(until: self))` otherwise. So 31 Jan → 28 Feb is 0 months,
  /// 31 Jan → 1 Mar is 1 month, 15 Jan → 15 Mar is 2 months.
  public func wholeMonths(until other: CivilDate) -> Months {
    if other < self { return Months(-other.wholeMonths(until: self).count) }
    let (y1, m1, d1) = components
    let (y2, m2, d2) = other.components
    let months = (y2 - y1) * 12 + (m2 - m1)
    return Months(d2 < d1 ? months - 1 : months)
  }

  /// The age in full years on `date` of someone born on this date: the whole months
  /// until `date` divided by 12, rounded toward zero (negative when `date` is earlier).
  /// A birthday falls on the same month and day; a 29 February birthday is reached on
  /// 1 March in common years.
  public func age(on date: CivilDate) -> Years {
    Years(wholeMonths(until: date).count / 12)
  }
}

// MARK: - ISO 8601 text

extension CivilDate: CustomStringConvertible, LosslessStringConvertible {
  /// The date as ISO 8601 `YYYY-MM-DD`.
  public var description: String {
    let (year, month, day) = components
    guard (0...9999).contains(year) else {
      return CivilDate.padded(year, 4) + "-" + CivilDate.padded(month, 2) + "-"
        + CivilDate.padded(day, 2)
    }
    // Ten ASCII bytes written in place: a small string, no allocation (a record and a log
    // entry render one per decision).
    return String(unsafeUninitializedCapacity: 10) { buffer in
      func put(_ value: Int64, _ width: Int, at start: Int) {
        var rest = value
        for offset in stride(from: start + width - 1, through: start, by: -1) {
          buffer[offset] = UInt8(truncatingIfNeeded: 0x30 + rest % 10)
          rest /= 10
        }
      }
      put(year, 4, at: 0)
      buffer[4] = UInt8(ascii: "-")
      put(month, 2, at: 5)
      buffer[7] = UInt8(ascii: "-")
      put(day, 2, at: 8)
      return 10
    }
  }

  /// Parses ISO 8601 `YYYY-MM-DD`; returns nil where `init(iso8601:)` would throw.
  public init?(_ description: String) {
    guard let date = try? CivilDate(iso8601: description) else { return nil }
    self = date
  }

  /// Parses exactly `YYYY-MM-DD` (ten ASCII characters, a real day, year 0001...9999).
  /// Throws `NumericError.invalidLiteral` for other shapes and `NumericError.invalidDate`
  /// for days that do not exist.
  public init(iso8601 text: String) throws(NumericError) {
    let bytes = Array(text.utf8)
    guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
      let year = CivilDate.number(bytes[0..<4]), let month = CivilDate.number(bytes[5..<7]),
      let day = CivilDate.number(bytes[8..<10])
    else { throw .invalidLiteral(text) }
    try self.init(year: year, month: month, day: day)
  }

  /// The value of a run of ASCII digits, or nil if any byte is not a digit.
  static func number(_ bytes: ArraySlice<UInt8>) -> Int64? {
    var value: Int64 = 0
    for byte in bytes {
      guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
      value = value * 10 + Int64(byte - UInt8(ascii: "0"))
    }
    return value
  }

  /// `value` in decimal, left-padded with zeros to `width`.
  static func padded(_ value: Int64, _ width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
  }
}
