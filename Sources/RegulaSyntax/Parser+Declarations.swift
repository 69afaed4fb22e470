// Declarations: enums, records, inputs, definitions, level blocks, overrides, exceptions, tests.

extension Parser {
  mutating func parseDeclaration() -> Declaration? {
    let start = current.span
    let kind: Declaration.Kind?
    switch current.kind {
    case .keyword(.enum): kind = parseEnum().map { .enumeration($0) }
    case .keyword(.record): kind = parseRecord().map { .record($0) }
    case .keyword(.input): kind = parseInput().map { .input($0) }
    case .keyword(.parameter): kind = parseDefinition(.parameter).map { .definition($0) }
    case .keyword(.rule): kind = parseDefinition(.rule).map { .definition($0) }
    case .keyword(.decision): kind = parseDefinition(.decision).map { .definition($0) }
    case .keyword(.level): kind = parseLevelBlock().map { .levelBlock($0) }
    case .keyword(.override): kind = parseOverride().map { .override($0) }
    case .keyword(.exception): kind = parseException().map { .exception($0) }
    case .keyword(.test): kind = parseTest().map { .test($0) }
    case .keyword(.labels): kind = parseLabels().map { .labels($0) }
    case .keyword(.import):
      report(
        Diagnostic(
          .misplacedDeclaration, at: current.span, message: "imports must come before declarations",
          help: "move this `import` up, just after the `policy` line"))
      isPanicking = false
      _ = parseImport()
      kind = nil
    default:
      let help: String? =
        current.kind == .identifier
        ? "start a definition with its kind, as in `rule \(current.text) = …` or `decision \(current.text): Bool …`"
        : "a line at the left margin starts a declaration; continue an expression on an indented line"
      expected(
        "a declaration (`enum`, `record`, `input`, `parameter`, `rule`, `decision`, `level`, "
          + "`override`, `exception`, `test` or `labels`)", code: .expectedDeclaration, help: help)
      kind = nil
    }
    guard let kind, !isPanicking else { return nil }
    return Declaration(kind: kind, span: spanFrom(start))
  }

  mutating func parseEnum() -> EnumDecl? {
    advance()
    let name = parseIdentifier("naming the enum")
    let citation = parseCitation()
    expect(.leftBrace, "to open the list of cases")
    var cases: [Identifier] = []
    var outputNames: [String?] = []
    var validities: [Validity?] = []
    while !at(.rightBrace) && !atEnd && !isPanicking {
      cases.append(parseIdentifier("naming an enum case"))
      outputNames.append(
        eat(.as) ? parseString("with the case's name in JSON, as in `none as \"none\"`") : nil)
      validities.append(at(.from) ? parseValidity() : nil)
      _ = eat(.comma)
    }
    expect(.rightBrace, "to close the list of cases")
    var decl = EnumDecl(name: name, cases: cases, citation: citation, outputNames: outputNames)
    if validities.contains(where: { $0 != nil }) { decl.caseValidities = validities }
    return decl
  }

  mutating func parseRecord() -> RecordDecl? {
    advance()
    let name = parseIdentifier("naming the record")
    let citation = parseCitation()
    let fields = parseFieldBlock()
    return RecordDecl(name: name, fields: fields, citation: citation)
  }

  mutating func parseInput() -> InputDecl? {
    advance()
    let name = parseIdentifier("naming the input, as in `input application`")
    return InputDecl(name: name, fields: parseFieldBlock())
  }

  mutating func parseFieldBlock() -> [FieldDecl] {
    expect(.leftBrace, "to open the list of fields")
    var fields: [FieldDecl] = []
    while !at(.rightBrace) && !atEnd && !isPanicking {
      fields.append(parseField())
      _ = eat(.comma)
    }
    expect(.rightBrace, "to close the list of fields")
    return fields
  }

