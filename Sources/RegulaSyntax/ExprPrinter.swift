// Expressions as text: canonical source (for the formatter) or S-expressions (for goldens).

/// Prints an expression on one line.
public enum ExprPrinter {
  /// S-expression form showing the tree's shape: `(+ a (* b c))`.
  public static func print(_ expr: Expr) -> String { tree(expr) }

  /// Canonical source form with the fewest parentheses that keep the same tree.
  public static func source(_ expr: Expr) -> String { source(expr, context: 0) }

  // MARK: Tree form

  static func tree(_ expr: Expr) -> String {
    switch expr.kind {
    case .literal(let literal): return literalText(literal)
    case .name(let name): return name
    case .field(let base, let name): return "(. \(tree(base)) \(name.text))"
    case .index(let base, let key): return "([] \(tree(base)) \(tree(key)))"
    case .at(let base, let place): return "(at \(tree(base)) \(tree(place)))"
    case .asOf(let base, let date): return "(as-of \(tree(base)) \(tree(date)))"
    case .unary(let op, let operand): return "(\(op.rawValue) \(tree(operand)))"
    case .binary(let op, let left, let right):
      return "(\(op.rawValue) \(tree(left)) \(tree(right)))"
    case .ifThenElse(let c, let t, let e): return "(if \(tree(c)) \(tree(t)) \(tree(e)))"
    case .letIn(let name, let value, let body):
      return "(let \(name.text) \(tree(value)) \(tree(body)))"
    case .match(let subject, let arms):
      let text = arms.map { "(\(patterns($0.patterns)) \(tree($0.value)))" }
      return "(match \(tree(subject)) \(text.joined(separator: " ")))"
    case .call(let name, let arguments):
      return "(\(name.text)" + arguments.map { " " + tree($0) }.joined() + ")"
    case .aggregate(let aggregate): return aggregateTree(aggregate)
    case .list(let items): return "[" + items.map(tree).joined(separator: " ") + "]"
    case .braces(let entries):
      return "{"
        + entries.map { "\($0.key?.text ?? "otherwise"): \(tree($0.value))" }
        .joined(separator: ", ") + "}"
    case .reasonOf(let name): return "(reason-of \(name.text))"
    case .quantity(let literal, let unit): return "(\(unit.rawValue) \(literalText(literal)))"
    case .error: return "<error>"
    }
  }

  static func aggregateTree(_ aggregate: Aggregate) -> String {
    var text = "(\(aggregate.kind.rawValue)"
    if let element = aggregate.element { text += " \(tree(element))" }
    text += " \(aggregate.binder.text) \(tree(aggregate.source))"
    if let filter = aggregate.filter { text += " where \(tree(filter))" }
    return text + ")"
  }

  static func patterns(_ patterns: [Pattern]) -> String {
    patterns.map { pattern -> String in
      switch pattern.kind {
      case .enumCase(let name): name
      case .none: "none"
      case .some(let name): "some \(name.text)"
      case .otherwise: "otherwise"
      }
    }.joined(separator: ", ")
  }

  static func literalText(_ literal: Literal) -> String {
    switch literal {
    case .integer(let text), .decimal(let text), .percent(let text): text
    case .text(let text): RegulaText.quote(text)
    case .date(let date): date.description
    case .bool(let value): value ? "true" : "false"
    case .none: "none"
    }
  }

  // MARK: Source form

  /// Binding strength of an expression's outermost form, for parenthesisation.
  static func strength(_ expr: Expr) -> Int {
    switch expr.kind {
    case .binary(let op, _, _): op.precedence
    case .unary(.not, _): notPrecedence
    case .ifThenElse, .letIn: 0
    case .unary(.negate, _): 8
    default: 9
    }
  }

  /// Source form, parenthesised when binding more loosely than `context`.
  public static func source(_ expr: Expr, context: Int) -> String {
    let text = sourceBody(expr)
    return strength(expr) < context ? "(\(text))" : text
  }

