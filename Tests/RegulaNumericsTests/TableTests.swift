// Checks every case of Data/cases.tsv, computed independently by Python (make_cases.py).
import Foundation
import Testing

@testable import RegulaNumerics

@Suite("Independent table")
struct TableTests {
  /// The rows of the table, each split on tabs, grouped by operation.
  static let rows: [String: [[String]]] = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("Data/cases.tsv")
    guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [:] }
    var rows: [String: [[String]]] = [:]
    for line in text.split(separator: "\n", omittingEmptySubsequences: true)
    where !line.hasPrefix("#") {
      let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      rows[fields[0], default: []].append(Array(fields.dropFirst()))
    }
    return rows
  }()

  /// Every operation the table contains; the test fails if one is missing or unchecked.
  static let operations = [
    "int+", "int-", "int*", "intdivT", "intdivF", "dec+", "dec-", "dec*", "dec/", "dec<",
    "round", "moneyRate", "moneyYuan", "parse", "yuan", "addMonths", "addDays", "days",
    "months", "age", "iso",
  ]

  @Test func tableIsComplete() {
    #expect(Set(TableTests.rows.keys) == Set(TableTests.operations))
    #expect(TableTests.rows.values.reduce(0) { $0 + $1.count } > 10_000)
  }

  @Test(arguments: operations)
  func operation(_ name: String) throws {
    let rows = try #require(TableTests.rows[name])
    var failures = Failures()
    for row in rows {
      let actual = TableTests.evaluate(name, Array(row.dropLast()))
      failures.check(
        actual == row.last, "\(name) \(row.dropLast()) gave \(actual), want \(row.last ?? "")")
    }
    #expect(failures.count == 0, "\(failures.summary)")
  }

  /// Runs one table operation and renders its result as the table does.
  static func evaluate(_ name: String, _ args: [String]) -> String {
    do {
      return try evaluateThrowing(name, args)
    } catch {
      return "error"
    }
  }

  static func evaluateThrowing(_ name: String, _ args: [String]) throws -> String {
    switch name {
    case "int+", "int-", "int*", "intdivT", "intdivF": return try integer(name, args)
    case "dec+", "dec-", "dec*", "dec/", "dec<": return try decimal(name, args)
    case "round", "moneyRate", "moneyYuan", "parse", "yuan": return try rounding(name, args)
    default: return try calendar(name, args)
    }
  }

  static func integer(_ name: String, _ args: [String]) throws -> String {
    let a = try ExactInt(parsing: args[0])
    let b = try ExactInt(parsing: args[1])
    switch name {
    case "int+": return (a + b).description
    case "int-": return (a - b).description
    case "int*": return (a * b).description
    default:
      let rule: DivisionRule = name == "intdivT" ? .truncating : .flooring
      let (q, r) = try a.quotientAndRemainder(dividingBy: b, rule)
      return "\(q) \(r)"
    }
  }

  static func decimal(_ name: String, _ args: [String]) throws -> String {
    let x = try ExactDecimal(parsing: args[0])
    let y = try ExactDecimal(parsing: args[1])
    switch name {
    case "dec+": return (x + y).description
    case "dec-": return (x - y).description
    case "dec*": return (x * y).description
    case "dec/": return try (x / y).description
    default: return x < y ? "true" : "false"
    }
  }

  static func mode(_ text: String) throws -> RoundingMode {
    let modes: [String: RoundingMode] = [
      "halfUp": .halfUp, "halfEven": .halfEven, "down": .down, "up": .up, "floor": .floor,
      "ceiling": .ceiling,
    ]
    return try #require(modes[text])
  }

  static func rounding(_ name: String, _ args: [String]) throws -> String {
    switch name {
    case "round":
      let places = try #require(Int(args[1]))
      return try ExactDecimal(parsing: args[0]).rounded(toPlaces: places, mode(args[2])).description
    case "moneyRate", "moneyYuan":
      let exact = try Money(fen: ExactInt(parsing: args[0])) * ExactDecimal(parsing: args[1])
      if name == "moneyRate" { return try exact.rounded(mode(args[2])).fenDescription }
      return try exact.rounded(toMultipleOf: Money(fen: 100), mode(args[2])).fenDescription
    case "parse":
      return try ExactDecimal(parsing: args[0]).description
    default:
      return Money(fen: try ExactInt(parsing: args[0])).yuanDescription
    }
  }

  static func policy(_ text: String) throws -> MonthEndPolicy {
    let policies: [String: MonthEndPolicy] = [
      "reject": .reject, "roundDown": .roundDown, "roundUp": .roundUp,
    ]
    return try #require(policies[text])
  }

  static func calendar(_ name: String, _ args: [String]) throws -> String {
    let first = try CivilDate(iso8601: args[0])
    switch name {
    case "addMonths":
      let count = try #require(Int64(args[1]))
      return try first.adding(Months(count), policy: policy(args[2])).description
    case "addDays":
      return try first.adding(Days(try #require(Int64(args[1])))).description
    case "days": return String(first.days(until: try CivilDate(iso8601: args[1])).count)
    case "months": return String(first.wholeMonths(until: try CivilDate(iso8601: args[1])).count)
    case "age": return String(first.age(on: try CivilDate(iso8601: args[1])).count)
    default: return first.description
    }
  }
}