  mutating func parseField() -> FieldDecl {
    let start = current.span
    // `personal` marks the field unless it is the field's own name (`personal: Bool`).
    var isPersonal = false
    if current.kind == .identifier, current.text == "personal", peek(1).kind != .symbol(.colon) {
      advance()
      isPersonal = true
    }
    let name = parseFieldName("naming a field")
    expect(.colon, "after the field name")
    let type = parseType()
    var constraint: Constraint?
    equalsEndsExpression = true
    defer { equalsEndsExpression = false }
    if at(.in) || at(.length) || atOneSidedBound {
      let constraintStart = current.span
      var kind = Constraint.Kind.range
      var twoSided = false
      if at(.length) {
        advance()
        kind = .length
      } else if at(.in) {
        advance()
        twoSided = true
      }
      if !twoSided && atOneSidedBound {
        // `at least LOW` / `at most HIGH` (contextual words after `at`).
        advance()
        let least = advance().text == "least"
        let bound = parseExpression(noIn: true)
        constraint = Constraint(
          kind: kind, low: least ? bound : nil, high: least ? nil : bound,
          span: spanFrom(constraintStart))
      } else {
        let low = parseExpression(noIn: true)
        expect(.to, "between the bounds, as in `0 to 240` (or one bound: `at least 0`)")
        let high = parseExpression(noIn: true)
        constraint = Constraint(kind: kind, low: low, high: high, span: spanFrom(constraintStart))
      }
    }
    if constraint == nil, at(.at), peek(1).kind != .symbol(.colon) {
      // `at` after a type only begins a one-sided bound (a field named `at` is followed by `:`).
      advance()
      expected(
        "`least` or `most` after `at`",
        help: "one-sided bounds are written `at least LOW` or `at most HIGH`")
      advance()
    }
    // `= VALUE`: the value of a field the application leaves out.
    let defaultValue = eat(.equal) ? parseExpression(noIn: true) : nil
    let citation = parseCitation()
    return FieldDecl(
      name: name, type: type, constraint: constraint, citation: citation, span: spanFrom(start),
      isPersonal: isPersonal, defaultValue: defaultValue)
  }

  /// `at least` or `at most` next: a one-sided bound.
  var atOneSidedBound: Bool {
    at(.at) && peek(1).kind == .identifier && (peek(1).text == "least" || peek(1).text == "most")
  }

  mutating func parseDefinition(_ kind: Definition.Kind) -> Definition? {
    advance()
    // A keyword may name a decision (`decision reason: Text = …`) so outputs can carry the names
    // services expect; such a definition cannot be referred to by name.
    let name = parseFieldName("naming the \(kind.rawValue)")
    let parameters = at(.leftParen) ? parseParameters(of: kind) : nil
    var type: TypeSyntax?
    if eat(.colon) { type = parseType() }
    var places: Places?
    // `places` is contextual: `places N` after the type.
    if type != nil, current.kind == .identifier, current.text == "places",
      peek(1).kind == .integer
    {
      let start = advance().span
      let count = advance().text
      places = Places(count: count, span: spanFrom(start))
    }
    let citation = parseCitation()
    let body = parseBody(allowVersions: true)
    var definition = Definition(
      kind: kind, name: name, parameters: parameters, type: type, citation: citation, body: body)
    definition.places = places
    return definition
  }

  /// `(NAME: Type, …)` after a definition's name: the parameters of a function. The checker
  /// says which definitions may have them (rules only) and that there is at least one.
  mutating func parseParameters(of kind: Definition.Kind) -> [FunctionParameter] {
    advance()
    var parameters: [FunctionParameter] = []
    while !at(.rightParen) && !isPanicking && !atEnd {
      let start = current.span
      let name = parseIdentifier("naming a parameter")
      expect(.colon, "and the parameter's type after its name, as in `m: Member`")
      let type = parseType()
      parameters.append(FunctionParameter(name: name, type: type, span: spanFrom(start)))
      if !eat(.comma) { break }
    }
    expect(.rightParen, "or `,` after a parameter")
    return parameters
  }

