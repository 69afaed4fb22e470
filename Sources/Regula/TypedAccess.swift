// Typed access to a decision record by name, so that a service reads `record["eligible"]?.bool`
// rather than guessing a position and parsing JSON text.

extension DecisionRecord {
  /// The decision named `name`, or nil when the record has none (not in the policy, or not
  /// asked for with `Evaluator.select(decisions:)`).
  public subscript(name: String) -> Decision? {
    decisions.first { $0.name == name }
  }
}

extension DecisionRecord.Decision {
  /// The value as a JSON value; nil when the decision is undecided. `none` is `.null`.
  public var value: JSONValue? {
    guard isDecided else { return nil }
    return try? JSONReader.parse(Array(json.utf8))
  }

  /// A Bool decision's value.
  public var bool: Bool? {
    if case .bool(let value)? = value { return value }
    return nil
  }

  /// An Int decision's value (or a duration's count: Days, Months, Years), exactly.
  public var integer: ExactInt? {
    guard case .number(let text)? = value else { return nil }
    return try? ExactInt(parsing: text)
  }

  /// A Money decision's value (records write Money as an integer number of fen).
  public var money: Money? { integer.map(Money.init(fen:)) }

  /// A Decimal or ExactMoney decision's value (records write it as an exact string: `0.15`,
  /// or `13262/75` when it has no finite decimal form).
  public var decimal: ExactDecimal? {
    guard case .string(let text)? = value else { return nil }
    if let slash = text.firstIndex(of: "/") {
      guard let numerator = try? ExactInt(parsing: String(text[..<slash])),
        let denominator = try? ExactInt(parsing: String(text[text.index(after: slash)...]))
      else { return nil }
      return try? ExactDecimal(numerator: numerator, denominator: denominator)
    }
    return try? ExactDecimal(parsing: text)
  }

  /// A Date decision's value.
  public var date: CivilDate? {
    guard case .string(let text)? = value else { return nil }
    return try? CivilDate(iso8601: text)
  }

  /// A Text decision's value, or an enum decision's case as the JSON names it.
  public var text: String? {
    if case .string(let text)? = value { return text }
    return nil
  }

  /// True when the decision's value is `none` (an optional decision with no value).
  public var isNone: Bool { value == .null }
}

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

extension DecisionRecord {
  /// The decided decisions as a `Decodable` value whose properties are named like them (a
  /// `Codable` bridge): `struct W1: Decodable { var eligible: Bool; var benefit_fen: Int }`.
  /// Values decode as the record writes them: Money as an integer number of fen, Decimal as a
  /// string (`"0.15"`, `"13262/75"`), Date as `"YYYY-MM-DD"`, enums and Text as strings, `none`
  /// as null. An undecided decision is absent (declare it optional to allow that).
  ///
  /// - Throws: `DecodingError` when the decisions do not fit `type`.
  public func decode<T: Decodable>(_ type: T.Type) throws -> T {
    let members = decisions.filter(\.isDecided).map { "\(JSONWriter.quote($0.name)):\($0.json)" }
    let document = "{" + members.joined(separator: ",") + "}"
    return try JSONDecoder().decode(type, from: Data(document.utf8))
  }
}
