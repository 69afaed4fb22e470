// The lexer: UTF-8 bytes to tokens and comments, reporting every bad character once.

/// Splits a source file into tokens. Never fails: bad input becomes diagnostics.
public struct Lexer {
  let file: SourceFile
  var bytes: [UInt8] { file.bytes }
  var position = 0
  var sawLineBreak = true
  public private(set) var diagnostics: [Diagnostic] = []
  public private(set) var comments: [SourceComment] = []

  public init(file: SourceFile) { self.file = file }

  /// Lexes the whole file; the last token is always `endOfFile`.
  public static func tokenize(_ file: SourceFile) -> (
    tokens: [Token], comments: [SourceComment], diagnostics: [Diagnostic]
  ) {
    var lexer = Lexer(file: file)
    var tokens: [Token] = []
    while true {
      let token = lexer.next()
      tokens.append(token)
      if token.kind == .endOfFile { break }
    }
    return (tokens, lexer.comments, lexer.diagnostics)
  }

  func span(_ start: Int) -> SourceSpan { SourceSpan(file: file.id, bytes: start..<position) }
  func peek(_ offset: Int = 0) -> UInt8? {
    position + offset < bytes.count ? bytes[position + offset] : nil
  }

  mutating func report(
    _ code: DiagnosticCode, from start: Int, _ message: String, help: String? = nil
  ) {
    diagnostics.append(Diagnostic(code, at: span(start), message: message, help: help))
  }

  /// The next token, skipping whitespace, comments and characters that start no token.
  public mutating func next() -> Token {
    while true {
      skipTrivia()
      let start = position
      guard let byte = peek() else {
        return Token(kind: .endOfFile, text: "", span: span(start), isAtLineStart: true)
      }
      if let (kind, text) = lexToken(startingWith: byte, at: start) {
        defer { sawLineBreak = false }
        return Token(kind: kind, text: text, span: span(start), isAtLineStart: sawLineBreak)
      }
    }
  }

  mutating func lexToken(startingWith byte: UInt8, at start: Int) -> (TokenKind, String)? {
    if isIdentifierStart(byte) { return lexWord(start) }
    if isDigit(byte) { return lexNumber(start) }
    if byte == UInt8(ascii: "\"") { return lexString(start) }
    if let symbol = lexSymbol() { return (.symbol(symbol), symbol.rawValue) }
    if let symbol = lexFullWidthSymbol(start) { return (.symbol(symbol), symbol.rawValue) }
    if let word = lexForeignOperator(start) { return word }
    reportBadCharacter(start)
    return nil
  }

  /// Operators of other languages a newcomer types: `&&`, `||`, a lone `!`. Reported as R0001
  /// with Regula's word, then read as that word, so the one mistake gives one error.
  mutating func lexForeignOperator(_ start: Int) -> (TokenKind, String)? {
    let pairs: [(String, Keyword)] = [("&&", .and), ("||", .or)]
    for (text, keyword) in pairs {
      let utf8 = Array(text.utf8)
      if peek() == utf8[0], peek(1) == utf8[1] {
        position += 2
        report(
          .unexpectedCharacter, from: start, "`\(text)` is not an operator in Regula",
          help: "write `\(keyword.rawValue)`")
        return (.keyword(keyword), keyword.rawValue)
      }
    }
    if peek() == UInt8(ascii: "!") {
      position += 1
      report(
        .unexpectedCharacter, from: start, "`!` is not an operator in Regula",
        help: "write `not` (and `!=` for “not equal”)")
      return (.keyword(.not), "not")
    }
    return nil
  }