  /// `= EXPR`, `first of …`, `all of …`, or one or more `from DATE … ` versions.
  mutating func parseBody(allowVersions: Bool) -> Body {
    let start = current.span
    if eat(.equal) {
      return Body(kind: .expression(parseExpression()), span: spanFrom(start))
    }
    if at(.first) && peek(1).kind == .keyword(.of) {
      advance()
      advance()
      return Body(kind: .firstOf(parseCases()), span: spanFrom(start))
    }
    if at(.all) && peek(1).kind == .keyword(.of) {
      advance()
      advance()
      return Body(kind: .allOf(parseConditions()), span: spanFrom(start))
    }
    if allowVersions && at(.from) {
      var versions: [Version] = []
      while at(.from) && !isPanicking {
        let validity = parseValidity()
        let body = parseBody(allowVersions: false)
        versions.append(Version(validity: validity, body: body, citation: parseCitation()))
      }
      return Body(kind: .versions(versions), span: spanFrom(start))
    }
    if allowVersions && atBracket {
      var brackets: [Bracket] = []
      while atBracket && !isPanicking { brackets.append(parseBracket()) }
      return Body(kind: .brackets(brackets), span: spanFrom(start))
    }
    expected(
      allowVersions
        ? "`=`, `first of`, `all of`, `from DATE` or `bracket {` to give the value"
        : "`=`, `first of` or `all of` after the validity dates")
    return Body(kind: .expression(errorExpr()), span: spanFrom(start))
  }

  /// `bracket {` (`bracket` is contextual).
  var atBracket: Bool {
    current.kind == .identifier && current.text == "bracket"
      && peek(1).kind == .symbol(.leftBrace)
  }

  /// `bracket { NAME: VALUE [validity] {, VALUE validity}, … }`: after a `,`, a `NAME :`
  /// starts the next field; anything else is another value of the same field.
  mutating func parseBracket() -> Bracket {
    let start = advance().span
    expect(.leftBrace, "after `bracket`")
    var fields: [BracketField] = []
    while !at(.rightBrace) && !atEnd && !isPanicking {
      let fieldStart = current.span
      let name = parseFieldName("naming a field of the bracket")
      expect(.colon, "after the field's name")
      var values: [DatedValue] = []
      repeat {
        let valueStart = current.span
        let value = parseExpression()
        let validity = at(.from) ? parseValidity() : nil
        values.append(DatedValue(value: value, validity: validity, span: spanFrom(valueStart)))
        guard at(.comma), !startsBracketField(at: 1) else { break }
        advance()
      } while !at(.rightBrace) && !atEnd && !isPanicking
      fields.append(BracketField(name: name, values: values, span: spanFrom(fieldStart)))
      _ = eat(.comma)
    }
    expect(.rightBrace, "to close the bracket")
    return Bracket(fields: fields, span: spanFrom(start))
  }

  /// Whether the tokens from `offset` on are `NAME :` (the next field of a bracket).
  func startsBracketField(at offset: Int) -> Bool {
    guard peek(offset + 1).kind == .symbol(.colon) else { return false }
    switch peek(offset).kind {
    case .identifier, .keyword: return true
    default: return false
    }
  }

  mutating func parseCases() -> [Case] {
    var cases: [Case] = []
    while !isPanicking {
      let start = current.span
      let value = parseExpression()
      var condition: Expr?
      var binding: CaseBinding?
      if eat(.when) {
        let bindingStart = current.span
        if eat(.some) {
          // `some NAME = EXPR [and CONDITION]`: EXPR at the precedence of a comparison's
          // operand, so that `and` continues the condition.
          let name = parseIdentifier("naming the value `some` binds")
          expect(.equal, "after the name that `some` binds, as in `some p = place`")
          let bound = parseBindingValue()
          condition = eat(.and) ? parseExpression() : nil
          binding = CaseBinding(name: name, value: bound, span: spanFrom(bindingStart))
        } else {
          condition = parseExpression()
        }
      } else {
        expect(.otherwise, "or `when CONDITION` after the value of a case")
      }
      let reason = eat(.reason) ? parseIdentifier("naming the reason code") : nil
      let citation = parseCitation()
      var item = Case(
        value: value, condition: condition, reason: reason, citation: citation,
        span: spanFrom(start))
      item.binding = binding
      cases.append(item)
      if item.isOtherwise { break }
    }
    return cases
  }

