// Expressions: precedence climbing over BinaryOperator.precedence, then prefix forms,
// postfix forms (`.field`, `[key]`, `at`), and primaries.

extension Parser {
  mutating func errorExpr() -> Expr {
    Expr(id: makeID(), kind: .error, span: current.span)
  }

  /// A node over already-built children: an error node instead when it would make the tree
  /// taller than `maximumHeight` (reported once per top-level expression), so that no tree
  /// the later stages walk recursively is taller — nor is one freed recursively.
  mutating func node(_ kind: Expr.Kind, from start: SourceSpan) -> Expr {
    let height = 1 + maximumChildHeight(kind)
    guard height <= Self.maximumHeight else {
      if !reportedHeight {
        reportedHeight = true
        report(
          Diagnostic(
            .expressionTooTall, at: spanFrom(start),
            message:
              "the expression is more than \(Self.maximumHeight) levels tall (each operator of "
              + "a chain is a level)",
            help: "split it into named rules, or sum a list with `sum(…)`"))
      }
      return Expr(id: makeID(), kind: .error, span: spanFrom(start))
    }
    let expr = Expr(id: makeID(), kind: kind, span: spanFrom(start))
    if height > 1 { heights[expr.id] = height }
    return expr
  }

  func height(_ expr: Expr) -> Int32 { heights[expr.id] ?? 1 }

  func height(_ expr: Expr?) -> Int32 { expr.map(height) ?? 0 }

  /// The tallest direct child of a node about to be built (0 for a leaf).
  func maximumChildHeight(_ kind: Expr.Kind) -> Int32 {
    switch kind {
    case .literal, .name, .reasonOf, .quantity, .error: 0
    case .field(let base, _): height(base)
    case .unary(_, let operand): height(operand)
    case .index(let a, let b), .at(let a, let b), .asOf(let a, let b), .binary(_, let a, let b),
      .letIn(_, let a, let b):
      max(height(a), height(b))
    case .ifThenElse(let a, let b, let c): max(height(a), height(b), height(c))
    case .match(let subject, let arms): arms.reduce(height(subject)) { max($0, height($1.value)) }
    case .call(_, let arguments), .list(let arguments): arguments.reduce(0) { max($0, height($1)) }
    case .aggregate(let aggregate):
      max(height(aggregate.source), height(aggregate.element), height(aggregate.filter))
    case .braces(let entries): entries.reduce(0) { max($0, height($1.value)) }
    }
  }

  /// Runs `body` one level deeper in the parser's own recursion (parenthesised expressions,
  /// prefix operators, `at`); past `maximumNesting` it reports R0106 and gives an error node
  /// instead, so the parser's stack stays bounded.
  mutating func nested(_ body: (inout Parser) -> Expr) -> Expr {
    depth += 1
    defer { depth -= 1 }
    guard depth <= Self.maximumNesting else {
      report(
        Diagnostic(
          .nestingTooDeep, at: current.span,
          message: "expression nesting exceeds \(Self.maximumNesting) levels",
          help: "split the expression into named rules"))
      return errorExpr()
    }
    return body(&self)
  }

  /// Parses an expression. With `noIn`, `in` is not an operator (it ends a `let` binding
  /// or a constraint bound); parentheses restore it.
  mutating func parseExpression(noIn: Bool = false) -> Expr {
    if depth == 0 {
      heights.removeAll(keepingCapacity: true)
      reportedHeight = false
    }
    return nested { $0.parseBinary(minimumPrecedence: 1, noIn: noIn) }
  }

  /// The value of `some NAME = VALUE` in a `first of` case's condition: an expression that
  /// stops before `and` (which goes on with the condition), `or` and `??`.
  mutating func parseBindingValue() -> Expr {
    if depth == 0 {
      heights.removeAll(keepingCapacity: true)
      reportedHeight = false
    }
    return nested {
      $0.parseBinary(minimumPrecedence: BinaryOperator.and.precedence + 1, noIn: false)
    }
  }

