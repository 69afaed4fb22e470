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
  /// The functions declared so far: name, whether the first parameter is an `Item`, the
  /// scalar parameter's type, and the result type.
  var functions: [(name: String, takesItem: Bool, scalar: GenType, result: GenType)] = []
  /// The name of an `Item` in scope (a function's parameter), read by leaves.
  var itemInScope: String?
  /// True when `application.items` is declared `length at least 1`: `first`, `last`, `min` and
  /// `max` over it without a filter are then not optional.
  var itemsNonEmpty = false

  /// The module every program imports: its own source, a cited parameter, a version.
  static let library = """
    module lib
      source lib_law "Library Law"
    parameter lib_rate: Int cite "Art. 1" = 7
    parameter lib_step: Int cite lib_law "Art. 2"
      from 2000-01-01 until 2023-12-31 = 1
      from 2024-01-01 = 2

    """

  static let header = """
    policy random_program
      source law "Random Law"
      from 2000-01-01
      jurisdictions Region cities AA.X
    import "lib.regula"
    enum Region { AA, BB, CC }
    enum Color { red, green, blue }
    enum Tier { basic, plus from 2024-01-01, old from 2000-01-01 until 2023-12-31 }
    record Item {
      amount: Money
      count: Int
      color: Color
      flag: Bool
      weight: Int? at least 0
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
      ratio: Decimal?
      items: List<Item>
      region: Region
      extra: Int = 5
      more: List<Item> length at most 3 = []
      shade: Color = green
      tier: Tier?
    }
    parameter stock: List<Item> cite "Art. 3" = [{ amount: 5 fen, count: 2, color: red, flag: true, weight: none }, { amount: 7 fen, count: 3, color: blue, flag: false, weight: 4 }]
    record Band { threshold: Decimal  rate: Decimal }
    record Step { threshold: Int  amount: Money }
    parameter bands: List<Band> cite "Art. 8"
      bracket { threshold: 0, rate: 0.1 from 2000-01-01, 0.2 from 2024-01-01 }
      bracket { threshold: 10 from 2000-01-01, 5 from 2024-01-01, rate: 25% }
      bracket { threshold: 1000 from 2024-01-01, rate: -0.5 }
    parameter steps: List<Step> cite "Art. 9"
      bracket { threshold: -1, amount: 1 fen }
      bracket { threshold: 3, amount: 5 fen from 2000-01-01, 7 fen from 2024-01-01 }
    parameter k: Int cite "Art. 4"
      from 2000-01-01 until 2023-12-31 = 1
      from 2024-01-01 = 2
    parameter late: Int cite "Art. 10"
      from 2024-01-01 = 3
    rule base_rule: Int cite law "Art. 5" = application.j
    level province AA {
      override k = 10 cite "Art. 6"
      exception to base_rule = 5 when application.b reason aa_exception cite "Art. 7"
    }
    level city AA.X {
      override k = 100
    }
    level province BB {
      exception to base_rule = 6 when application.i > 0 reason bb_exception
    }
    level province CC {
      exception to base_rule = 7 when application.j > 0 reason cc_exception from 2024-01-01 until 2024-12-31
    }

    """

  init(seed: UInt64) { rng = SplitMix64(seed: seed) }

  mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &rng) < percent }
  mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &rng)] }

  /// A policy of a few decisions, each reading inputs and earlier decisions.
  mutating func program() -> String {
    rules = []
    // Bounds on some input fields: two-sided, one-sided (`at least`, `at most`), on values
    // and on a list's length, so that both readers' checks are compared.
    let bounds: [(field: String, choices: [String])] = [
      ("i: Int", ["", " in -5 to 1000", " at least 0", " at most 3"]),
      ("d: Decimal", ["", " at least 0", " at most 0.5"]),
      ("m: Money", ["", " at least 0 fen", " at most 1000 fen", " in 0 fen to 151000 fen"]),
      ("months: Months", ["", " at least 0 months"]),
      ("items: List<Item>", ["", " length at least 1", " length at most 2", " length 0 to 3"]),
    ]
    var text = Self.header
    itemsNonEmpty = false
    for (field, choices) in bounds where chance(20) {
      let bound = pick(choices)
      if field.hasPrefix("items:") { itemsNonEmpty = bound.contains("at least 1") }
      text = text.replacingOccurrences(of: "\n  \(field)\n", with: "\n  \(field)\(bound)\n")
    }
    text += functionDeclarations()
    for index in 0..<Int.random(in: 2...6, using: &rng) {
      let type = pick(GenType.allCases)
      let name = "r\(index)"
      let citation = pick(["", " cite \"Art. \(index)\"", " cite law \"R\(index)\" verified"])
      text += "decision \(name): \(type.name)\(citation)" + body(type) + "\n"
      rules.append((name, type))
    }
    // Now and then a decision printed with declared places.
    if chance(30) {
      let places = Int.random(in: 0...3, using: &rng)
      let rounded = Int.random(in: 0...places, using: &rng)
      text +=
        "decision rounded: Decimal places \(places) = round(\(expr(.decimal, depth: 2)), "
        + "\(mode()), \(rounded))\n"
    }
    // Now and then a decision that passes limit `number_size` for most inputs (an input
    // squared 17 times): both engines must stop on it with the same error.
    if chance(3) {
      let squares = (1...17).map { "let s\($0) = s\($0 - 1) * s\($0 - 1) in" }.joined(
        separator: " ")
      text += "decision huge: Int = (let s0 = application.j in \(squares) s17 - s17 + 1)\n"
    }
    return text
  }

  /// Up to three functions (`rule fN(it: Item, qN: T): R = …`), each possibly calling the
  /// ones before it; their calls are generated by `functionCall`.
  mutating func functionDeclarations() -> String {
    functions = []
    var text = ""
    for index in 0..<Int.random(in: 0...3, using: &rng) {
      let result = pick([GenType.int, .money, .bool, .decimal, .date])
      let scalar = pick([GenType.int, .money, .bool])
      let takesItem = chance(60)
      itemInScope = takesItem ? "it\(index)" : nil
      locals = [("q\(index)", scalar)]
      let body = expr(result, depth: 3)
      locals = []
      itemInScope = nil
      let parameters = (takesItem ? ["it\(index): Item"] : []) + ["q\(index): \(scalar.name)"]
      let citation = pick(["", " cite \"F\(index)\"", " cite law \"G\(index)\" verified"])
      text +=
        "rule f\(index)(\(parameters.joined(separator: ", "))): \(result.name)\(citation) = \(body)\n"
      functions.append(("f\(index)", takesItem, scalar, result))
    }
    return text
  }

  /// A call of a declared function giving `type`: directly, or over the items of a list for a
  /// function of an `Item` (in a `sum`, `count` or `any`, or on the item in scope).
  mutating func functionCall(_ type: GenType, depth: Int) -> String? {
    let direct = functions.filter { $0.result == type && !$0.takesItem }
    let overItems = functions.filter { $0.takesItem }
    let options =
      (direct.isEmpty ? [] : ["direct"]) + (overItems.isEmpty ? [] : ["items"])
    guard !options.isEmpty else { return nil }
    if pick(options) == "direct" {
      let function = pick(direct)
      return "\(function.name)(\(expr(function.scalar, depth: depth - 1)))"
    }
    let function = pick(overItems)
    let argument = expr(function.scalar, depth: depth - 1)
    let list = pick(["application.items", "stock"])
    if let item = itemInScope, function.result == type, chance(30) {
      return "\(function.name)(\(item), \(argument))"
    }
    switch (type, function.result) {
    case (.int, .int), (.money, .money):
      return "sum(\(function.name)(x, \(argument)) for x in \(list))"
    case (.int, .bool): return "count(x in \(list) where \(function.name)(x, \(argument)))"
    case (.bool, .bool): return "any(x in \(list) where \(function.name)(x, \(argument)))"
    case (.bool, _):
      return
        "all(x in \(list) where \(function.name)(x, \(argument)) == \(function.name)(x, \(argument)))"
    default: return nil
    }
  }

  mutating func body(_ type: GenType) -> String {
    if type == .bool && chance(25) {
      let conditions = (0..<Int.random(in: 1...3, using: &rng)).map {
        "    \(expr(.bool, depth: 2)) reason c\($0)"
      }
      return "\n  all of\n" + conditions.joined(separator: "\n")
    }
    if chance(20) {
      var cases: [String] = []
      for index in 0..<Int.random(in: 1...2, using: &rng) {
        // Now and then a case that binds an optional (`when some NAME = EXPR and …`), the
        // name read in its condition and its value.
        if chance(30) {
          locals.append(("bound\(index)", .int))
          let value = expr(type, depth: 2)
          let rest = chance(50) ? " and \(expr(.bool, depth: 2))" : ""
          locals.removeLast()
          let optional = pick([
            "application.maybe", "first(x.weight for x in application.items)",
            "last(x.count for x in application.items where x.flag)",
          ])
          cases.append("    \(value) when some bound\(index) = \(optional)\(rest) reason k\(index)")
        } else {
          cases.append("    \(expr(type, depth: 2)) when \(expr(.bool, depth: 2)) reason k\(index)")
        }
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
    // An earlier decision evaluated on another date: all it reads is read on that date too.
    if chance(3), let name = rules.filter({ $0.type == type }).map(\.name).last {
      return "(\(name) as of \(pick(["application.day", "first_day_of_year(as_of_date())"])))"
    }
    if chance(12), let call = functionCall(type, depth: depth) { return call }
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
      // Now and then a local named like a function: calls still name the function (and a
      // function's own body may not hide its recursion behind such a local).
      let name = !functions.isEmpty && chance(20) ? pick(functions).name : "v\(localCounter)"
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
    if itemsNonEmpty, chance(15) {
      switch type {
      case .int:
        return pick([
          "first(x.count for x in application.items)", "last(x.count for x in application.items)",
          "max(x.count for x in application.items)",
        ])
      case .money:
        return pick([
          "min(x.amount for x in application.items)",
          "sum(y for y in map(x.amount for x in application.items))",
        ])
      case .color: return "last(x.color for x in application.items)"
      default: break
      }
    }
    if let item = itemInScope, chance(30) {
      switch type {
      case .int: return "\(item).count"
      case .money: return "\(item).amount"
      case .bool: return "\(item).flag"
      case .color: return "\(item).color"
      default: break
      }
    }
    switch type {
    case .int:
      return pick([
        "application.i", "application.j", "0", "1", "-1", "7", "9223372036854775807",
        "-9223372036854775807",
        "4611686018427387904", "count(application.items)", "k", "(k at application.region)",
        "(base_rule at application.region)", "lib_rate", "lib_step", "base_rule",
        "sum(s.count for s in stock where s.flag)",
        "count(filter(x in application.items where x.flag))",
        "sum(y.count for y in filter(x in application.items where x.count > 1))",
        "(match first(x in application.items where x.flag) { some p: p.count, none: 0 })",
        "(match last(s in stock where s.count > 2) { some p: p.count, none: -1 })",
        "application.extra", "count(application.more)", "(lib_step as of application.day)",
        "(lib_step as of first_day_of_year(as_of_date()))", "(k as of application.day)", "late",
        "(base_rule as of first_day_of_year(as_of_date()))",
        "sum(x.weight ?? 2 for x in application.items)",
        "sum(y for y in map(x.count * 2 for x in application.items where x.flag))",
        "(last(y for y in map(x.count - (x.weight ?? 1) for x in application.items)) ?? 4)",
        "sum(s.weight ?? 3 for s in stock)",
        "(first(x.count for x in application.items where x.flag) ?? 3)",
      ])
    case .decimal: return pick(["application.d", "0.5", "12%", "-3.25", "1_000.125", "0.1"])
    case .money:
      return pick(["application.m", "0 fen", "1 fen", "1510 yuan", "99.99 yuan", "-250 fen"])
    case .bool: return pick(["application.b", "true", "false"])
    case .date:
      return pick([
        "application.day", "2024-01-31", "2000-02-29", "1999-12-31", "as_of_date()",
        "first_day_of_month(application.day)", "last_day_of_month(application.day)",
        "first_day_of_year(as_of_date())", "last_day_of_year(application.day)",
      ])
    case .color: return pick(["application.color", "red", "green", "blue", "application.shade"])
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
    case 5:
      // An optional, or a sum of optionals (`none` at the first absent weight).
      return chance(70)
        ? "(application.maybe ?? \(expr(.int, depth: d)))"
        : "(sum(x.weight for x in application.items\(pick(["", " where x.flag"]))) ?? \(expr(.int, depth: d)))"
    case 6: return "number(\(expr(.money, depth: d)))"
    case 7:
      // Over a list declared non-empty, `max` is not optional and `??` would be refused.
      return itemsNonEmpty
        ? "max(x.count for x in application.items)"
        : "(max(x.count for x in application.items) ?? \(expr(.int, depth: d)))"
    default: return "(-(\(expr(.int, depth: d))))"
    }
  }

  mutating func decimalExpr(_ depth: Int) -> String {
    let d = depth - 1
    switch Int.random(in: 0..<7, using: &rng) {
    case 0: return "(\(expr(.int, depth: d)) / \(expr(.int, depth: d)))"
    case 5:
      // A scale, on a Decimal or an Int base, now and then as of another date.
      let scale = pick(["bands", "(bands as of application.day)"])
      let base = chance(50) ? expr(.decimal, depth: d) : expr(.int, depth: d)
      return "marginal_rate(\(scale), \(base))"
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
    switch Int.random(in: 0..<8, using: &rng) {
    case 0: return "(\(expr(.money, depth: d)) \(pick(["+", "-"])) \(expr(.money, depth: d)))"
    case 6:
      return "\(pick(["single_amount", "marginal_amount"]))(steps, \(expr(.int, depth: d)))"
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
      // Now and then against an optional (`none` is unequal to every number).
      return chance(80)
        ? "(\(expr(.decimal, depth: d)) \(pick(["<", "<=", "==", "!="])) \(expr(.int, depth: d)))"
        : chance(70)
          ? "(\(expr(pick([.decimal, .int]), depth: d)) \(pick(["==", "!="])) application.ratio)"
          : "(application.tier == Tier.\(pick(["basic", "plus", "old"])))"
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
    switch Int.random(in: 0..<5, using: &rng) {
    case 0: return "(\(expr(.date, depth: d)) + \(Int.random(in: -40...40, using: &rng)) days)"
    case 1:
      return
        "add(\(expr(.date, depth: d)), \(expr(.months, depth: d)), \(pick(["end_of_month", "start_of_next_month"])))"
    case 2: return "(\(expr(.date, depth: d)) + \(expr(.months, depth: d)))"
    case 3:
      // Durations from Int values at the 64-bit edge and beyond.
      return pick([
        "(application.day + days(application.i))", "(application.day - days(application.j))",
        "add(application.day, months(application.i), end_of_month)",
        "(application.day + days(1) * application.i)",
      ])
    default:
      return
        "date(2024, \(Int.random(in: 1...12, using: &rng)), \(Int.random(in: 1...28, using: &rng)))"
    }
  }

  /// An application as JSON, with values at the 64-bit edges; one in six leaves out a
  /// required fact (a field of the application or of one item), so that decisions that need it
  /// are undecided and the others are still decided.
  mutating func application() -> String {
    let ints = [
      "0", "1", "-1", "3", "9223372036854775807", "-9223372036854775808", "4611686018427387904",
      "1000",
    ]
    let leaveOut =
      chance(17) ? pick(["i", "j", "d", "m", "b", "day", "months", "color", "item"]) : ""
    let items = (0..<Int.random(in: 0...4, using: &rng)).map { _ in
      let count = leaveOut == "item" && chance(50) ? "" : "\"count\":\(pick(["0", "1", "2", "5"])),"
      // Now and then below the field's bound, so that both readers' refusals are compared.
      let weight =
        chance(3) ? ",\"weight\":-1" : pick(["", ",\"weight\":null", ",\"weight\":7"])
      return "{\"amount\":\(pick(["0", "1", "151000", "9223372036854775807", "-5"])),\(count)"
        + "\"color\":\"\(pick(["red", "green", "blue"]))\",\"flag\":\(chance(50))\(weight)}"
    }
    let maybe = chance(40) ? "" : "\"maybe\":\(pick(["null", "3", "-7", "9223372036854775807"]))"
    let ratio = chance(40) ? "" : "\"ratio\":\(pick(["null", "\"0.5\"", "\"3\"", "\"-1.25\""]))"
    let fields = [
      "\"i\":\(pick(ints))", "\"j\":\(pick(ints))",
      "\"d\":\"\(pick(["0", "0.5", "-1.25", "3", "0.333"]))\"",
      "\"m\":\(pick(["0", "100", "-100", "9223372036854775807", "151000"]))", "\"b\":\(chance(50))",
      "\"day\":\"\(pick(["2024-01-31", "2000-02-29", "2023-12-31", "1970-01-01", "9999-12-15"]))\"",
      "\"months\":\(pick(["0", "1", "12", "-13"]))",
      "\"color\":\"\(pick(["red", "green", "blue"]))\"", maybe, ratio,
      "\"items\":[\(items.joined(separator: ","))]", "\"region\":\"\(pick(["AA", "BB", "CC"]))\"",
      // Fields with defaults: left out, null, or given.
      pick(["", "\"extra\":null", "\"extra\":9"]),
      pick(["", "\"more\":null", "\"more\":[]", "\"more\":[\(items.prefix(1).joined())]"]),
      pick(["", "\"shade\":null", "\"shade\":\"red\""]),
      // A case in force on one of the two as-of dates only, now and then.
      pick(
        [
          "", "", "", "", "", "", "\"tier\":\"basic\"", "\"tier\":\"basic\"", "\"tier\":\"plus\"",
          "\"tier\":\"old\"",
        ]),
    ]
    return "{"
      + fields.filter { !$0.isEmpty && !$0.hasPrefix("\"\(leaveOut)\":") }.joined(separator: ",")
      + "}"
  }

  /// Where and when a generated application is decided: every jurisdiction code of the
  /// header (a bare city among them) and both versions of `k`.
  mutating func placeAndDate() -> (jurisdiction: String, asOf: String) {
    (
      pick(["national", "AA", "BB", "CC", "AA.X", "X"]),
      pick(["2023-06-01", "2024-06-01"])
    )
  }
}

