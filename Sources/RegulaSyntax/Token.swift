// Tokens: the lexer's output. Keywords and operators listed here are mirrored in
// Grammar/regula.ebnf (a test keeps the two in sync).

/// The kind of a token.
public enum TokenKind: Hashable, Sendable {
  case identifier
  case keyword(Keyword)
  case integer  // 12, 1_234
  case decimal  // 0.15, 1_234.50
  case percent  // 12%, 0.5%
  case string  // "…", escapes decoded into Token.value
  case date  // 2024-01-01
  case symbol(Symbol)
  case endOfFile
}

/// Reserved words. Field names may still use them after `.` and before `:` in records.
public enum Keyword: String, CaseIterable, Sendable {
  case all, and, `as`, at, cite, decision, `else`, `enum`, exception, expect, `false`, first
  case `for`, from, given, `if`, `import`, `in`, input, labels, length, `let`, level, match
  case module
  case none, not, of, or, otherwise, override, parameter, policy, reason, record, rule, some
  case source, test, then, to, `true`, until, when, `where`
}

/// Punctuation and operators.
public enum Symbol: String, CaseIterable, Sendable {
  case leftParen = "(", rightParen = ")", leftBrace = "{", rightBrace = "}"
  case leftBracket = "[", rightBracket = "]", comma = ",", colon = ":", dot = "."
  case plus = "+", minus = "-", star = "*", slash = "/"
  case equal = "=", equalEqual = "==", notEqual = "!=", less = "<", lessEqual = "<="
  case greater = ">", greaterEqual = ">=", questionMark = "?", coalesce = "??"
}

/// One token with its span and decoded text.
public struct Token: Hashable, Sendable {
  public var kind: TokenKind
  /// The source text for identifiers and numbers; the decoded value for strings.
  public var text: String
  public var span: SourceSpan
  /// True when a line break separates this token from the previous one.
  public var isAtLineStart: Bool

  public init(kind: TokenKind, text: String, span: SourceSpan, isAtLineStart: Bool) {
    self.kind = kind
    self.text = text
    self.span = span
    self.isAtLineStart = isAtLineStart
  }
}

/// A `--` comment, kept so the formatter can print it back.
public struct SourceComment: Hashable, Sendable {
  /// The text after `--`, without the line break.
  public var text: String
  public var span: SourceSpan
  /// True when nothing but whitespace precedes the comment on its line.
  public var isOwnLine: Bool
}

extension TokenKind: CustomStringConvertible {
  /// How the token kind is named in diagnostics.
  public var description: String {
    switch self {
    case .identifier: "identifier"
    case .keyword(let keyword): "`\(keyword.rawValue)`"
    case .integer: "integer"
    case .decimal: "decimal number"
    case .percent: "percentage"
    case .string: "string"
    case .date: "date"
    case .symbol(let symbol): "`\(symbol.rawValue)`"
    case .endOfFile: "end of file"
    }
  }
}
