// The formatter: canonical source from a syntax tree, keeping comments and blank lines.
// It is idempotent, and parsing its output gives the same tree (both tested).

/// Prints canonical Regula source.
public struct Formatter {
  let file: SourceFile
  let comments: [SourceComment]
  var nextComment = 0
  var lines: [String] = []
  /// The source offset up to which items and comments have been emitted.
  var lastOffset = 0

  /// Lines longer than this are broken at braces and `match` arms.
  public static let lineLength = 100

  /// Formats a parsed file. Only call on a file that parsed without errors.
  public static func format(_ syntax: FileSyntax, file: SourceFile) -> String {
    var formatter = Formatter(file: file, comments: syntax.comments)
    formatter.formatFile(syntax)
    formatter.flushComments(before: Int.max, indent: 0)
    while formatter.lines.last == "" { formatter.lines.removeLast() }
    return formatter.lines.joined(separator: "\n") + "\n"
  }

  // MARK: Emitting lines

  func pad(_ indent: Int) -> String { String(repeating: "  ", count: indent) }

  /// True when the source between two offsets contains an empty line.
  func hasBlankLine(from start: Int, to end: Int) -> Bool {
    guard start < end, end <= file.bytes.count else { return false }
    var newlines = 0
    for byte in file.bytes[start..<end] {
      if byte == UInt8(ascii: "\n") {
        newlines += 1
        if newlines >= 2 { return true }
      } else if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t")
        && byte != UInt8(ascii: "\r")
      {
        newlines = 0
      }
    }
    return false
  }

  mutating func separate(upTo offset: Int) {
    if !lines.isEmpty, lines.last != "", hasBlankLine(from: lastOffset, to: offset) {
      lines.append("")
    }
  }

  mutating func flushComments(before offset: Int, indent: Int) {
    while nextComment < comments.count, comments[nextComment].span.bytes.lowerBound < offset {
      let comment = comments[nextComment]
      nextComment += 1
      if !comment.isOwnLine, let last = lines.indices.last, lines[last] != "" {
        lines[last] += "  --\(comment.text)"
      } else {
        separate(upTo: comment.span.bytes.lowerBound)
        lines.append(pad(indent) + "--\(comment.text)")
      }
      lastOffset = comment.span.bytes.upperBound
    }
  }

  /// Emits one line for an item that starts at `span`.
  mutating func emit(_ text: String, indent: Int, span: SourceSpan) {
    flushComments(before: span.bytes.lowerBound, indent: indent)
    separate(upTo: span.bytes.lowerBound)
    lines.append(pad(indent) + text)
    lastOffset = span.bytes.lowerBound
  }

  /// Notes that everything up to the end of `span` has been emitted.
  mutating func finish(_ span: SourceSpan) { lastOffset = max(lastOffset, span.bytes.upperBound) }

  // MARK: File and declarations

  mutating func formatFile(_ syntax: FileSyntax) {
    let header = syntax.header
    var first = "\(header.kind.rawValue) \(header.name.text)"
    if let title = header.title { first += " \(RegulaText.quote(title))" }
    emit(first, indent: 0, span: header.span)
    if let level = header.level { emit("level \(levelText(level))", indent: 1, span: level.span) }
    for source in header.sources {
      var text = "source \(source.name.text) \(RegulaText.quote(source.document))"
      if let version = source.version { text += " version \(RegulaText.quote(version))" }
      emit(text, indent: 1, span: source.span)
    }
    if let validity = header.validity {
      emit(validityText(validity), indent: 1, span: validity.span)
    }
    if let jurisdictions = header.jurisdictions {
      var text = "jurisdictions \(jurisdictions.enumeration.text)"
      if !jurisdictions.cities.isEmpty {
        text += " cities " + jurisdictions.cities.map(\.code).joined(separator: ", ")
      }
      emit(text, indent: 1, span: jurisdictions.span)
    }
    finish(header.span)
    for item in syntax.imports {
      let names = item.names.map { " (" + $0.map(\.text).joined(separator: ", ") + ")" } ?? ""
      emit("import \(RegulaText.quote(item.path))\(names)", indent: 0, span: item.span)
      finish(item.span)
    }
    for declaration in syntax.declarations { formatDeclaration(declaration, indent: 0) }
  }

