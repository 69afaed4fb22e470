// The printed form of a syntax tree: one node per line, indented; spans optional.
// Golden tests compare it, and the formatter round-trip compares it without spans.

/// Prints a syntax tree as an indented outline.
public struct SyntaxPrinter {
  let file: SourceFile?
  var lines: [String] = []
  var indent = 0

  /// Prints `syntax`; pass the file to show `@line:col` after each node.
  public static func print(_ syntax: FileSyntax, file: SourceFile? = nil) -> String {
    var printer = SyntaxPrinter(file: file)
    printer.printFile(syntax)
    return printer.lines.joined(separator: "\n") + "\n"
  }

  mutating func line(_ text: String, _ span: SourceSpan?) {
    var text = String(repeating: "  ", count: indent) + text
    if let file, let span {
      let (line, column) = file.location(of: span.bytes.lowerBound)
      text += " @\(line):\(column)"
    }
    lines.append(text)
  }

  mutating func nested(_ body: (inout SyntaxPrinter) -> Void) {
    indent += 1
    body(&self)
    indent -= 1
  }

  mutating func printFile(_ syntax: FileSyntax) {
    let header = syntax.header
    var text = "\(header.kind.rawValue) \(header.name.text)"
    if let title = header.title { text += " \(JSONText.quote(title))" }
    if let level = header.level { text += " level \(level.code)" }
    if let validity = header.validity { text += " " + describe(validity) }
    line(text, header.span)
    nested { printer in
      for source in header.sources {
        printer.line(
          "source \(source.name.text) \(JSONText.quote(source.document))"
            + (source.version.map { " version \(JSONText.quote($0))" } ?? ""), source.span)
      }
      if let jurisdictions = header.jurisdictions {
        printer.line(
          "jurisdictions \(jurisdictions.enumeration.text)"
            + jurisdictions.cities.map { " city \($0.code)" }.joined(), jurisdictions.span)
      }
      for item in syntax.imports {
        let names = item.names.map { " (" + $0.map(\.text).joined(separator: ", ") + ")" } ?? ""
        printer.line("import \(JSONText.quote(item.path))\(names)", item.span)
      }
      for declaration in syntax.declarations { printer.printDeclaration(declaration) }
    }
  }

  func describe(_ validity: Validity) -> String {
    "from \(validity.from)" + (validity.until.map { " until \($0)" } ?? "")
  }

  func describe(_ citation: Citation?) -> String {
    guard let citation else { return "" }
    var text = " cite"
    if let source = citation.source { text += " \(source.text)" }
    text += " \(JSONText.quote(citation.text))"
    if let status = citation.status { text += " \(status.text)" }
    return text
  }

  mutating func printDeclaration(_ declaration: Declaration) {
    switch declaration.kind {
    case .enumeration(let decl):
      line(
        "enum \(decl.name.text)\(describe(decl.citation)) { "
          + decl.writtenCases.joined(separator: ", ") + " }", declaration.span)
    case .record(let decl):
      line("record \(decl.name.text)\(describe(decl.citation))", declaration.span)
      nested { printer in decl.fields.forEach { printer.printField($0) } }
    case .input(let decl):
      line("input \(decl.name.text)", declaration.span)
      nested { printer in decl.fields.forEach { printer.printField($0) } }
    case .definition(let decl):
      let type =
        (decl.type.map { ": \(TypePrinter.describe($0))" } ?? "")
        + (decl.places.map { " places \($0.count)" } ?? "")
      line(
        "\(decl.kind.rawValue) \(decl.name.text)\(decl.parameterText)\(type)\(describe(decl.citation))",
        declaration.span
      )
      nested { printer in printer.printBody(decl.body) }
    case .levelBlock(let block):
      line("level \(block.level.code)", declaration.span)
      nested { printer in block.declarations.forEach { printer.printDeclaration($0) } }
    case .override(let decl):
      line("override \(decl.name.text)\(describe(decl.citation))", declaration.span)
      nested { printer in printer.printBody(decl.body) }
    case .exception(let decl):
      let reason = decl.reason.map { " reason \($0.text)" } ?? ""
      let validity =
        decl.validity.map { " from \($0.from)" + ($0.until.map { " until \($0)" } ?? "") } ?? ""
      line(
        "exception to \(decl.target.text)\(reason)\(validity)\(describe(decl.citation))",
        declaration.span)
      nested { printer in
        printer.printExpr(decl.value, label: "value")
        printer.printExpr(decl.condition, label: "when")
      }
    case .test(let decl):
      printTest(decl, span: declaration.span)
    case .labels(let decl):
      line("labels \(decl.language.text)", declaration.span)
      nested { printer in
        for entry in decl.entries {
          printer.line("\(entry.writtenKey) \(JSONText.quote(entry.text))", entry.span)
        }
      }
    }
  }

