// The formatter is idempotent, keeps the tree, and every committed rule file is formatted.
import Foundation
import RegulaSema
import Testing

let repositoryRuleFiles =
  regulaFiles(under: "Policies") + regulaFiles(under: "Examples")
  + regulaFiles(under: "Tests/Golden/inputs")

func parseText(_ text: String, path: String = "t.regula") -> (FileSyntax, SourceFile, [Diagnostic])
{
  let file = SourceFile(id: .init(0), path: path, text: text)
  let parsed = Parser.parse(file)
  return (parsed.syntax, file, parsed.diagnostics)
}

/// Formats text that must parse cleanly.
func formatted(_ text: String) -> String {
  let (syntax, file, _) = parseText(text)
  return Formatter.format(syntax, file: file)
}

@Test(arguments: repositoryRuleFiles)
func formattingIsIdempotentAndKeepsTheTree(_ url: URL) throws {
  let text = String(
    decoding: FileManager.default.contents(atPath: url.path) ?? Data(), as: UTF8.self)
  let (syntax, _, diagnostics) = parseText(text)
  guard !diagnostics.containsErrors else { return }  // files that exist to show syntax errors
  let once = formatted(text)
  #expect(formatted(once) == once, "formatting \(url.lastPathComponent) twice changes it")
  let (reparsed, _, reparsedDiagnostics) = parseText(once)
  #expect(reparsedDiagnostics.isEmpty, "formatted \(url.lastPathComponent) does not parse")
  #expect(
    SyntaxPrinter.print(reparsed) == SyntaxPrinter.print(syntax),
    "formatting changed the tree of \(url.lastPathComponent)")
}

@Test(arguments: repositoryRuleFiles.filter { !$0.path.contains("/Tests/Golden/") })
func committedRuleFilesAreFormatted(_ url: URL) {
  let text = String(
    decoding: FileManager.default.contents(atPath: url.path) ?? Data(), as: UTF8.self)
  #expect(formatted(text) == text, "run `regula fmt \(url.path)`")
}

@Test func commentsAndBlankLinesSurvive() {
  let text = """
    policy p
    -- about a
    rule a = 1  -- one

    -- about the table
    parameter t: Int by E = {
      x: 1  -- first
      y: 2
    }
    """
  let result = formatted(text)
  #expect(result.contains("-- about a\nrule a = 1  -- one\n\n-- about the table\n"))
  #expect(result.contains("  x: 1  -- first\n  y: 2\n}"))
}

@Test func longConditionsBreakAtTheirOperators() {
  let condition = (1...8).map { "application.some_long_field_\($0)" }.joined(separator: " or ")
  let result = formatted("policy p\nrule a = if \(condition) then 1 else 2\n")
  #expect(
    result.contains(
      "rule a =\n  if application.some_long_field_1\n    or application.some_long_field_2\n"))
  #expect(formatted(result) == result)
}

/// One line-width rule (issue 18, item 5): every construct with a broken form breaks past 100
/// characters — sums, products, `let`, aggregates and calls as `and`/`or`, `if` and `match`
/// do — keeping the tree, and a second pass changes nothing.
@Test func everyLongConstructBreaksAtTheLineWidth() throws {
  let long = "application.first_amount_of_the_household"
  let source = """
    policy p
    input application { first_amount_of_the_household: Int, members: List<Int> }
    rule a: Int = \(long) + \(long) - \(long) + \(long)
    rule b: Int = \(long) * \(long) / 1 * \(long)
    rule c: Int = let total_of_the_household = \(long) + \(long) in total_of_the_household * total_of_the_household
    rule d: Int = sum(m * \(long) for m in application.members where m > \(long) and m < \(long))
    rule e: Int = max(\(long) + 1, \(long) + 2, \(long) + 3)

    """
  let text = formatted(source)
  #expect(formatted(text) == text)
  for line in text.split(separator: "\n") { #expect(line.count <= 100, "\(line)") }
  let (before, _, _) = parseText(source)
  let (after, _, diagnostics) = parseText(text)
  #expect(diagnostics.isEmpty, "\(diagnostics.map(\.message))\n\(text)")
  #expect(SyntaxPrinter.print(after) == SyntaxPrinter.print(before), "\(text)")
}
