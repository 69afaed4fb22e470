// What the server answers from a checked file: diagnostics, hover, definitions, document
// symbols and formatting.
import Regula

extension LanguageServer {
  // MARK: Diagnostics

  /// Checks an open document and publishes the diagnostics of every file it read (cleared for
  /// files that had some last time and have none now).
  func publishDiagnostics(for path: String) {
    let analysis = analyze(path)
    var byFile: [String: [JSONValue]] = [:]
    var maps: [String: LineMap] = [:]
    func map(_ id: SourceFile.ID) -> (String, LineMap) {
      let file = analysis.sources[id]
      if let known = maps[file.path] { return (file.path, known) }
      let made = LineMap(bytes: file.bytes, encoding: encoding)
      maps[file.path] = made
      return (file.path, made)
    }
    for diagnostic in analysis.diagnostics {
      let (file, lines) = map(diagnostic.span.file)
      var message = diagnostic.message
      if let help = diagnostic.help { message += "\nhelp: \(help)" }
      var fields: [(key: String, value: JSONValue)] = [
        ("range", lines.range(diagnostic.span.bytes)),
        (
          "severity",
          .int(diagnostic.severity == .error ? 1 : diagnostic.severity == .warning ? 2 : 3)
        ),
        ("code", .string(diagnostic.code.rawValue)),
        ("source", .string("regula")),
        ("message", .string(message)),
      ]
      let related: [JSONValue] = diagnostic.notes.compactMap { note in
        guard let span = note.span else { return nil }
        let (notePath, noteLines) = map(span.file)
        return .object([
          (
            "location",
            .object([
              ("uri", .string(uri(ofPath: notePath))), ("range", noteLines.range(span.bytes)),
            ])
          ),
          ("message", .string(note.message)),
        ])
      }
      if !related.isEmpty { fields.append(("relatedInformation", .array(related))) }
      byFile[file, default: []].append(.object(fields))
    }
    var files = Set(byFile.keys)
    files.insert(path)
    for file in files.union(published[path] ?? []) {
      notify(
        "textDocument/publishDiagnostics",
        .object([("uri", .string(uri(ofPath: file))), ("diagnostics", .array(byFile[file] ?? []))]))
    }
    published[path] = Set(byFile.keys)
  }

  // MARK: Hover

  /// The checked type of what is under the cursor, and the article it cites.
  func hover(_ path: String, at offset: Int) -> JSONValue {
    let analysis = analyze(path)
    guard let program = analysis.program, let root = analysis.files.last else { return .null }
    let index = SymbolIndex(analysis)
    let lines = LineMap(bytes: analysis.sources[root.id].bytes, encoding: encoding)
    var text: String?
    var span: SourceSpan?
    if let expression = innermostExpression(in: root.syntax, at: offset, file: root.id) {
      span = expression.span
      let type = program.types[expression.id].map { "\($0)" } ?? "?"
      switch (expression.kind, program.resolutions[expression.id]) {
      case (_, .definition(let name)?):
        text = index.describeDefinition(name, program: program)
      case (.call(let name, _), _) where program.function(name.text) != nil:
        text = index.describeDefinition(name.text, program: program)
      case (_, .input(let name)?):
        text = "```regula\ninput \(name): \(type)\n```"
      case (_, .local(let name)?):
        text = "```regula\n\(name): \(type)\n```\n\nA local name."
      case (_, .enumCase(let enumName, let caseName)?):
        text = "```regula\n\(enumName).\(caseName)\n```"
      case (.field(let base, let field), _):
        let owner = program.types[base.id].map { "\($0)" } ?? ""
        let declared = (program.records + [program.input].compactMap { $0 })
          .first { $0.name == owner }?.field(field.text)
        text =
          "```regula\n\(owner.isEmpty ? "" : owner + ".")\(field.text): \(type)\n```"
          + (declared?.citation.map { "\n\n" + index.citationText($0, program: program) } ?? "")
      default:
        text = "```regula\n\(type)\n```"
      }
    } else if let declared = index.declaration(at: offset, in: root.id) {
      span = declared.nameSpan
      text = index.describe(declared, program: program)
    }
    guard let text, let span else { return .null }
    return .object([
      ("contents", .object([("kind", .string("markdown")), ("value", .string(text))])),
      ("range", lines.range(span.bytes)),
    ])
  }

