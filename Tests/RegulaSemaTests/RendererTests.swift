// The caret renderer draws a diagnostic at any span of any file: line breaks of every kind
// (`\n`, `\r\n`, a lone `\r`), multi-byte UTF-8, empty files, spans at and past the end.
import RegulaSema
import RegulaSource
import Testing

@Test func everySpanOfEveryFileRenders() {
  let texts = [
    "", "\r", "\n", "\r\n", "\r\r\n\n", "policy p\nrule x = 1 +\r", "a\rb\r\nc\nd",
    "规则\r\n低保 = 1\r", "x\u{0}y\r", "\r\u{FEFF}policy p",
  ]
  for text in texts {
    var sources = SourceManager()
    let id = sources.add(path: "f.regula", bytes: Array(text.utf8))
    let count = text.utf8.count
    var rendered = 0
    for lower in 0...(count + 1) {
      for upper in lower...(count + 2) {
        let diagnostic = Diagnostic(
          .unexpectedCharacter, at: SourceSpan(file: id, bytes: lower..<upper), message: "m")
        rendered += DiagnosticRenderer(sources: sources).render([diagnostic]).isEmpty ? 0 : 1
      }
    }
    #expect(rendered > 0)
  }
  // The file from the issue checks without a crash and reports one error.
  let (result, _) = TypeChecker.check(path: "cr.regula") { _ in
    Array("policy p\nrule x = 1 +\r".utf8)
  }
  #expect(!result.diagnostics.isEmpty)
}