  mutating func parseBinary(minimumPrecedence: Int, noIn: Bool) -> Expr {
    let start = current.span
    var left = parseUnary(noIn: noIn)
    while let op = binaryOperator(noIn: noIn) ?? mistakenEquals(minimumPrecedence),
      op.precedence >= minimumPrecedence
    {
      if op == .coalesce {
        left = parseCoalesceChain(left, from: start, noIn: noIn)
        continue
      }
      advance()
      // Left-associative: the loop builds the chain, without recursion per operator.
      let right = parseBinary(minimumPrecedence: op.precedence + 1, noIn: noIn)
      left = node(.binary(op, left, right), from: start)
      if op.isComparison, let following = binaryOperator(noIn: noIn), following.isComparison {
        report(
          Diagnostic(
            .expectedToken, at: current.span,
            message: "comparisons cannot be chained",
            help: "combine them with `and`, as in `a < b and b < c`"))
      }
    }
    return left
  }

  /// `a ?? b ?? c` is right-associative, `a ?? (b ?? c)`: the operands are read in a loop and
  /// folded from the right, so a long chain does not recurse in the parser.
  mutating func parseCoalesceChain(_ first: Expr, from start: SourceSpan, noIn: Bool) -> Expr {
    var operands = [(expr: first, start: start)]
    while binaryOperator(noIn: noIn) == .coalesce {
      advance()
      let operandStart = current.span
      operands.append(
        (
          parseBinary(minimumPrecedence: BinaryOperator.coalesce.precedence + 1, noIn: noIn),
          operandStart
        ))
    }
    var result = operands.removeLast().expr
    while let (operand, operandStart) = operands.popLast() {
      // The span of `x ?? rest` runs from x to the end of the chain.
      result = node(.binary(.coalesce, operand, result), from: operandStart)
    }
    return result
  }

  /// A single `=` right after an operand, on its line, where a comparison can go: the
  /// mistake of writing `=` for `==` (a definition's `=` follows its type, never an operand).
  /// Reported with the fix, then read as `==`, so it gives one error and not a cascade.
  mutating func mistakenEquals(_ minimumPrecedence: Int) -> BinaryOperator? {
    guard at(.equal), !current.isAtLineStart, !equalsEndsExpression,
      minimumPrecedence <= BinaryOperator.equal.precedence
    else { return nil }
    report(
      Diagnostic(
        .expectedToken, at: current.span, message: "`=` cannot compare two values",
        help: "write `==` to compare; `=` only gives a definition its value"))
    return .equal
  }

  func binaryOperator(noIn: Bool) -> BinaryOperator? {
    switch current.kind {
    case .keyword(.and): .and
    case .keyword(.or): .or
    case .keyword(.in): noIn ? nil : .in
    case .symbol(let symbol): BinaryOperator(rawValue: symbol.rawValue)
    default: nil
    }
  }

  mutating func parseUnary(noIn: Bool) -> Expr {
    if at(.not) || at(.minus) {
      // A run of the same prefix operator is read in a loop; a change of operator recurses,
      // counted as nesting.
      let op: UnaryOperator = at(.not) ? .not : .negate
      var starts: [SourceSpan] = []
      while op == .not ? at(.not) : at(.minus) {
        starts.append(advance().span)
      }
      var operand = nested { parser in
        op == .not
          ? parser.parseBinary(minimumPrecedence: notPrecedence + 1, noIn: noIn)
          : parser.parseUnary(noIn: noIn)
      }
      while let operatorStart = starts.popLast() {
        operand = node(.unary(op, operand), from: operatorStart)
      }
      return operand
    }
    switch current.kind {
    case .keyword(.if): return parseIf(noIn: noIn)
    case .keyword(.let): return parseLet(noIn: noIn)
    default: return parsePostfix()
    }
  }

  mutating func parseIf(noIn: Bool) -> Expr {
    let start = advance().span
    let condition = parseExpression()
    expect(.then, "after the condition of `if`")
    let thenBranch = parseExpression(noIn: noIn)
    expect(.else, "to complete `if … then …`; every `if` has an `else`")
    let elseBranch = parseExpression(noIn: noIn)
    return node(.ifThenElse(condition, thenBranch, elseBranch), from: start)
  }