  /// The smallest expression of `syntax` whose span holds `offset`.
  func innermostExpression(in syntax: FileSyntax, at offset: Int, file: SourceFile.ID) -> Expr? {
    var best: Expr?
    func visit(_ expression: Expr) {
      guard expression.span.file == file, expression.span.bytes.lowerBound <= offset,
        offset <= expression.span.bytes.upperBound
      else { return }
      if best == nil || expression.span.bytes.count <= best!.span.bytes.count { best = expression }
      for child in expression.children { visit(child) }
    }
    forEachExpression(in: syntax.declarations, visit)
    return best
  }

  // MARK: Definition

  /// Where the name under the cursor is declared, in this file or an imported one; the file
  /// itself for the path of an `import`.
  func definition(_ path: String, at offset: Int) -> JSONValue {
    let analysis = analyze(path)
    guard let root = analysis.files.last else { return .null }
    let file = analysis.sources[root.id]
    for item in root.syntax.imports where item.span.bytes.contains(offset) {
      let target = Paths.join(Paths.directory(of: file.path), item.path)
      return location(path: Paths.normalize(target), bytes: [], span: 0..<0)
    }
    let index = SymbolIndex(analysis)
    var name: String?
    if let expression = innermostExpression(in: root.syntax, at: offset, file: root.id) {
      switch (expression.kind, analysis.program?.resolutions[expression.id]) {
      case (_, .local?):
        return .null
      case (_, .definition(let resolved)?), (_, .input(let resolved)?):
        name = resolved
      case (_, .enumCase(let enumName, let caseName)?):
        if let found = index.enumCase(enumName, caseName) {
          return location(analysis, found)
        }
      case (.field(let base, let field), _):
        let owner = analysis.program?.types[base.id].map { "\($0)" } ?? ""
        if let found = index.field(owner, field.text) { return location(analysis, found) }
      default:
        break
      }
    }
    // A type name, a declaration's own name, or anything not in an expression: the word.
    let word = name ?? Self.word(in: file.bytes, at: offset)
    guard let word, let found = index.lookup(word) else { return .null }
    return location(analysis, found)
  }

  func location(_ analysis: TypeChecker.Analysis, _ span: SourceSpan) -> JSONValue {
    let file = analysis.sources[span.file]
    return location(path: file.path, bytes: file.bytes, span: span.bytes)
  }

  func location(path: String, bytes: [UInt8], span: Range<Int>) -> JSONValue {
    .object([
      ("uri", .string(uri(ofPath: path))),
      ("range", LineMap(bytes: bytes, encoding: encoding).range(span)),
    ])
  }

  /// The identifier around `offset` (letters, digits, `_`), or nil.
  static func word(in bytes: [UInt8], at offset: Int) -> String? {
    func isWord(_ byte: UInt8) -> Bool {
      byte == UInt8(ascii: "_") || (byte >= 0x30 && byte <= 0x39)
        || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
        || byte >= 0x80
    }
    var start = min(max(offset, 0), bytes.count)
    var end = start
    while start > 0, isWord(bytes[start - 1]) { start -= 1 }
    while end < bytes.count, isWord(bytes[end]) { end += 1 }
    return start < end ? String(decoding: bytes[start..<end], as: UTF8.self) : nil
  }

  // MARK: Symbols