/// The constructs of Docs/language.md a differential run must generate, each with a piece of
/// source text that shows it was generated (`vmAgreesWithTheInterpreterOnRandomPrograms`
/// fails when one is never seen).
let generatedConstructs: [(construct: String, marker: String)] = [
  ("all of", "all of"), ("first of", "first of"), ("if", "(if "), ("let", "(let "),
  ("match on an enum", "match application.color"), ("match on an optional", "some p:"),
  ("optional ??", "??"), ("round", "round("), ("round to a multiple", "1 yuan)"),
  ("date arithmetic", "add("), ("date(y, m, d)", "date(2024"), ("months", "months"),
  ("durations from Int", "days(application."), ("count", "count("), ("sum", "sum("),
  ("any", "any("), ("all", "all("), ("max", "max("), ("filter", "filter("),
  ("first(…)", "first("), ("last(…)", "last("), ("membership", " in ["), ("not", "(not "),
  ("and/or", " and "), ("comparison", " <= "), ("parameter record list", "for s in stock"),
  ("one-sided bound", " at least "), ("one-sided length bound", " length at most "),
  ("NAME at J", " at application.region"), ("version in force", "k"),
  ("import with cite", "lib_rate"), ("module version", "lib_step"),
  ("exception", "base_rule"), ("cite", " cite "), ("Decimal", "Decimal"), ("Money", "Money"),
  ("Date", "Date"), ("Months", "Months"), ("Color enum", "Color"),
  ("limit number_size", "let s17 ="), ("function", "rule f0("),
  ("function of an element", "(x, "), ("function calling a function", "f0(it1, "),
  ("first of a non-empty list", "first(x.count for x in application.items)"),
  ("as-of date", "as_of_date()"), ("last day of a month", "last_day_of_month("),
  ("input default", "application.extra"), ("map", "map("),
  ("dated exception", "reason cc_exception from"), ("PARAMETER as of DATE", "lib_step as of"),
  ("a local named like a function", "(let f0 = "), ("scale", "marginal_rate(bands"),
  ("scale as of a date", "bands as of"), ("single-amount scale", "single_amount(steps"),
  ("marginal-amount scale", "marginal_amount(steps"), ("places", "Decimal places "),
  ("sum of optionals", "sum(x.weight for x"),
  ("number == Decimal?", " application.ratio)"),
  ("dated enum case", "application.tier == Tier."), ("not computable", "late"),
  ("first of case binding", " when some bound"),
  ("RULE as of DATE", "base_rule as of"),
  ("DECISION as of DATE", "r0 as of"),
  ("an overridden PARAMETER as of DATE", "k as of"),
]