  mutating func parseLet(noIn: Bool) -> Expr {
    let start = advance().span
    let name = parseIdentifier("after `let`")
    expect(.equal, "after the name in `let`")
    let value = parseExpression(noIn: true)
    expect(.in, "after the value in `let NAME = VALUE in …`")
    let body = parseExpression(noIn: noIn)
    return node(.letIn(name, value, body), from: start)
  }

  mutating func parsePostfix() -> Expr {
    let start = current.span
    var expr = parsePrimary()
    while true {
      if eat(.dot) {
        let name = parseFieldName("after `.`")
        expr = node(.field(expr, name), from: start)
      } else if at(.leftBracket) && !current.isAtLineStart {
        advance()
        let key = parseExpression()
        expect(.rightBracket, "to close the table lookup")
        expr = node(.index(expr, key), from: start)
      } else if at(.at) && !current.isAtLineStart {
        // `at` on a new line starts a test's jurisdiction item, not a postfix operator.
        advance()
        let jurisdiction = nested { $0.parsePostfix() }
        expr = node(.at(expr, jurisdiction), from: start)
      } else if at(.as) && peek(1).kind == .keyword(.of) && !current.isAtLineStart {
        // `NAME as of DATE`: a parameter read on another date.
        advance()
        advance()
        let date = nested { $0.parsePostfix() }
        expr = node(.asOf(expr, date), from: start)
      } else {
        return expr
      }
    }
  }

  mutating func parsePrimary() -> Expr {
    let start = current.span
    switch current.kind {
    case .integer, .decimal: return parseNumber()
    case .percent: return node(.literal(.percent(advance().text)), from: start)
    case .string: return node(.literal(.text(advance().text)), from: start)
    case .date:
      let token = advance()
      return node(
        .literal(.date(DateLiteral(token.text) ?? DateLiteral("0001-01-01")!)), from: start)
    case .keyword(.true): advance(); return node(.literal(.bool(true)), from: start)
    case .keyword(.false): advance(); return node(.literal(.bool(false)), from: start)
    case .keyword(.none): advance(); return node(.literal(.none), from: start)
    case .keyword(.match): return parseMatch()
    case .keyword(.reason): return parseReasonOf()
    case .keyword(.all), .keyword(.first):
      if peek(1).kind == .symbol(.leftParen) && !peek(1).isAtLineStart {
        return parseCallOrAggregate()
      }
      expected("an expression", code: .expectedExpression)
      return errorExpr()
    case .identifier where peek(1).kind == .symbol(.leftParen) && !peek(1).isAtLineStart:
      return parseCallOrAggregate()
    case .identifier: return node(.name(advance().text), from: start)
    case .symbol(.leftParen): return parseParenthesized()
    case .symbol(.leftBracket): return parseList()
    case .symbol(.leftBrace): return parseBraces()
    default:
      expected("an expression", code: .expectedExpression)
      return errorExpr()
    }
  }

  /// A number, optionally followed by a unit word: `12`, `0.5`, `12 months`, `1510.50 yuan`.
  mutating func parseNumber() -> Expr {
    let start = current.span
    let token = advance()
    let literal: Literal = token.kind == .integer ? .integer(token.text) : .decimal(token.text)
    // A unit word followed by `:` is the next entry's key in braces, not a unit.
    if current.kind == .identifier, let unit = Unit(word: current.text),
      peek(1).kind != .symbol(.colon)
    {
      advance()
      return node(.quantity(literal, unit), from: start)
    }
    return node(.literal(literal), from: start)
  }

  mutating func parseParenthesized() -> Expr {
    advance()
    let inner = parseExpression()
    expect(.rightParen, "to close the parenthesis")
    return inner
  }

