// The parser: recursive descent for declarations, precedence climbing for expressions.
// After an error it resynchronises at the next declaration so one run reports every
// independent syntax error (clox's panic mode).

/// Parses one source file into a `FileSyntax`.
public struct Parser {
  var tokens: [Token]
  var index = 0
  var nextNodeID: Int32
  var diagnostics: [Diagnostic]
  var isPanicking = false
  /// True while a field's bounds are parsed: an `=` there starts the field's default, not a
  /// mistaken comparison.
  var equalsEndsExpression = false
  var depth = 0
  let file: SourceFile
  /// The height of each expression built so far in the current top-level expression (leaves,
  /// of height 1, are not stored); cleared when the next one starts.
  var heights: [NodeID: Int32] = [:]
  /// True once the current top-level expression has been reported too tall.
  var reportedHeight = false

  /// Expressions nested deeper than this are rejected rather than overflowing the stack.
  public static let maximumNesting = 200

  /// The tallest expression tree the parser builds: every later stage (checker, lowering,
  /// emitter, printers, formatter, interpreter) walks trees recursively, so their stack depth
  /// is bounded by this. A chain of operators counts one level per operator (`a + b + c` is 3
  /// tall), as do postfix chains (`.field`, `[key]`) and prefix operators; R0108 beyond it.
  public static let maximumHeight: Int32 = 256

  /// Parses a file. `firstNodeID` lets several files of one compilation share an ID space.
  public static func parse(_ file: SourceFile, firstNodeID: Int32 = 0) -> (
    syntax: FileSyntax, diagnostics: [Diagnostic], nextNodeID: Int32
  ) {
    let lexed = Lexer.tokenize(file)
    var parser = Parser(
      tokens: lexed.tokens, nextNodeID: firstNodeID, diagnostics: lexed.diagnostics, file: file)
    var syntax = parser.parseFile()
    syntax.comments = lexed.comments
    return (syntax, parser.diagnostics, parser.nextNodeID)
  }

  // MARK: Token access

  var current: Token { tokens[index] }
  var previous: Token { tokens[max(0, index - 1)] }

  func peek(_ offset: Int) -> Token { tokens[min(index + offset, tokens.count - 1)] }

  func at(_ keyword: Keyword) -> Bool { current.kind == .keyword(keyword) }
  func at(_ symbol: Symbol) -> Bool { current.kind == .symbol(symbol) }
  var atEnd: Bool { current.kind == .endOfFile }

  @discardableResult
  mutating func advance() -> Token {
    let token = current
    if !atEnd { index += 1 }
    return token
  }

  mutating func eat(_ keyword: Keyword) -> Bool {
    guard at(keyword) else { return false }
    advance()
    return true
  }

  mutating func eat(_ symbol: Symbol) -> Bool {
    guard at(symbol) else { return false }
    advance()
    return true
  }

  mutating func expect(_ keyword: Keyword, _ context: String) {
    if !eat(keyword) { expected("`\(keyword.rawValue)` \(context)") }
  }

  mutating func expect(_ symbol: Symbol, _ context: String) {
    if !eat(symbol) { expected("`\(symbol.rawValue)` \(context)") }
  }

  /// Expects the `}` that closes a block opened by the `{` at `opening`: when it is missing,
  /// the help names the line of that `{`, where the block began.
  mutating func expectClosing(_ context: String, openedAt opening: SourceSpan) {
    guard !eat(.rightBrace) else { return }
    let line = file.location(of: opening.bytes.lowerBound).line
    expected(
      "`}` \(context)",
      help: "the block opened with the `{` on line \(line); close it with `}` before what follows")
  }

  func spanFrom(_ start: SourceSpan) -> SourceSpan {
    let end = index > 0 ? previous.span.bytes.upperBound : start.bytes.upperBound
    return SourceSpan(
      file: file.id, bytes: start.bytes.lowerBound..<max(start.bytes.lowerBound, end))
  }

  mutating func makeID() -> NodeID {
    defer { nextNodeID += 1 }
    return NodeID(nextNodeID)
  }

  // MARK: Errors and recovery

  mutating func report(_ diagnostic: Diagnostic) {
    guard !isPanicking else { return }
    isPanicking = true
    diagnostics.append(diagnostic)
  }

  mutating func expected(_ what: String, code: DiagnosticCode = .expectedToken, help: String? = nil)
  {
    report(
      Diagnostic(
        code, at: current.span, message: "expected \(what), found \(describe(current))", help: help)
    )
  }

  func describe(_ token: Token) -> String {
    switch token.kind {
    case .identifier, .integer, .decimal, .percent, .date: "`\(token.text)`"
    case .string: "a string"
    default: token.kind.description
    }
  }

  static let declarationStarts: Set<Keyword> = [
    .enum, .record, .input, .parameter, .rule, .decision, .level, .override, .exception, .test,
    .labels,
    .import,
  ]

  var atDeclarationStart: Bool {
    if case .keyword(let keyword) = current.kind { return Self.declarationStarts.contains(keyword) }
    return false
  }

  /// Skips to the next token that can start a declaration (or a closing brace at line start).
  mutating func synchronize() {
    isPanicking = false
    // An error found at the start of the next declaration must not swallow it.
    if !atEnd && !(atDeclarationStart && current.isAtLineStart) { advance() }
    while !atEnd {
      if atDeclarationStart && current.isAtLineStart { return }
      if at(.rightBrace) && current.isAtLineStart { return }
      advance()
    }
  }

  // MARK: File structure

