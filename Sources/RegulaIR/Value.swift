// Runtime values of the reference interpreter: clear, not fast. The VM has its own
// plain-bit representation and is checked against these.
@_exported import RegulaJSON
@_exported import RegulaNumerics
@_exported import RegulaSema

/// A value of a Regula type.
public indirect enum Value: Sendable, Hashable {
  /// A Bool.
  case bool(Bool)
  /// An Int, unbounded: it never overflows.
  case int(ExactInt)
  /// A Decimal, as an exact rational (never binary floating point).
  case decimal(ExactDecimal)
  /// Money in whole fen.
  case money(Money)
  /// Money as an exact rational number of fen, before it is rounded to whole fen.
  case exactMoney(ExactMoney)
  /// A calendar date.
  case date(CivilDate)
  /// A number of days.
  case days(Days)
  /// A number of months.
  case months(Months)
  /// A number of years.
  case years(Years)
  /// A Text.
  case text(String)
  /// An enum case by its index in the enum's declaration.
  case enumCase(Int)
  /// Field values in declaration order.
  case record([Value])
  /// Items in order.
  case list([Value])
  /// Values by key-case index.
  case table([Value])
  /// An optional with no value; a present optional is the value itself.
  case none
  /// An input fact that the application did not give; reading it stops the evaluation.
  case unknown
}

extension Value {
  /// The value as JSON text, using the program's enum names and record fields.
  ///
  /// Money is a number of fen; Decimal and ExactMoney are strings, so they stay exact. A value
  /// that does not fit `type` prints as `null`.
  ///
  /// - Complexity: O(n) in the size of the value, times the lookups of enum and record names.
  public func json(_ type: RType, in program: IRProgram) -> String {
    switch (self, type) {
    case (.none, _), (.unknown, _): return "null"
    case (_, .optional(let wrapped)): return json(wrapped, in: program)
    case (.bool(let value), _): return value ? "true" : "false"
    case (.int(let value), _): return value.description
    case (.decimal(let value), _): return JSONText.quote(value.description)
    case (.money(let value), _): return value.fen.description
    case (.exactMoney(let value), _): return JSONText.quote(value.fen.description)
    case (.date(let value), _): return JSONText.quote(value.description)
    case (.days(let value), _): return String(value.count)
    case (.months(let value), _): return String(value.count)
    case (.years(let value), _): return String(value.count)
    case (.text(let value), _): return JSONText.quote(value)
    case (.enumCase(let index), .enumeration(let name)):
      return JSONText.quote(program.enumOutputNames(name)[safe: index] ?? "?")
    case (.record(let values), .record(let name)):
      let fields = program.recordFields(name)
      // An unknown fact is left out, as an application leaves it out.
      return "{"
        + zip(fields, values).filter { $0.1 != .unknown }.map {
          "\(JSONText.quote($0.name)):\($1.json($0.type, in: program))"
        }
        .joined(separator: ",") + "}"
    case (.list(let items), .list(let element)):
      return "[" + items.map { $0.json(element, in: program) }.joined(separator: ",") + "]"
    case (.table(let values), .table(let key, let value)):
      let cases = program.enumCases(key)
      return "{"
        + zip(cases, values).map { "\(JSONText.quote($0)):\($1.json(value, in: program))" }
        .joined(separator: ",") + "}"
    default: return "null"
    }
  }
}

extension Array {
  subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