  func levelText(_ level: LevelSpec) -> String {
    switch level.kind {
    case .national: "national"
    case .province(let code): "province \(code.text)"
    case .city(let province, let city): "city \(province.text).\(city.text)"
    }
  }

  func validityText(_ validity: Validity) -> String {
    "from \(validity.from)" + (validity.until.map { " until \($0)" } ?? "")
  }

  func citationText(_ citation: Citation?) -> String {
    guard let citation else { return "" }
    var text = " cite"
    if let source = citation.source { text += " \(source.text)" }
    text += " \(RegulaText.quote(citation.text))"
    if let status = citation.status { text += " \(status.text)" }
    return text
  }

  mutating func formatDeclaration(_ declaration: Declaration, indent: Int) {
    switch declaration.kind {
    case .enumeration(let decl): formatEnum(decl, indent: indent, span: declaration.span)
    case .record(let decl):
      formatFields(
        "record \(decl.name.text)\(citationText(decl.citation))", decl.fields, indent: indent,
        span: declaration.span)
    case .input(let decl):
      formatFields("input \(decl.name.text)", decl.fields, indent: indent, span: declaration.span)
    case .definition(let decl):
      var head = "\(decl.kind.rawValue) \(decl.name.text)\(decl.parameterText)"
      if let type = decl.type { head += ": \(TypePrinter.describe(type))" }
      if let places = decl.places { head += " places \(places.count)" }
      formatBody(
        head + citationText(decl.citation), decl.body, suffix: "", indent: indent,
        span: declaration.span)
    case .levelBlock(let block):
      emit("level \(levelText(block.level)) {", indent: indent, span: declaration.span)
      for inner in block.declarations { formatDeclaration(inner, indent: indent + 1) }
      flushComments(before: declaration.span.bytes.upperBound, indent: indent + 1)
      lines.append(pad(indent) + "}")
    case .override(let decl):
      formatBody(
        "override \(decl.name.text)", decl.body, suffix: citationText(decl.citation),
        indent: indent,
        span: declaration.span)
    case .exception(let decl):
      var text = "exception to \(decl.target.text) = \(ExprPrinter.source(decl.value))"
      text += " when \(ExprPrinter.source(decl.condition))"
      if let reason = decl.reason { text += " reason \(reason.text)" }
      if let validity = decl.validity {
        text += " from \(validity.from)" + (validity.until.map { " until \($0)" } ?? "")
      }
      emit(text + citationText(decl.citation), indent: indent, span: declaration.span)
    case .test(let decl): formatTest(decl, indent: indent, span: declaration.span)
    case .labels(let decl):
      emit("labels \(decl.language.text) {", indent: indent, span: declaration.span)
      for entry in decl.entries {
        emit(
          "\(entry.writtenKey) \(RegulaText.quote(entry.text))", indent: indent + 1,
          span: entry.span)
      }
      flushComments(before: declaration.span.bytes.upperBound, indent: indent + 1)
      lines.append(pad(indent) + "}")
    }
    finish(declaration.span)
  }

  mutating func formatEnum(_ decl: EnumDecl, indent: Int, span: SourceSpan) {
    let head = "enum \(decl.name.text)\(citationText(decl.citation))"
    let oneLine = "\(head) { " + decl.writtenCases.joined(separator: ", ") + " }"
    let hasInnerComments = comments.contains { span.bytes.contains($0.span.bytes.lowerBound) }
    if pad(indent).count + oneLine.count <= Self.lineLength && !hasInnerComments {
      emit(oneLine, indent: indent, span: span)
      return
    }
    emit(head + " {", indent: indent, span: span)
    for (item, written) in zip(decl.cases, decl.writtenCases) {
      emit(written, indent: indent + 1, span: item.span)
    }
    flushComments(before: span.bytes.upperBound, indent: indent + 1)
    lines.append(pad(indent) + "}")
  }