  mutating func parseFile() -> FileSyntax {
    let start = current.span
    let header = parseHeader()
    var imports: [Import] = []
    while at(.import) {
      if let item = parseImport() { imports.append(item) } else { synchronize() }
    }
    let declarations = parseDeclarations(until: nil)
    return FileSyntax(
      header: header, imports: imports, declarations: declarations, comments: [],
      span: spanFrom(start))
  }

  mutating func parseHeader() -> Header {
    let start = current.span
    var kind = Header.Kind.policy
    if eat(.module) {
      kind = .module
    } else if !eat(.policy) {
      report(
        Diagnostic(
          .missingPolicyHeader, at: current.span,
          message: "a rule file starts with `policy NAME` or `module NAME`",
          help: "add a first line such as `policy minimum_living_allowance \"最低生活保障\"`"))
      isPanicking = false
      return Header(
        kind: .policy, name: Identifier("", span: start), title: nil, level: nil, sources: [],
        validity: nil, span: start)
    }
    let name = parseIdentifier("after `\(kind.rawValue)`")
    let title = current.kind == .string ? advance().text : nil
    var header = Header(
      kind: kind, name: name, title: title, level: nil, sources: [], validity: nil, span: start)
    parseHeaderItems(into: &header)
    header.span = spanFrom(start)
    if isPanicking { synchronize() }
    return header
  }

  mutating func parseHeaderItems(into header: inout Header) {
    while true {
      if at(.level) {
        // `level … {` after the header opens a level block; only a bare `level …` is the header's.
        let start = index
        advance()
        let level = parseLevelSpec()
        if at(.leftBrace) {
          index = start
          return
        }
        header.level = level
      } else if at(.source) {
        header.sources.append(parseSourceDecl())
      } else if at(.from) {
        header.validity = parseValidity()
      } else if current.kind == .identifier && current.text == "jurisdictions" {
        header.jurisdictions = parseJurisdictionsDecl()
      } else {
        return
      }
    }
  }

  /// `jurisdictions ENUM [cities PROVINCE.CITY, …]` (`jurisdictions` and `cities` are
  /// contextual words, like `version`).
  mutating func parseJurisdictionsDecl() -> JurisdictionsDecl {
    let start = advance().span
    let enumeration = parseIdentifier("naming the enum of province codes")
    var cities: [LevelSpec] = []
    if current.kind == .identifier && current.text == "cities" {
      advance()
      repeat {
        let cityStart = current.span
        let province = parseIdentifier("naming the city's province, as in `GD.SZ`")
        expect(.dot, "between province and city, as in `GD.SZ`")
        let city = parseIdentifier("naming the city")
        cities.append(
          LevelSpec(kind: .city(province: province, city: city), span: spanFrom(cityStart)))
      } while eat(.comma)
    }
    return JurisdictionsDecl(enumeration: enumeration, cities: cities, span: spanFrom(start))
  }

  mutating func parseSourceDecl() -> SourceDecl {
    let start = advance().span
    let name = parseIdentifier("naming the source")
    let document = parseString("with the document's title")
    var version: String?
    if current.kind == .identifier && current.text == "version" {
      advance()
      version = parseString("after `version`")
    }
    return SourceDecl(name: name, document: document, version: version, span: spanFrom(start))
  }

  mutating func parseValidity() -> Validity {
    let start = current.span
    expect(.from, "before the first day in force")
    let from = parseDate("after `from`")
    var until: DateLiteral?
    if eat(.until) { until = parseDate("after `until`") }
    return Validity(from: from, until: until, span: spanFrom(start))
  }

  mutating func parseLevelSpec() -> LevelSpec {
    let start = current.span
    let word = parseIdentifier(
      "after `level` (`national`, `province CODE` or `city PROVINCE.CITY`)")
    switch word.text {
    case "national":
      return LevelSpec(kind: .national, span: spanFrom(start))
    case "province":
      let code = parseIdentifier("naming the province")
      return LevelSpec(kind: .province(code), span: spanFrom(start))
    case "city":
      let province = parseIdentifier("naming the city's province")
      expect(.dot, "between province and city, as in `GD.SZ`")
      let city = parseIdentifier("naming the city")
      return LevelSpec(kind: .city(province: province, city: city), span: spanFrom(start))
    default:
      report(
        Diagnostic(
          .invalidLevel, at: word.span, message: "unknown level `\(word.text)`",
          help: "levels are `national`, `province CODE` and `city PROVINCE.CITY`"))
      return LevelSpec(kind: .national, span: spanFrom(start))
    }
  }

  mutating func parseImport() -> Import? {
    let start = advance().span
    let path = parseString("with the imported file's path")
    var names: [Identifier]?
    if eat(.leftParen) {
      var list: [Identifier] = []
      repeat { list.append(parseIdentifier("in the import list")) } while eat(.comma)
      expect(.rightParen, "to close the import list")
      names = list
    }
    return isPanicking ? nil : Import(path: path, names: names, span: spanFrom(start))
  }

  /// Declarations until `}` (inside a level block) or the end of the file.
  mutating func parseDeclarations(until closer: Symbol?) -> [Declaration] {
    var declarations: [Declaration] = []
    while !atEnd {
      if let closer, at(closer) { break }
      let before = index
      if let declaration = parseDeclaration() { declarations.append(declaration) }
      if isPanicking { synchronize() }
      if index == before {
        // INVARIANT: every iteration consumes input; a stuck loop would hang the compiler.
        advance()
      }
    }
    return declarations
  }
}