  mutating func printTest(_ test: TestDecl, span: SourceSpan) {
    var text = "test \(JSONText.quote(test.name))"
    if let asOf = test.asOf { text += " as of \(asOf)" }
    if let jurisdiction = test.jurisdiction { text += " at \(jurisdiction.text)" }
    line(text, span)
    nested { printer in
      printer.printExpr(test.given, label: "given")
      for expectation in test.expectations {
        let reason = expectation.reason.map { " reason \($0.text)" } ?? ""
        guard let value = expectation.value else {
          printer.line("expect \(expectation.name.text) not computable", expectation.span)
          continue
        }
        printer.line("expect \(expectation.name.text)\(reason)", expectation.span)
        printer.nested { $0.printExpr(value, label: nil) }
      }
    }
  }

  mutating func printField(_ field: FieldDecl) {
    var text =
      "field \(field.isPersonal ? "personal " : "")\(field.name.text): \(TypePrinter.describe(field.type))"
    if let constraint = field.constraint { text += constraint.text(ExprPrinter.print) }
    if let value = field.defaultValue { text += " = " + ExprPrinter.print(value) }
    line(text + describe(field.citation), field.span)
  }

  mutating func printBody(_ body: Body) {
    switch body.kind {
    case .expression(let expr):
      printExpr(expr, label: "=")
    case .firstOf(let cases):
      line("first of", body.span)
      nested { printer in
        for item in cases {
          let reason = item.reason.map { " reason \($0.text)" } ?? ""
          printer.line(
            (item.isOtherwise ? "otherwise" : "case") + reason
              + printer.describe(item.citation),
            item.span)
          printer.nested { inner in
            inner.printExpr(item.value, label: "value")
            if let binding = item.binding {
              inner.printExpr(binding.value, label: "when some \(binding.name.text) =")
            }
            if let condition = item.condition { inner.printExpr(condition, label: "when") }
          }
        }
      }
    case .allOf(let conditions):
      line("all of", body.span)
      nested { printer in
        for item in conditions {
          printer.line(
            "condition reason \(item.reason.text)\(printer.describe(item.citation))", item.span)
          printer.nested { $0.printExpr(item.condition, label: nil) }
        }
      }
    case .versions(let versions):
      for version in versions {
        line(
          "version \(describe(version.validity))\(describe(version.citation))",
          version.validity.span)
        nested { $0.printBody(version.body) }
      }
    case .brackets(let brackets):
      for bracket in brackets {
        line("bracket", bracket.span)
        nested { printer in
          for field in bracket.fields {
            printer.line("field \(field.name.text)", field.span)
            printer.nested { printer in
              for value in field.values {
                let dates = value.validity.map { " " + printer.describe($0) } ?? ""
                printer.printExpr(value.value, label: "value" + dates)
              }
            }
          }
        }
      }
    }
  }

  mutating func printExpr(_ expr: Expr, label: String?) {
    let prefix = label.map { "\($0) " } ?? ""
    line(prefix + ExprPrinter.print(expr), expr.span)
  }
}

/// Prints types as written.
public enum TypePrinter {
  public static func describe(_ type: TypeSyntax) -> String {
    switch type.kind {
    case .named(let name): name.text
    case .list(let element): "List<\(describe(element))>"
    case .optional(let wrapped): "\(describe(wrapped))?"
    case .table(let value, let key): "\(describe(value)) by \(key.text)"
    }
  }
}
