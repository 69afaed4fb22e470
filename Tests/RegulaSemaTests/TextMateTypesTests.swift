// The editors' TextMate grammar highlights as types exactly the checker's built-in type names
// (and `List`, the one generic type).
import Foundation
import RegulaSema
import Testing

@Test func textMateGrammarTypesAreTheBuiltinTypes() throws {
  let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  let data = try #require(
    FileManager.default.contents(
      atPath: root.appendingPathComponent("Editors/regula.tmLanguage.json").path))
  let grammar = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  let types = try #require(
    ((grammar["repository"] as? [String: Any])?["types"] as? [String: Any])?["match"] as? String)
  let inner = try #require(types.range(of: "\\b(")).upperBound
  let end = try #require(types.range(of: ")\\b", options: .backwards)).lowerBound
  let words = Set(types[inner..<end].split(separator: "|").map(String.init))
  #expect(words == Set(RType.builtins.keys).union(["List"]))
}
