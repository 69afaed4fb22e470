// The printed form of the token stream: one token per line with its position.

/// Prints tokens and comments for golden tests and `regula dump --stage tokens`.
public enum TokenPrinter {
  public static func print(_ file: SourceFile) -> String {
    let lexed = Lexer.tokenize(file)
    var lines: [String] = []
    for token in lexed.tokens {
      let (line, column) = file.location(of: token.span.bytes.lowerBound)
      let text = token.kind == .string ? JSONText.quote(token.text) : token.text
      lines.append("\(line):\(column) \(kindName(token.kind)) \(text)".trimmingSuffixSpaces())
    }
    for comment in lexed.comments {
      let (line, column) = file.location(of: comment.span.bytes.lowerBound)
      lines.append("\(line):\(column) comment \(JSONText.quote(comment.text))")
    }
    for diagnostic in lexed.diagnostics {
      let (line, column) = file.location(of: diagnostic.span.bytes.lowerBound)
      lines.append("\(line):\(column) error[\(diagnostic.code.rawValue)] \(diagnostic.message)")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func kindName(_ kind: TokenKind) -> String {
    switch kind {
    case .identifier: "identifier"
    case .keyword: "keyword"
    case .integer: "integer"
    case .decimal: "decimal"
    case .percent: "percent"
    case .string: "string"
    case .date: "date"
    case .symbol: "symbol"
    case .endOfFile: "end"
    }
  }
}

extension String {
  func trimmingSuffixSpaces() -> String {
    var copy = self
    while copy.last == " " { copy.removeLast() }
    return copy
  }
}
