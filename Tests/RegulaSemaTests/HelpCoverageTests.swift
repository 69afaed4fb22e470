// Every diagnostic whose mistake has a likely fix says it (issue 18, item 6): the negative
// case of each code carries a help line, except the generic syntax errors whose fix depends
// on what was meant (R0101 expected token, R0102 expected expression: their common cases have
// helps of their own, tested in HelpTests).
import Testing

@testable import RegulaSema

@Test(arguments: negativeCases.indices)
func everyDiagnosticWithALikelyFixSaysIt(_ index: Int) {
  let (code, body) = negativeCases[index]
  guard code != .expectedToken, code != .expectedExpression else { return }
  let diagnostic = diagnose(prelude + body).diagnostics.first { $0.code == code }
  #expect(diagnostic?.help != nil, "\(code.rawValue): \(diagnostic?.message ?? "not reported")")
}
