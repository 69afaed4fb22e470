// Days, Months and Years: distinct calendar duration types over checked Int64 counts.

/// A count of calendar units. Arithmetic is only between values of the same type, and an
/// overflow throws `NumericError.overflow` instead of wrapping or trapping.
public protocol CalendarDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// The signed number of units.
  var count: Int64 { get }
  /// A duration of `count` units.
  init(_ count: Int64)
  /// The unit's plural name, used by `description` (`days`).
  static var unitName: String { get }
}

extension CalendarDuration {
  /// The sum; throws `NumericError.overflow`.
  @inlinable
  public static func + (a: Self, b: Self) throws(NumericError) -> Self {
    let (sum, overflow) = a.count.addingReportingOverflow(b.count)
    if overflow { throw .overflow }
    return Self(sum)
  }

  /// The difference; throws `NumericError.overflow`.
  @inlinable
  public static func - (a: Self, b: Self) throws(NumericError) -> Self {
    let (difference, overflow) = a.count.subtractingReportingOverflow(b.count)
    if overflow { throw .overflow }
    return Self(difference)
  }

  /// The negation; throws `NumericError.overflow` for the most negative count.
  @inlinable
  public static prefix func - (a: Self) throws(NumericError) -> Self {
    if a.count == .min { throw .overflow }
    return Self(-a.count)
  }

  /// Orders by count.
  @inlinable
  public static func < (a: Self, b: Self) -> Bool { a.count < b.count }

  /// The count and unit: `3 days`.
  public var description: String { "\(count) \(Self.unitName)" }
}

/// A number of days.
@frozen
public struct Days: CalendarDuration {
  /// The signed number of days.
  public let count: Int64
  /// A duration of `count` days.
  @inlinable public init(_ count: Int64) { self.count = count }
  /// `days`.
  public static var unitName: String { "days" }
}

/// A number of calendar months.
@frozen
public struct Months: CalendarDuration {
  /// The signed number of months.
  public let count: Int64
  /// A duration of `count` months.
  @inlinable public init(_ count: Int64) { self.count = count }
  /// `months`.
  public static var unitName: String { "months" }

  /// The months in `years` years; throws `NumericError.overflow`.
  @inlinable
  public init(_ years: Years) throws(NumericError) {
    let (months, overflow) = years.count.multipliedReportingOverflow(by: 12)
    if overflow { throw .overflow }
    self.count = months
  }
}

/// A number of calendar years.
@frozen
public struct Years: CalendarDuration {
  /// The signed number of years.
  public let count: Int64
  /// A duration of `count` years.
  @inlinable public init(_ count: Int64) { self.count = count }
  /// `years`.
  public static var unitName: String { "years" }
}