  mutating func parseList() -> Expr {
    let start = advance().span
    var items: [Expr] = []
    while !at(.rightBracket) && !atEnd && !isPanicking {
      items.append(parseExpression())
      if !eat(.comma) { break }
    }
    expect(.rightBracket, "to close the list")
    return node(.list(items), from: start)
  }

  mutating func parseBraces() -> Expr {
    let start = advance().span
    var entries: [Entry] = []
    while !at(.rightBrace) && !atEnd && !isPanicking {
      let entryStart = current.span
      let key: Identifier? = eat(.otherwise) ? nil : parseFieldName("as an entry's key")
      expect(.colon, "after the key")
      let value = parseExpression()
      entries.append(Entry(key: key, value: value, span: spanFrom(entryStart)))
      _ = eat(.comma)
    }
    expect(.rightBrace, "to close the braces")
    return node(.braces(entries), from: start)
  }

  mutating func parseReasonOf() -> Expr {
    let start = advance().span
    expect(.of, "after `reason`, as in `reason of eligible`")
    let name = parseIdentifier("after `reason of`")
    return node(.reasonOf(name), from: start)
  }

  mutating func parseMatch() -> Expr {
    let start = advance().span
    let subject = parseExpression()
    expect(.leftBrace, "to open the arms of `match`")
    var arms: [MatchArm] = []
    while !at(.rightBrace) && !atEnd && !isPanicking {
      arms.append(parseArm())
      _ = eat(.comma)
    }
    expect(.rightBrace, "to close `match`")
    return node(.match(subject, arms), from: start)
  }

  mutating func parseArm() -> MatchArm {
    let start = current.span
    var patterns: [Pattern] = []
    repeat { patterns.append(parsePattern()) } while eat(.comma) && !isPanicking
    expect(.colon, "after the pattern of a match arm")
    let value = parseExpression()
    return MatchArm(patterns: patterns, value: value, span: spanFrom(start))
  }

  mutating func parsePattern() -> Pattern {
    let start = current.span
    if eat(.none) { return Pattern(kind: .none, span: start) }
    if eat(.otherwise) { return Pattern(kind: .otherwise, span: start) }
    if eat(.some) {
      let name = parseIdentifier("after `some`")
      return Pattern(kind: .some(name), span: spanFrom(start))
    }
    let name = parseIdentifier("as a pattern (an enum case, `none`, `some NAME` or `otherwise`)")
    return Pattern(kind: .enumCase(name.text), span: name.span)
  }

  /// `name(args)`, or an aggregate: `count(x in L where c)`, `sum(e for x in L where c)`.
  mutating func parseCallOrAggregate() -> Expr {
    let start = current.span
    let name = Identifier(current.text, span: advance().span)
    advance()
    if let kind = Aggregate.Kind(rawValue: name.text) {
      if current.kind == .identifier && peek(1).kind == .keyword(.in) {
        return parseComprehension(kind, element: nil, start: start)
      }
    }
    var arguments: [Expr] = []
    while !at(.rightParen) && !atEnd && !isPanicking {
      let argument = parseExpression()
      if at(.for), let kind = Aggregate.Kind(rawValue: name.text), arguments.isEmpty {
        advance()
        return parseComprehension(kind, element: argument, start: start)
      }
      arguments.append(argument)
      if !eat(.comma) { break }
    }
    expect(.rightParen, "to close the arguments of `\(name.text)`")
    return node(.call(name, arguments), from: start)
  }

  /// The part after `(` or after `ELEMENT for`: `x in LIST [where CONDITION])`.
  mutating func parseComprehension(_ kind: Aggregate.Kind, element: Expr?, start: SourceSpan)
    -> Expr
  {
    let binder = parseIdentifier("naming each element, as in `m in members`")
    expect(.in, "after the element's name")
    let source = parseExpression()
    let filter = eat(.where) ? parseExpression() : nil
    expect(.rightParen, "to close `\(kind.rawValue)(…)`")
    let aggregate = Aggregate(
      kind: kind, element: element, binder: binder, source: source, filter: filter)
    return node(.aggregate(aggregate), from: start)
  }
}