  mutating func parseConditions() -> [Condition] {
    var conditions: [Condition] = []
    repeat {
      let start = current.span
      let condition = parseExpression()
      if !eat(.reason) {
        expected(
          "`reason` and a reason code after each condition of `all of`",
          help: "each condition names the reason a refusal gives, as in `… reason too_young`")
      }
      let reason = parseIdentifier("naming the reason code")
      let citation = parseCitation()
      conditions.append(
        Condition(condition: condition, reason: reason, citation: citation, span: spanFrom(start)))
    } while !isPanicking && !atEnd && !atDeclarationStart && !at(.rightBrace) && !at(.from)
    return conditions
  }

  mutating func parseLevelBlock() -> LevelBlock? {
    advance()
    let level = parseLevelSpec()
    let opening = current.span
    expect(.leftBrace, "to open the level's definitions")
    guard !isPanicking else { return nil }
    let declarations = parseDeclarations(until: .rightBrace)
    expectClosing("to close the level block", openedAt: opening)
    return LevelBlock(level: level, declarations: declarations)
  }

  mutating func parseOverride() -> Override? {
    advance()
    let name = parseIdentifier("naming the overridden definition")
    let body = parseBody(allowVersions: true)
    return Override(name: name, body: body, citation: parseCitation())
  }

  mutating func parseException() -> ExceptionDecl? {
    advance()
    expect(.to, "after `exception`, as in `exception to NAME = VALUE when CONDITION`")
    let target = parseIdentifier("naming the rule the exception applies to")
    expect(.equal, "before the exception's value")
    let value = parseExpression()
    expect(.when, "before the exception's condition")
    let condition = parseExpression()
    let reason = eat(.reason) ? parseIdentifier("naming the reason code") : nil
    let validity = at(.from) ? parseValidity() : nil
    return ExceptionDecl(
      target: target, value: value, condition: condition, reason: reason,
      citation: parseCitation(), validity: validity)
  }

  mutating func parseTest() -> TestDecl? {
    advance()
    let name = parseString("naming the test")
    let opening = current.span
    expect(.leftBrace, "to open the test")
    var test = TestDecl(
      name: name, asOf: nil, jurisdiction: nil, given: errorExpr(), expectations: [])
    while !at(.rightBrace) && !atEnd && !isPanicking { parseTestItem(into: &test) }
    expectClosing("to close the test", openedAt: opening)
    return test
  }

  mutating func parseTestItem(into test: inout TestDecl) {
    let start = current.span
    if eat(.as) {
      expect(.of, "after `as`, as in `as of 2024-01-01`")
      test.asOf = parseDate("after `as of`")
    } else if eat(.at) {
      test.jurisdiction = parseIdentifier("naming the jurisdiction")
    } else if eat(.given) {
      test.given = parseExpression()
    } else if eat(.expect) {
      let name = parseFieldName("naming the decision")
      var value: Expr?
      if at(.not), peek(1).kind == .identifier, peek(1).text == "computable" {
        // `expect NAME not computable` (`computable` is contextual).
        advance()
        advance()
      } else {
        expect(.equal, "before the expected value (or `not computable`)")
        value = parseExpression()
      }
      let reason =
        value != nil && eat(.reason) ? parseIdentifier("naming the expected reason code") : nil
      test.expectations.append(
        Expectation(name: name, value: value, reason: reason, span: spanFrom(start)))
    } else {
      expected("`as of`, `at`, `given` or `expect` in a test")
    }
  }