  mutating func skipTrivia() {
    while let byte = peek() {
      switch byte {
      case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
        position += 1
      case UInt8(ascii: "\n"):
        position += 1
        sawLineBreak = true
      case UInt8(ascii: "-") where peek(1) == UInt8(ascii: "-"):
        lexComment()
      case UInt8(ascii: "#"):
        foreignComment(marker: "#")
      case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "/"):
        foreignComment(marker: "//")
      default:
        return
      }
    }
  }

  /// A comment in another language's syntax (`#`, `//`): reported once, then read as a
  /// comment, so the rest of the line gives no further errors.
  mutating func foreignComment(marker: String) {
    report(
      .unexpectedCharacter, from: position, "`\(marker)` does not start a comment in Regula",
      help: "comments start with `--`")
    lexComment(markerLength: marker.utf8.count)
  }

  mutating func lexComment(markerLength: Int = 2) {
    let start = position
    let isOwnLine = sawLineBreak
    position += markerLength
    while let byte = peek(), byte != UInt8(ascii: "\n") { position += 1 }
    var end = position
    if end > start + markerLength, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
    let text = file.text((start + markerLength)..<end)
    validateUTF8(in: (start + markerLength)..<end)
    comments.append(SourceComment(text: text, span: span(start), isOwnLine: isOwnLine))
  }

  mutating func lexWord(_ start: Int) -> (TokenKind, String) {
    while let byte = peek(), isIdentifierContinue(byte) { position += 1 }
    let text = file.text(start..<position)
    if let keyword = Keyword(rawValue: text) { return (.keyword(keyword), text) }
    return (.identifier, text)
  }

  /// Numbers: `12`, `1_234`, `0.15`, `12%`, and dates `2024-01-31`.
  /// The longest number literal, in characters: `NumberLimits.maximumNumberCharacters` (the
  /// syntax does not depend on the numerics; a test keeps the two equal).
  public static let maximumNumberLength = 9_000

  mutating func lexNumber(_ start: Int) -> (TokenKind, String) {
    if let date = lexDateIfPresent(start) { return date }
    var kind = TokenKind.integer
    var valid = scanDigits()
    if peek() == UInt8(ascii: "."), let next = peek(1), isDigit(next) {
      position += 1
      kind = .decimal
      valid = scanDigits() && valid
    }
    if peek() == UInt8(ascii: "%") {
      position += 1
      kind = .percent
    }
    if let byte = peek(), isIdentifierStart(byte) {
      while let byte = peek(), isIdentifierContinue(byte) { position += 1 }
      valid = false
    }
    if position - start > Self.maximumNumberLength {
      report(
        .invalidNumber, from: start,
        "the number literal has \(position - start) characters, over the limit `number_size` of "
          + "\(Self.maximumNumberLength) characters",
        help: "no regulation needs such a number; check the file")
      return (kind, "0")
    }
    let text = file.text(start..<position)
    if !valid {
      report(
        .invalidNumber, from: start, "invalid number literal `\(text)`",
        help: "digits may be grouped with single underscores, as in `1_234.50`")
    }
    return (kind, text)
  }

  /// Scans digits and single underscores between digits; false if an underscore is misplaced.
  mutating func scanDigits() -> Bool {
    var valid = true
    var previousWasUnderscore = false
    while let byte = peek(), isDigit(byte) || byte == UInt8(ascii: "_") {
      let isUnderscore = byte == UInt8(ascii: "_")
      if isUnderscore && previousWasUnderscore { valid = false }
      previousWasUnderscore = isUnderscore
      position += 1
    }
    return valid && !previousWasUnderscore
  }

  /// A date is exactly `dddd-dd-dd` with no spaces; anything else is a number.
  mutating func lexDateIfPresent(_ start: Int) -> (TokenKind, String)? {
    let shape: [Bool] = [true, true, true, true, false, true, true, false, true, true]
    for (offset, wantsDigit) in shape.enumerated() {
      guard let byte = peek(offset) else { return nil }
      if wantsDigit ? !isDigit(byte) : byte != UInt8(ascii: "-") { return nil }
    }
    if let after = peek(10), isIdentifierContinue(after) { return nil }
    position += 10
    let text = file.text(start..<position)
    if DateLiteral(text) == nil {
      report(
        .invalidDate, from: start, "invalid date `\(text)`",
        help: "dates are `YYYY-MM-DD` with a day that exists in that month, years 1 to 9999")
    }
    return (.date, text)
  }

  mutating func lexString(_ start: Int) -> (TokenKind, String) {
    position += 1
    var scalars = String.UnicodeScalarView()
    while let byte = peek() {
      if byte == UInt8(ascii: "\"") {
        position += 1
        return (.string, String(scalars))
      }
      if byte == UInt8(ascii: "\n") { break }
      if byte == UInt8(ascii: "\\") {
        lexEscape(into: &scalars)
        continue
      }
      if let scalar = decodeScalar() { scalars.append(scalar) }
    }
    report(
      .unterminatedString, from: start, "unterminated string",
      help: "close the string with `\"` before the end of the line")
    return (.string, String(scalars))
  }

  mutating func lexEscape(into scalars: inout String.UnicodeScalarView) {
    let start = position
    position += 1
    guard let byte = peek() else { return }
    position += 1
    switch byte {
    case UInt8(ascii: "\""): scalars.append("\"")
    case UInt8(ascii: "\\"): scalars.append("\\")
    case UInt8(ascii: "n"): scalars.append("\n")
    case UInt8(ascii: "t"): scalars.append("\t")
    default:
      report(
        .invalidEscape, from: start,
        "invalid escape sequence `\\\(Character(Unicode.Scalar(byte)))`",
        help: "the escapes are `\\\"`, `\\\\`, `\\n` and `\\t`")
    }
  }

  /// Decodes one UTF-8 scalar at `position`, reporting malformed bytes.
  mutating func decodeScalar() -> Unicode.Scalar? {
    let start = position
    let lead = bytes[position]
    let length: Int =
      switch lead {
      case 0x00...0x7F: 1
      case 0xC2...0xDF: 2
      case 0xE0...0xEF: 3
      case 0xF0...0xF4: 4
      default: 0
      }
    guard length > 0, position + length <= bytes.count else { return invalidUTF8(start) }
    var codec = UTF8()
    var iterator = bytes[position..<(position + length)].makeIterator()
    if case .scalarValue(let scalar) = codec.decode(&iterator) {
      position += length
      return scalar
    }
    return invalidUTF8(start)
  }

  mutating func invalidUTF8(_ start: Int) -> Unicode.Scalar? {
    position += 1
    report(
      .invalidUTF8, from: start, "invalid UTF-8 byte in source", help: "save the file as UTF-8")
    return nil
  }

  mutating func validateUTF8(in range: Range<Int>) {
    let saved = position
    position = range.lowerBound
    while position < range.upperBound { _ = decodeScalar() }
    position = saved
  }

  mutating func lexSymbol() -> Symbol? {
    let two = peek(1).map { String(decoding: [bytes[position], $0], as: UTF8.self) }
    if let two, let symbol = Symbol(rawValue: two) {
      position += 2
      return symbol
    }
    if let symbol = Symbol(rawValue: String(decoding: [bytes[position]], as: UTF8.self)) {
      position += 1
      return symbol
    }
    return nil
  }

  /// Full-width punctuation (what a Chinese input method types) that stands for an ASCII
  /// symbol: reported as R0001 with the ASCII form, then read as that symbol, so the one
  /// mistake gives one error and not a cascade (`max（a, b）` is not "undefined name `max`").
  static let fullWidthSymbols: [Unicode.Scalar: Symbol] = {
    var table: [Unicode.Scalar: Symbol] = [:]
    for (wide, ascii) in zip(
      "（）［］｛｝，：．＋－＊／＝＜＞？".unicodeScalars, "()[]{},:.+-*/=<>?".unicodeScalars)
    {
      if let symbol = Symbol(rawValue: String(ascii)) { table[wide] = symbol }
    }
    return table
  }()

  mutating func lexFullWidthSymbol(_ start: Int) -> Symbol? {
    // U+FF01…U+FF5E is EF BC 81 … EF BD 9E: look before decoding, so that invalid UTF-8 is
    // still reported once, by `reportBadCharacter`.
    guard bytes[position] == 0xEF, position + 2 < bytes.count,
      (0xBC...0xBD).contains(bytes[position + 1]), (0x80...0xBF).contains(bytes[position + 2])
    else { return nil }
    let saved = position
    guard let scalar = decodeScalar(), let symbol = Self.fullWidthSymbols[scalar] else {
      position = saved
      return nil
    }
    report(
      .unexpectedCharacter, from: start, "unexpected full-width character `\(scalar)`",
      help: "write the ASCII `\(symbol.rawValue)`; a Chinese input method types the full-width form"
    )
    return symbol
  }

  /// Reports a character that cannot start a token and steps over it.
  mutating func reportBadCharacter(_ start: Int) {
    guard let scalar = decodeScalar() else { return }
    let help: String? =
      scalar.value > 0x7F
      ? "names are ASCII; write Chinese text inside a string, like `\"低保\"`" : nil
    report(.unexpectedCharacter, from: start, "unexpected character `\(scalar)`", help: help)
  }

  func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
  func isIdentifierStart(_ byte: UInt8) -> Bool {
    (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
      || byte == UInt8(ascii: "_")
  }
  func isIdentifierContinue(_ byte: UInt8) -> Bool { isIdentifierStart(byte) || isDigit(byte) }
}
