// Grammar/regula.ebnf is normative: its keyword and operator lists must match the lexer's.
import Foundation
import RegulaSyntax
import Testing

let syntaxRepositoryRoot = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The words of `NAME = … ;` in the grammar file.
func grammarList(_ name: String) -> Set<String> {
  let url = syntaxRepositoryRoot.appendingPathComponent("Grammar/regula.ebnf")
  let text = String(
    decoding: FileManager.default.contents(atPath: url.path) ?? Data(), as: UTF8.self)
  guard let start = text.range(of: "\n\(name) "),
    let equals = text[start.upperBound...].range(of: "=")
  else { return [] }
  let rest = text[equals.upperBound...]
  guard let end = rest.range(of: " ;") else { return [] }
  return Set(rest[..<end.lowerBound].split(whereSeparator: \.isWhitespace).map(String.init))
}

@Test func grammarKeywordsMatchTheLexer() {
  #expect(grammarList("KEYWORDS") == Set(Keyword.allCases.map(\.rawValue)))
}

@Test func grammarOperatorsMatchTheLexer() {
  #expect(grammarList("OPERATORS") == Set(Symbol.allCases.map(\.rawValue)))
}