  /// `labels LANG { KEY "text" … }`.
  mutating func parseLabels() -> LabelsDecl? {
    advance()
    let language = parseIdentifier("naming the language, as in `labels zh {`")
    let opening = current.span
    expect(.leftBrace, "to open the labels")
    var entries: [LabelEntry] = []
    while !at(.rightBrace) && !atEnd && !isPanicking {
      let start = current.span
      let key: LabelEntry.Key
      if at(.reason) && peek(1).kind != .string {
        advance()
        key = .reason(parseIdentifier("naming the reason code, as in `reason income \"…\"`"))
      } else if eat(.source) {
        key = .source(parseIdentifier("naming the source, as in `source mca \"…\"`"))
      } else if eat(.cite) {
        let source = parseIdentifier("naming the cited source, as in `cite mca \"Art. 9\" \"…\"`")
        key = .citation(source, parseString("with the cited provision, as cited"))
      } else {
        let name = parseFieldName("naming what the label is for")
        if eat(.dot) {
          key = .member(name, parseFieldName("naming the enum case or field"))
        } else {
          key = .definition(name)
        }
      }
      let text = parseString("with the label, as in `eligible \"是否符合条件\"`")
      entries.append(LabelEntry(key: key, text: text, span: spanFrom(start)))
    }
    expectClosing("to close the labels", openedAt: opening)
    return LabelsDecl(language: language, entries: entries)
  }

  /// `cite [SOURCE] "text" [status]`, or nothing.
  mutating func parseCitation() -> Citation? {
    guard at(.cite) else { return nil }
    let start = advance().span
    var source: Identifier?
    if current.kind == .identifier {
      source = Identifier(current.text, span: advance().span)
    }
    let text = parseString("with the cited provision, as in `cite \"Art. 5(2)\"`")
    var status: Identifier?
    if current.kind == .identifier && Citation.statuses.contains(current.text) {
      status = Identifier(current.text, span: advance().span)
    }
    return Citation(source: source, text: text, status: status, span: spanFrom(start))
  }

  // MARK: Small pieces

  mutating func parseIdentifier(_ context: String) -> Identifier {
    if current.kind == .identifier {
      let token = advance()
      return Identifier(token.text, span: token.span)
    }
    expected("a name \(context)")
    return Identifier("", span: current.span)
  }

  /// A field name, which may be a keyword (`rule`, `reason`, …) since the position is unambiguous.
  mutating func parseFieldName(_ context: String) -> Identifier {
    if case .keyword = current.kind {
      let token = advance()
      return Identifier(token.text, span: token.span)
    }
    return parseIdentifier(context)
  }

  mutating func parseString(_ context: String) -> String {
    if current.kind == .string { return advance().text }
    expected("a string \(context)")
    return ""
  }

  mutating func parseDate(_ context: String) -> DateLiteral {
    if current.kind == .date {
      let token = advance()
      // The lexer already reported an impossible date; use a placeholder to go on.
      return DateLiteral(token.text) ?? DateLiteral("0001-01-01")!
    }
    expected("a date `YYYY-MM-DD` \(context)")
    return DateLiteral("0001-01-01")!
  }

  mutating func parseType() -> TypeSyntax {
    let start = current.span
    var type: TypeSyntax
    if current.kind == .identifier && current.text == "List" && peek(1).kind == .symbol(.less) {
      advance()
      advance()
      let element = parseType()
      expect(.greater, "to close `List<…>`")
      type = TypeSyntax(kind: .list(element), span: spanFrom(start))
    } else if current.kind == .identifier {
      let name = parseIdentifier("")
      type = TypeSyntax(kind: .named(name), span: name.span)
    } else {
      expected(
        "a type", code: .expectedType, help: "types look like `Money`, `List<Member>`, `Date?`")
      return TypeSyntax(kind: .named(Identifier("", span: current.span)), span: current.span)
    }
    if current.kind == .identifier && current.text == "by" && peek(1).kind == .identifier {
      advance()
      let key = parseIdentifier("naming the table's key enum, as in `Money by Province`")
      type = TypeSyntax(kind: .table(value: type, key: key), span: spanFrom(start))
    }
    if eat(.questionMark) { type = TypeSyntax(kind: .optional(type), span: spanFrom(start)) }
    return type
  }
}

extension Citation {
  /// The verification tags a citation may carry (see Docs/language.md, "Citations").
  public static let statuses: Set<String> = ["verified", "summary", "unverified", "convention"]
}