  mutating func formatFields(_ head: String, _ fields: [FieldDecl], indent: Int, span: SourceSpan) {
    emit(head + " {", indent: indent, span: span)
    for field in fields {
      var text =
        (field.isPersonal ? "personal " : "")
        + "\(field.name.text): \(TypePrinter.describe(field.type))"
      if let constraint = field.constraint { text += constraint.text(ExprPrinter.noInSource) }
      if let value = field.defaultValue { text += " = " + ExprPrinter.noInSource(value) }
      emit(text + citationText(field.citation), indent: indent + 1, span: field.span)
      finish(field.span)
    }
    flushComments(before: span.bytes.upperBound, indent: indent + 1)
    lines.append(pad(indent) + "}")
  }

  mutating func formatBody(
    _ head: String, _ body: Body, suffix: String, indent: Int, span: SourceSpan
  ) {
    switch body.kind {
    case .expression(let expr):
      emitExpression(head + " = ", expr, suffix: suffix, indent: indent, span: span)
    case .firstOf(let cases):
      emit(head, indent: indent, span: span)
      emit("first of", indent: indent + 1, span: body.span)
      for item in cases {
        var text = ExprPrinter.source(item.value)
        if let condition = item.writtenCondition(
          ExprPrinter.source,
          bound: { ExprPrinter.source($0, context: BinaryOperator.and.precedence + 1) })
        {
          text += " when \(condition)"
        } else {
          text += " otherwise"
        }
        if let reason = item.reason { text += " reason \(reason.text)" }
        emit(text + citationText(item.citation), indent: indent + 2, span: item.span)
        finish(item.span)
      }
      appendSuffix(suffix)
    case .allOf(let conditions):
      emit(head, indent: indent, span: span)
      emit("all of", indent: indent + 1, span: body.span)
      for item in conditions {
        let text = "\(ExprPrinter.source(item.condition)) reason \(item.reason.text)"
        emit(text + citationText(item.citation), indent: indent + 2, span: item.span)
        finish(item.span)
      }
      appendSuffix(suffix)
    case .versions(let versions):
      emit(head, indent: indent, span: span)
      for version in versions { formatVersion(version, indent: indent + 1) }
      appendSuffix(suffix)
    case .brackets(let brackets):
      emit(head, indent: indent, span: span)
      for bracket in brackets { formatBracket(bracket, indent: indent + 1) }
      appendSuffix(suffix)
    }
  }

  /// `bracket { a: 1, b: 2 from D, 3 from E }` on one line when it fits and holds no comment;
  /// else one field per line.
  mutating func formatBracket(_ bracket: Bracket, indent: Int) {
    func fieldText(_ field: BracketField) -> String {
      "\(field.name.text): "
        + field.values.map { value in
          ExprPrinter.source(value.value)
            + (value.validity.map { " " + validityText($0) } ?? "")
        }.joined(separator: ", ")
    }
    let oneLine = "bracket { " + bracket.fields.map(fieldText).joined(separator: ", ") + " }"
    let hasInnerComments = comments[nextComment...].contains {
      bracket.span.bytes.contains($0.span.bytes.lowerBound)
    }
    if pad(indent).count + oneLine.count <= Self.lineLength && !hasInnerComments {
      emit(oneLine, indent: indent, span: bracket.span)
      finish(bracket.span)
      return
    }
    emit("bracket {", indent: indent, span: bracket.span)
    for field in bracket.fields {
      emit(fieldText(field), indent: indent + 1, span: field.span)
      finish(field.span)
    }
    flushComments(before: bracket.span.bytes.upperBound, indent: indent + 1)
    lines.append(pad(indent) + "}")
    finish(bracket.span)
  }

  mutating func appendSuffix(_ suffix: String) {
    guard !suffix.isEmpty, let last = lines.indices.last else { return }
    lines[last] += suffix
  }