  /// The declarations of a file, nested as they are written.
  func symbols(_ path: String) -> JSONValue {
    guard let bytes = text(of: path) else { return .null }
    var sources = SourceManager()
    let id = sources.add(path: path, bytes: bytes)
    let syntax = Parser.parse(sources[id]).syntax
    let lines = LineMap(bytes: bytes, encoding: encoding)
    func symbol(
      _ name: String, _ kind: Int, _ range: SourceSpan, _ selection: SourceSpan,
      detail: String? = nil, children: [JSONValue] = []
    ) -> JSONValue {
      // An identifier that failed to parse has no text; its declaration still shows.
      var fields: [(key: String, value: JSONValue)] = [
        ("name", .string(name.isEmpty ? "(unnamed)" : name)), ("kind", .int(kind)),
        ("range", lines.range(range.bytes)),
        (
          "selectionRange",
          lines.range(
            range.bytes.contains(selection.bytes.lowerBound) ? selection.bytes : range.bytes)
        ),
      ]
      if let detail { fields.append(("detail", .string(detail))) }
      if !children.isEmpty { fields.append(("children", .array(children))) }
      return .object(fields)
    }
    func fields(_ list: [FieldDecl]) -> [JSONValue] {
      list.map {
        symbol($0.name.text, 8, $0.span, $0.name.span, detail: TypePrinter.describe($0.type))
      }
    }
    func declarations(_ list: [Declaration]) -> [JSONValue] {
      list.compactMap { declaration in
        switch declaration.kind {
        case .record(let record):
          return symbol(
            record.name.text, 23, declaration.span, record.name.span,
            children: fields(record.fields))
        case .input(let input):
          return symbol(
            input.name.text, 19, declaration.span, input.name.span, detail: "input",
            children: fields(input.fields))
        case .enumeration(let enumeration):
          return symbol(
            enumeration.name.text, 10, declaration.span, enumeration.name.span,
            children: enumeration.cases.map { symbol($0.text, 22, $0.span, $0.span) })
        case .definition(let definition):
          let kind = [Definition.Kind.parameter: 14, .rule: 12, .decision: 24][definition.kind]!
          return symbol(
            definition.name.text, kind, declaration.span, definition.name.span,
            detail: definition.kind.rawValue
              + (definition.type.map { ": " + TypePrinter.describe($0) } ?? ""))
        case .levelBlock(let block):
          return symbol(
            "level \(block.level)", 3, declaration.span, declaration.span,
            children: declarations(block.declarations))
        case .override(let override):
          return symbol(
            override.name.text, 12, declaration.span, override.name.span, detail: "override")
        case .exception(let exception):
          return symbol(
            exception.target.text, 12, declaration.span, exception.target.span,
            detail: "exception")
        case .test(let test):
          return symbol(test.name, 6, declaration.span, declaration.span, detail: "test")
        case .labels:
          return nil
        }
      }
    }
    let header = syntax.header
    return .array(
      [symbol(header.name.text, 2, header.span, header.name.span, detail: header.kind.rawValue)]
        + declarations(syntax.declarations))
  }

  // MARK: Formatting

  /// One edit replacing the document with `regula fmt`'s text; none when the text does not
  /// parse (its diagnostics say why) or is already formatted.
  func formatting(_ path: String) -> JSONValue {
    guard let bytes = text(of: path) else { return .null }
    var sources = SourceManager()
    let id = sources.add(path: path, bytes: bytes)
    let parsed = Parser.parse(sources[id])
    guard !parsed.diagnostics.containsErrors else { return .null }
    let formatted = Formatter.format(parsed.syntax, file: sources[id])
    guard Array(formatted.utf8) != bytes else { return .array([]) }
    return .array([
      .object([
        ("range", LineMap(bytes: bytes, encoding: encoding).range(0..<bytes.count)),
        ("newText", .string(formatted)),
      ])
    ])
  }
}

/// Calls `body` with every top-level expression of `declarations` (bodies, conditions,
/// exceptions, tests), nested blocks included.
func forEachExpression(in declarations: [Declaration], _ body: (Expr) -> Void) {
  func visit(_ definitionBody: Body) {
    switch definitionBody.kind {
    case .expression(let expression): body(expression)
    case .firstOf(let cases):
      for item in cases {
        if let binding = item.binding { body(binding.value) }
        body(item.value)
        if let condition = item.condition { body(condition) }
      }
    case .allOf(let conditions): for item in conditions { body(item.condition) }
    case .versions(let versions): for version in versions { visit(version.body) }
    case .brackets(let brackets):
      for field in brackets.flatMap(\.fields) { for value in field.values { body(value.value) } }
    }
  }
  for declaration in declarations {
    switch declaration.kind {
    case .definition(let definition): visit(definition.body)
    case .override(let override): visit(override.body)
    case .exception(let exception):
      body(exception.value)
      body(exception.condition)
    case .test(let test):
      body(test.given)
      for expectation in test.expectations { if let value = expectation.value { body(value) } }
    case .levelBlock(let block): forEachExpression(in: block.declarations, body)
    case .record, .input, .enumeration, .labels: break
    }
  }
}

extension Expr {
  /// The expressions directly inside this one.
  var children: [Expr] {
    switch kind {
    case .literal, .name, .reasonOf, .quantity, .error: return []
    case .field(let base, _): return [base]
    case .index(let base, let index): return [base, index]
    case .at(let base, let place), .asOf(let base, let place): return [base, place]
    case .unary(_, let operand): return [operand]
    case .binary(_, let left, let right): return [left, right]
    case .ifThenElse(let condition, let then, let otherwise): return [condition, then, otherwise]
    case .letIn(_, let value, let body): return [value, body]
    case .match(let subject, let arms): return [subject] + arms.map(\.value)
    case .call(_, let arguments): return arguments
    case .aggregate(let aggregate):
      return [aggregate.source] + [aggregate.element, aggregate.filter].compactMap { $0 }
    case .list(let items): return items
    case .braces(let entries): return entries.map(\.value)
    }
  }
}
