// A seeded generator of well-typed Regula policies and applications, for differential
// testing of the VM against the reference interpreter. Programs go through the whole front
// end, so the generator writes source text.

struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

enum GenType: CaseIterable {
  case int, decimal, money, bool, date, color, months
  var name: String {
    switch self {
    case .int: "Int"
    case .decimal: "Decimal"
    case .money: "Money"
    case .bool: "Bool"
    case .date: "Date"
    case .color: "Color"
    case .months: "Months"
    }
  }
}

struct ProgramGenerator {
  var rng: SplitMix64
  var rules: [(name: String, type: GenType)] = []
  var locals: [(name: String, type: GenType)] = []
  var localCounter = 0

  static let header = """
    policy random_program
    enum Color { red, green, blue }
    record Item {
      amount: Money
      count: Int
      color: Color
      flag: Bool
    }
    input application {
      i: Int
      j: Int
      d: Decimal
      m: Money
      b: Bool
      day: Date
      months: Months
      color: Color
      maybe: Int?
      items: List<Item>
    }

    """

  init(seed: UInt64) { rng = SplitMix64(seed: seed) }

  mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &rng) < percent }
  mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &rng)] }

  /// A policy of a few decisions, each reading inputs and earlier decisions.
  mutating func program() -> String {
    rules = []
    var text = Self.header
    for index in 0..<Int.random(in: 2...6, using: &rng) {
      let type = pick(GenType.allCases)
      let name = "r\(index)"
      text += "decision \(name): \(type.name)" + body(type) + "\n"
      rules.append((name, type))
    }
    return text
  }

  mutating func body(_ type: GenType) -> String {
    if type == .bool && chance(25) {
      let conditions = (0..<Int.random(in: 1...3, using: &rng)).map {
        "    \(expr(.bool, depth: 2)) reason c\($0)"
      }
      return "\n  all of\n" + conditions.joined(separator: "\n")
    }
    if chance(20) {
      var cases = (0..<Int.random(in: 1...2, using: &rng)).map {
        "    \(expr(type, depth: 2)) when \(expr(.bool, depth: 2)) reason k\($0)"
      }
      cases.append("    \(expr(type, depth: 2)) otherwise reason other")
      return "\n  first of\n" + cases.joined(separator: "\n")
    }
    return " = " + expr(type, depth: 3)
  }

  mutating func mode() -> String {
    pick(["half_up", "half_even", "down", "up", "floor", "ceiling"])
  }

  mutating func earlier(_ type: GenType) -> String? {
    let candidates =
      rules.filter { $0.type == type }.map(\.name) + locals.filter { $0.type == type }.map(\.name)
    return candidates.isEmpty ? nil : pick(candidates)
  }

  mutating func expr(_ type: GenType, depth: Int) -> String {
    if depth <= 0 || chance(25) { return leaf(type) }
    if chance(10), let name = earlier(type) { return name }
    if chance(8) {
      return
        "(if \(expr(.bool, depth: depth - 1)) then \(expr(type, depth: depth - 1)) else \(expr(type, depth: depth - 1)))"
    }
    if chance(6) {
      return
        "(match application.color { red: \(expr(type, depth: depth - 1)), green, blue: \(expr(type, depth: depth - 1)) })"
    }
    if chance(5) {
      localCounter += 1
      let name = "v\(localCounter)"
      let boundType = pick([GenType.int, .money, .bool])
      let value = expr(boundType, depth: depth - 1)
      locals.append((name, boundType))
      defer { locals.removeLast() }
      return "(let \(name) = \(value) in \(expr(type, depth: depth - 1)))"
    }
    switch type {
    case .int: return intExpr(depth)
    case .decimal: return decimalExpr(depth)
    case .money: return moneyExpr(depth)
    case .bool: return boolExpr(depth)
    case .date: return dateExpr(depth)
    case .color: return leaf(.color)
    case .months:
      return
        "(\(expr(.months, depth: depth - 1)) \(pick(["+", "-"])) \(expr(.months, depth: depth - 1)))"
    }
  }

  mutating func leaf(_ type: GenType) -> String {
    switch type {
    case .int:
      return pick([
        "application.i", "application.j", "0", "1", "-1", "7", "9223372036854775807",
        "-9223372036854775807",
        "4611686018427387904", "count(application.items)",
      ])
    case .decimal: return pick(["application.d", "0.5", "12%", "-3.25", "1_000.125", "0.1"])
    case .money:
      return pick(["application.m", "0 fen", "1 fen", "1510 yuan", "99.99 yuan", "-250 fen"])
    case .bool: return pick(["application.b", "true", "false"])
    case .date: return pick(["application.day", "2024-01-31", "2000-02-29", "1999-12-31"])
    case .color: return pick(["application.color", "red", "green", "blue"])
    case .months: return pick(["application.months", "12 months", "0 months", "-1 month"])
    }
  }

  mutating func intExpr(_ depth: Int) -> String {
    let d = depth - 1
    switch Int.random(in: 0..<9, using: &rng) {
    case 0, 1: return "(\(expr(.int, depth: d)) \(pick(["+", "-", "*"])) \(expr(.int, depth: d)))"
    case 2: return "round(\(expr(.decimal, depth: d)), \(mode()))"
    case 3: return "count(x in application.items where x.flag)"
    case 4:
      return
        "sum(x.count for x in application.items where \(pick(["x.flag", "x.color == red", "x.count > 2"])))"
    case 5: return "(application.maybe ?? \(expr(.int, depth: d)))"
    case 6: return "number(\(expr(.money, depth: d)))"
    case 7: return "(max(x.count for x in application.items) ?? \(expr(.int, depth: d)))"
    default: return "(-(\(expr(.int, depth: d))))"
    }
  }

  mutating func decimalExpr(_ depth: Int) -> String {
    let d = depth - 1
    switch Int.random(in: 0..<6, using: &rng) {
    case 0: return "(\(expr(.int, depth: d)) / \(expr(.int, depth: d)))"
    case 1:
      return "(\(expr(.decimal, depth: d)) \(pick(["+", "-", "*"])) \(expr(.decimal, depth: d)))"
    case 2: return "(\(expr(.decimal, depth: d)) + \(expr(.int, depth: d)))"
    case 3:
      return "round(\(expr(.decimal, depth: d)), \(mode()), \(Int.random(in: 0...3, using: &rng)))"
    case 4: return "(\(expr(.money, depth: d)) / \(expr(.money, depth: d)))"
    default: return "(\(expr(.decimal, depth: d)) / \(expr(.decimal, depth: d)))"
    }
  }

  mutating func moneyExpr(_ depth: Int) -> String {
    let d = depth - 1
    switch Int.random(in: 0..<7, using: &rng) {
    case 0: return "(\(expr(.money, depth: d)) \(pick(["+", "-"])) \(expr(.money, depth: d)))"
    case 1: return "(\(expr(.money, depth: d)) * \(expr(.int, depth: d)))"
    case 2: return "round(\(expr(.money, depth: d)) * \(expr(.decimal, depth: d)), \(mode()))"
    case 3: return "round(\(expr(.money, depth: d)) / \(expr(.int, depth: d)), \(mode()))"
    case 4:
      return
        "sum(x.amount for x in application.items where \(pick(["x.flag", "not x.flag", "x.count >= 1"])))"
    case 5: return "round(\(expr(.money, depth: d)) / \(expr(.int, depth: d)), \(mode()), 1 yuan)"
    default: return "fen(\(expr(.int, depth: d)))"
    }
  }

  mutating func boolExpr(_ depth: Int) -> String {
    let d = depth - 1
    switch Int.random(in: 0..<10, using: &rng) {
    case 0:
      return
        "(\(expr(.int, depth: d)) \(pick(["<", "<=", ">", ">=", "==", "!="])) \(expr(.int, depth: d)))"
    case 1:
      return
        "(\(expr(.decimal, depth: d)) \(pick(["<", "<=", "==", "!="])) \(expr(.int, depth: d)))"
    case 2:
      return
        "(\(expr(.money, depth: d)) \(pick(["<", ">=", "==", "!="])) \(expr(.money, depth: d)))"
    case 3: return "(\(expr(.bool, depth: d)) \(pick(["and", "or"])) \(expr(.bool, depth: d)))"
    case 4: return "(not \(expr(.bool, depth: d)))"
    case 5: return "any(x in application.items where x.count > \(expr(.int, depth: d)))"
    case 6: return "all(x in application.items where x.flag)"
    case 7: return "(application.color in [red, \(pick(["green", "blue"]))])"
    case 8: return "(\(expr(.date, depth: d)) \(pick(["<", "<=", "=="])) \(expr(.date, depth: d)))"
    default: return "(application.maybe == \(pick(["none", "3", "application.i"])))"
    }
  }

  mutating func dateExpr(_ depth: Int) -> String {
    let d = depth - 1
    switch Int.random(in: 0..<4, using: &rng) {
    case 0: return "(\(expr(.date, depth: d)) + \(Int.random(in: -40...40, using: &rng)) days)"
    case 1:
      return
        "add(\(expr(.date, depth: d)), \(expr(.months, depth: d)), \(pick(["end_of_month", "start_of_next_month"])))"
    case 2: return "(\(expr(.date, depth: d)) + \(expr(.months, depth: d)))"
    default:
      return
        "date(2024, \(Int.random(in: 1...12, using: &rng)), \(Int.random(in: 1...28, using: &rng)))"
    }
  }

  /// An application as JSON, with values at the 64-bit edges.
  mutating func application() -> String {
    let ints = [
      "0", "1", "-1", "3", "9223372036854775807", "-9223372036854775808", "4611686018427387904",
      "1000",
    ]
    let items = (0..<Int.random(in: 0...4, using: &rng)).map { _ in
      "{\"amount\":\(pick(["0", "1", "151000", "9223372036854775807", "-5"])),\"count\":\(pick(["0", "1", "2", "5"])),"
        + "\"color\":\"\(pick(["red", "green", "blue"]))\",\"flag\":\(chance(50))}"
    }
    let maybe = chance(40) ? "" : ",\"maybe\":\(pick(["null", "3", "-7", "9223372036854775807"]))"
    return
      "{\"i\":\(pick(ints)),\"j\":\(pick(ints)),\"d\":\"\(pick(["0", "0.5", "-1.25", "3", "0.333", "1e0x"].dropLast()))\","
      + "\"m\":\(pick(["0", "100", "-100", "9223372036854775807", "151000"])),\"b\":\(chance(50)),"
      + "\"day\":\"\(pick(["2024-01-31", "2000-02-29", "2023-12-31", "1970-01-01"]))\","
      + "\"months\":\(pick(["0", "1", "12", "-13"])),\"color\":\"\(pick(["red", "green", "blue"]))\"\(maybe),"
      + "\"items\":[\(items.joined(separator: ","))]}"
  }
}