  mutating func formatVersion(_ version: Version, indent: Int) {
    let head = validityText(version.validity)
    let suffix = citationText(version.citation)
    switch version.body.kind {
    case .expression(let expr):
      emitExpression(
        head + " = ", expr, suffix: suffix, indent: indent, span: version.validity.span)
    default:
      formatBody(head, version.body, suffix: suffix, indent: indent, span: version.validity.span)
    }
  }

  mutating func formatTest(_ test: TestDecl, indent: Int, span: SourceSpan) {
    emit("test \(RegulaText.quote(test.name)) {", indent: indent, span: span)
    if let asOf = test.asOf { lines.append(pad(indent + 1) + "as of \(asOf)") }
    if let jurisdiction = test.jurisdiction {
      lines.append(pad(indent + 1) + "at \(jurisdiction.text)")
    }
    if case .error = test.given.kind {
    } else {
      emitExpression("given ", test.given, suffix: "", indent: indent + 1, span: test.given.span)
    }
    for expectation in test.expectations {
      let reason = expectation.reason.map { " reason \($0.text)" } ?? ""
      guard let value = expectation.value else {
        emit(
          "expect \(expectation.name.text) not computable", indent: indent + 1,
          span: expectation.span)
        finish(expectation.span)
        continue
      }
      emitExpression(
        "expect \(expectation.name.text) = ", value, suffix: reason, indent: indent + 1,
        span: expectation.span)
    }
    flushComments(before: span.bytes.upperBound, indent: indent + 1)
    lines.append(pad(indent) + "}")
  }

  // MARK: Expressions that may span lines

  /// Emits `prefix EXPR suffix`, breaking braces and `match` one entry per line when the
  /// line is too long or the expression holds comments.
  mutating func emitExpression(
    _ prefix: String, _ expr: Expr, suffix: String, indent: Int, span: SourceSpan
  ) {
    let oneLine = prefix + ExprPrinter.source(expr) + suffix
    let hasInnerComments = comments[nextComment...].contains {
      expr.span.bytes.contains($0.span.bytes.lowerBound)
    }
    let fits = pad(indent).count + oneLine.count <= Self.lineLength
    switch expr.kind {
    case .braces(let entries) where !entries.isEmpty && (!fits || hasInnerComments):
      emit(prefix + "{", indent: indent, span: span)
      for entry in entries {
        emitExpression(
          "\(entry.key?.text ?? "otherwise"): ", entry.value, suffix: "", indent: indent + 1,
          span: entry.span)
      }
      closeBlock(expr, suffix: suffix, indent: indent)
    case .match(let subject, let arms) where !fits || hasInnerComments:
      emit(prefix + "match \(ExprPrinter.source(subject)) {", indent: indent, span: span)
      for arm in arms {
        emitExpression(
          "\(ExprPrinter.patterns(arm.patterns)): ", arm.value, suffix: "", indent: indent + 1,
          span: arm.span)
      }
      closeBlock(expr, suffix: suffix, indent: indent)
    case .ifThenElse(let condition, let then, let otherwise) where !fits:
      emitBare(prefix, indent: indent, span: span)
      emitExpression("if ", condition, suffix: "", indent: indent + 1, span: condition.span)
      emitExpression("then ", then, suffix: "", indent: indent + 1, span: then.span)
      emitExpression("else ", otherwise, suffix: suffix, indent: indent + 1, span: otherwise.span)
    case .binary(let op, _, _) where !fits && (op == .and || op == .or):
      let operands = flatten(op, expr)
      let context = op.precedence + 1
      emit(prefix + ExprPrinter.source(operands[0], context: context), indent: indent, span: span)
      for operand in operands.dropFirst() {
        emit(
          "\(op.rawValue) " + ExprPrinter.source(operand, context: context), indent: indent + 1,
          span: operand.span)
      }
      appendSuffix(suffix)
      finish(expr.span)
    case .binary(let op, _, _)
    where !fits && [.add, .subtract, .multiply, .divide].contains(op):
      // A long sum or product breaks as `and`/`or` do: one operand per line, its operator
      // first.
      let terms = chainTerms(expr, precedence: op.precedence)
      let context = op.precedence + 1
      emit(
        prefix + ExprPrinter.source(terms[0].operand, context: context), indent: indent, span: span)
      for (op, operand) in terms.dropFirst() {
        emit(
          "\(op?.rawValue ?? "+") " + ExprPrinter.source(operand, context: context),
          indent: indent + 1, span: operand.span)
      }
      appendSuffix(suffix)
      finish(expr.span)
    case .letIn(let name, let value, let body) where !fits && !ExprPrinter.containsBareIn(value):
      // `let x = VALUE in` on its line, the body on the next, indented.
      emitExpression(
        prefix + "let \(name.text) = ", value, suffix: " in", indent: indent, span: span)
      emitExpression("", body, suffix: suffix, indent: indent + 1, span: body.span)
    case .aggregate(let aggregate) where !fits:
      // `sum(`, then the element, `for` the binder and list, and `where …`, each on its own
      // line.
      emit(prefix + "\(aggregate.kind.rawValue)(", indent: indent, span: span)
      var head = "\(aggregate.binder.text) in "
      if let element = aggregate.element {
        emitExpression("", element, suffix: "", indent: indent + 1, span: element.span)
        head = "for " + head
      }
      emitExpression(
        head, aggregate.source, suffix: "", indent: indent + 1, span: aggregate.source.span)
      if let filter = aggregate.filter {
        emitExpression("where ", filter, suffix: "", indent: indent + 1, span: filter.span)
      }
      closeParenthesis(expr, suffix: suffix, indent: indent)
    case .call(let name, let arguments) where !fits && !arguments.isEmpty:
      // One argument per line.
      emit(prefix + "\(name.text)(", indent: indent, span: span)
      for (position, argument) in arguments.enumerated() {
        emitExpression(
          "", argument, suffix: position < arguments.count - 1 ? "," : "", indent: indent + 1,
          span: argument.span)
      }
      closeParenthesis(expr, suffix: suffix, indent: indent)
    default:
      emit(oneLine, indent: indent, span: span)
      finish(expr.span)
    }
  }

