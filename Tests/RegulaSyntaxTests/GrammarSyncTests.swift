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

/// The words of the `\b(a|b|…)\b` pattern of rule `rule` in the editors' TextMate grammar
/// (Editors/regula.tmLanguage.json).
func textMateWords(_ rule: String) throws -> Set<String> {
  let url = syntaxRepositoryRoot.appendingPathComponent("Editors/regula.tmLanguage.json")
  let data = try #require(FileManager.default.contents(atPath: url.path))
  let grammar = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  let repository = try #require(grammar["repository"] as? [String: Any])
  let match = try #require((repository[rule] as? [String: Any])?["match"] as? String)
  let inner = try #require(match.range(of: "\\b(")).upperBound
  let end = try #require(match.range(of: ")\\b", options: .backwards)).lowerBound
  return Set(match[inner..<end].split(separator: "|").map(String.init))
}

/// The TextMate grammar highlights exactly the grammar's keywords.
@Test func textMateGrammarKeywordsMatchTheGrammar() throws {
  #expect(try textMateWords("keywords") == grammarList("KEYWORDS"))
  #expect(try textMateWords("keywords") == Set(Keyword.allCases.map(\.rawValue)))
}