  static func sourceBody(_ expr: Expr) -> String {
    switch expr.kind {
    case .literal(let literal): return literalText(literal)
    case .name(let name): return name
    case .field(let base, let name): return "\(source(base, context: 9)).\(name.text)"
    case .index(let base, let key): return "\(source(base, context: 9))[\(source(key))]"
    case .at(let base, let place):
      return "\(source(base, context: 9)) at \(source(place, context: 9))"
    case .asOf(let base, let date):
      return "\(source(base, context: 9)) as of \(source(date, context: 9))"
    case .unary(.negate, let operand):
      // `--` would start a comment: a negated negation keeps its parentheses.
      if case .unary(.negate, _) = operand.kind { return "-(\(source(operand)))" }
      return "-\(source(operand, context: 8))"
    case .unary(.not, let operand): return "not \(source(operand, context: notPrecedence + 1))"
    case .binary(let op, let left, let right): return binarySource(op, left, right)
    case .ifThenElse(let c, let t, let e):
      return "if \(source(c)) then \(source(t, context: 1)) else \(source(e, context: 0))"
    case .letIn(let name, let value, let body):
      return "let \(name.text) = \(noInSource(value)) in \(source(body))"
    case .match(let subject, let arms):
      let text = arms.map { "\(patterns($0.patterns)): \(source($0.value))" }
      return "match \(source(subject)) { \(text.joined(separator: ", ")) }"
    case .call(let name, let arguments):
      return "\(name.text)(" + arguments.map { source($0) }.joined(separator: ", ") + ")"
    case .aggregate(let aggregate): return aggregateSource(aggregate)
    case .list(let items): return "[" + items.map { source($0) }.joined(separator: ", ") + "]"
    case .braces(let entries):
      if entries.isEmpty { return "{}" }
      return "{ "
        + entries.map { "\($0.key?.text ?? "otherwise"): \(source($0.value))" }
        .joined(separator: ", ") + " }"
    case .reasonOf(let name): return "reason of \(name.text)"
    case .quantity(let literal, let unit):
      let number = literalText(literal)
      return "\(number) \(unit.word(after: number))"
    case .error: return "<error>"
    }
  }

  static func binarySource(_ op: BinaryOperator, _ left: Expr, _ right: Expr) -> String {
    // Left-associative operators need parentheses on the right at equal strength;
    // `??` is right-associative, so the other way round. Comparisons never chain.
    let rightAssociative = op == .coalesce
    let leftContext = op.precedence + (rightAssociative || op.isComparison ? 1 : 0)
    let rightContext = op.precedence + (rightAssociative ? 0 : 1)
    return
      "\(source(left, context: leftContext)) \(op.rawValue) \(source(right, context: rightContext))"
  }

  /// A `let` value must not contain a bare `in`: parenthesise any membership test in it.
  static func noInSource(_ expr: Expr) -> String {
    containsBareIn(expr) ? "(\(source(expr)))" : source(expr)
  }

  static func containsBareIn(_ expr: Expr) -> Bool {
    switch expr.kind {
    case .binary(.in, _, _): true
    case .binary(_, let left, let right): containsBareIn(left) || containsBareIn(right)
    case .unary(_, let operand): containsBareIn(operand)
    case .ifThenElse(_, let t, let e): containsBareIn(t) || containsBareIn(e)
    case .letIn(_, _, let body): containsBareIn(body)
    default: false
    }
  }

  static func aggregateSource(_ aggregate: Aggregate) -> String {
    var text = "\(aggregate.kind.rawValue)("
    if let element = aggregate.element { text += "\(source(element)) for " }
    text += "\(aggregate.binder.text) in \(source(aggregate.source))"
    if let filter = aggregate.filter { text += " where \(source(filter))" }
    return text + ")"
  }
}

/// Regula string literals as source text: only the escapes the lexer reads.
public enum RegulaText {
  public static func quote(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }
}