  /// The terms of a chain of operators of one precedence (`+ -`, or `* /`; left-associative),
  /// each with the operator before it (nil for the first): `a + b - c` → [(nil, a), (+, b),
  /// (-, c)].
  func chainTerms(_ expr: Expr, precedence: Int) -> [(op: BinaryOperator?, operand: Expr)] {
    guard case .binary(let op, let left, let right) = expr.kind, op.precedence == precedence
    else { return [(nil, expr)] }
    return chainTerms(left, precedence: precedence) + [(op, right)]
  }

  mutating func closeParenthesis(_ expr: Expr, suffix: String, indent: Int) {
    flushComments(before: expr.span.bytes.upperBound, indent: indent + 1)
    lines.append(pad(indent) + ")" + suffix)
    finish(expr.span)
  }

  /// Emits a line that ends before a value continued on the next lines (`rule x =`).
  mutating func emitBare(_ prefix: String, indent: Int, span: SourceSpan) {
    var head = prefix
    while head.last == " " { head.removeLast() }
    if head.isEmpty { return }
    emit(head, indent: indent, span: span)
  }

  /// The operands of a left-nested chain of one operator: `a or b or c` → [a, b, c]; a
  /// parenthesised right operand stays one operand so the tree is unchanged.
  func flatten(_ op: BinaryOperator, _ expr: Expr) -> [Expr] {
    guard case .binary(let inner, let left, let right) = expr.kind, inner == op else {
      return [expr]
    }
    return flatten(op, left) + [right]
  }

  mutating func closeBlock(_ expr: Expr, suffix: String, indent: Int) {
    flushComments(before: expr.span.bytes.upperBound, indent: indent + 1)
    lines.append(pad(indent) + "}" + suffix)
    finish(expr.span)
  }
}
