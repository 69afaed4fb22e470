// Help where newcomers stumble (issue 18, item 6): each common mistake gives one error, with
// a help line that says how to fix it.
import Testing

@testable import RegulaSema

let mistakeHeader = "policy p\ninput application { x: Int, m: Money, b: Bool }\n"

let mistakes: [(name: String, source: String, code: String, help: String)] = [
  ("= for ==", "decision d: Bool = application.x = 1\n", "R0101", "write `==`"),
  ("&& for and", "decision d: Bool = application.b && application.b\n", "R0001", "write `and`"),
  ("|| for or", "decision d: Bool = application.b || application.b\n", "R0001", "write `or`"),
  ("! for not", "decision d: Bool = !application.b\n", "R0001", "write `not`"),
  ("# comment", "# the rate\ndecision d: Int = 1\n", "R0001", "comments start with `--`"),
  ("// comment", "decision d: Int = 1 // the rate\n", "R0001", "comments start with `--`"),
  ("full-width colon", "decision d：Int = 1\n", "R0001", "write the ASCII `:`"),
  ("full-width comma", "decision d: Int = max(1，2)\n", "R0001", "write the ASCII `,`"),
  ("full-width parenthesis", "decision d: Int = max（1, 2)\n", "R0001", "write the ASCII `(`"),
  ("bare number for Money", "decision d: Money = 600\n", "R0301", "`600 yuan`"),
  ("bare number for Years", "decision d: Years = 3\n", "R0301", "`3 years`"),
  ("bare number for Months", "decision d: Months = 6\n", "R0301", "`6 months`"),
  ("number for Bool", "decision d: Bool = application.x\n", "R0301", "a condition compares"),
  (
    "missing reason", "decision d: Bool\n  all of\n    application.b\n", "R0101", "reason too_young"
  ),
  ("unclosed level", "level province SH {\n  override x = 1\n", "R0101", "on line 3"),
  ("unclosed test", "decision d: Int = 1\ntest \"t\" {\n  expect d = 1\n", "R0101", "on line 4"),
]

@Test(arguments: mistakes.map(\.name))
func aCommonMistakeGivesOneErrorWithItsFix(_ name: String) throws {
  let mistake = try #require(mistakes.first { $0.name == name })
  let diagnostics = diagnose(mistakeHeader + mistake.source).diagnostics
  #expect(diagnostics.count == 1, "\(name): \(diagnostics.map(\.message))")
  #expect(diagnostics.first?.code.rawValue == mistake.code, "\(name): \(diagnostics.map(\.code))")
  #expect(
    diagnostics.first?.help?.contains(mistake.help) == true,
    "\(name): \(diagnostics.first?.help ?? "no help")")
}
